"""Projection catch-up on PostgreSQL: all our read models vs the library's ProjectionRunner.

One run, one fresh database ``vl_bench_<random>`` (dropped afterwards): a generated
history (the demo generator through the real use cases, copied in bulk), then

(a) ours: every read model (six projections) built from position 0 by our batching
    runner, its projections shared out over ``--workers`` processes (default 2) —
    events/s over the whole log, wall clock;
(b) the library's ``ProjectionRunner`` with a one-table projection (events per topic,
    one row upserted per event, tracking in the same transaction) over the same log;
(c) the ratio. Targets: ≥ 20,000 events/s and ≥ 25 × the library runner.
"""

from __future__ import annotations

import argparse
import resource
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import singledispatchmethod
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Tracking
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresTrackingRecorder
from eventsourcing.projection import Projection as LibraryProjection
from eventsourcing.projection import ProjectionRunner as LibraryRunner
from psycopg.sql import SQL, Identifier

from bench._cpu import load_average, server_cpu_seconds
from bench.history import cached_history, copy_events, ledger_for
from infrastructure.bootstrap import bootstrap
from infrastructure.persistence import event_store_env
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_RATE, TARGET_RATIO = 20_000, 25


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"vl_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LedgerEvents(Application[Any]):
    """Reads our event table with our transcodings: what the library runner subscribes to."""

    name = "VolunteerLedger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in ledger_transcodings():
            transcoder.register(transcoding)


class TopicCounts(PostgresTrackingRecorder):
    """A one-table materialised view: how many events of each topic."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.bench_topic_counts (topic text PRIMARY KEY, n bigint)"
            ).format(Identifier(self.datastore.schema))
        )

    def incr(self, topic: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {0}.bench_topic_counts VALUES (%s, 1) "
                    "ON CONFLICT (topic) DO UPDATE SET n = bench_topic_counts.n + 1"
                ).format(Identifier(self.datastore.schema)),
                (topic,),
            )
            self._insert_tracking(curs, tracking)


class CountTopics(LibraryProjection[TopicCounts]):
    name = "topic_counts"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.incr(type(domain_event).TOPIC, tracking)


def settle(url: str, schema: str, events_table: str) -> None:
    """Leave the copied log as a long-lived database holds it: vacuumed (its rows' commit
    status recorded in the pages, the visibility map set) and checkpointed. Otherwise the
    first runner to read the fresh copy pays for setting each row's hint bits, and a
    checkpoint the copy's WAL brings on may fall inside a timed run; neither is catching
    up. Each runner is timed after a checkpoint of its own."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            SQL("VACUUM (ANALYZE) {0}.{1}").format(Identifier(schema), Identifier(events_table))
        )
    checkpoint()


def checkpoint() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute("CHECKPOINT")


def ours(settings: Settings, batch_size: int, workers: int) -> tuple[int, float, dict[str, float]]:
    """Wall-clock time for every read model to reach the head (worker start-up included),
    and each worker's own time (start-up excluded)."""
    container = bootstrap(settings)
    timings: dict[str, float] = {}
    try:
        cpu, server = _python_cpu(), server_cpu_seconds(ADMIN_URL)
        started = time.perf_counter()
        read = container.catch_up(batch_size=batch_size, workers=workers, timings=timings)
        seconds = time.perf_counter() - started
        timings["CPU of our processes (PostgreSQL's not included)"] = _python_cpu() - cpu
        if server is not None and (after := server_cpu_seconds(ADMIN_URL)) is not None:
            timings["CPU of PostgreSQL (the whole local server)"] = after - server
        return read, seconds, timings
    finally:
        container.close()


def _python_cpu() -> float:
    """CPU seconds of this process and its finished children (the catch-up workers)."""
    used = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        used += usage.ru_utime + usage.ru_stime
    return used


def library(settings: Settings, head: int, limit: int) -> tuple[int, float]:
    """The library runner over the first ``limit`` events (it is slow; the rate is what counts)."""
    env = event_store_env(settings)
    env.pop("AGGREGATE_CACHE_MAXSIZE", None)
    env.pop("AGGREGATE_CACHE_FASTFORWARD", None)
    started = time.perf_counter()
    with LibraryRunner(
        application_class=LedgerEvents,
        projection_class=CountTopics,
        view_class=TopicCounts,
        env=env,
    ) as runner:
        target = min(head, limit)
        runner.wait(target, timeout=3600)
        return target, time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench catch_up", description=__doc__)
    parser.add_argument("--events", type=int, default=200_000, help="history size (≥)")
    parser.add_argument(
        "--library-events", type=int, default=20_000, help="events for the library runner"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=50_000,
        help="events per transaction (bigger: each hot row rewritten less often; 50,000 "
        "held about 360 MB per process, against 230 MB for 20,000, and took ~5%% less CPU)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="processes sharing out our projections"
    )
    args = parser.parse_args(argv)
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as e:
        print(f"PostgreSQL unreachable, catch_up skipped: {e}")
        return 0
    source_path = cached_history(events=args.events)
    source = ledger_for(Settings(database_url=f"sqlite:///{source_path}", aggregate_cache_size=0))
    with fresh_database() as url:
        settings = Settings(database_url=url)
        target = ledger_for(settings)
        started = time.perf_counter()
        head = copy_events(source, target)
        print(
            f"history: {head:,} events copied into PostgreSQL in {time.perf_counter() - started:.1f} s"
        )
        recorder = target.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        target.close()
        settle(url, recorder.datastore.schema, recorder.events_table_name)
        read, seconds, timings = ours(settings, args.batch_size, args.workers)
        rate = read / seconds
        checkpoint()
        done, lib_seconds = library(settings, head, args.library_events)
        lib_rate = done / lib_seconds
    source.close()
    print()
    print(f"{'runner':<44}{'events':>10}{'seconds':>10}{'events/s':>12}")
    label = f"ours: all 6 read models, {args.workers} processes"
    print(f"{label:<44}{read:>10,}{seconds:>10.2f}{rate:>12,.0f}")
    for names, share_seconds in timings.items():
        label = names if names.startswith("CPU") else f"a share: {names}"
        print(f"  {label:<65}{share_seconds:>8.2f} s")
    print(
        f"{'library ProjectionRunner: one table':<44}{done:>10,}{lib_seconds:>10.2f}{lib_rate:>12,.0f}"
    )
    print(
        f"ratio ours / library: {rate / lib_rate:.1f} × (target ≥ {TARGET_RATIO} ×); "
        f"ours {rate:,.0f} events/s (target ≥ {TARGET_RATE:,}); "
        f"machine load average {load_average()}"
    )
    return 0
