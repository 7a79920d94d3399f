"""The composition root: build the application, read models and runner once per process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper
from psycopg_pool import ConnectionPool

from application.base import Clock, utc_now
from application.errors import StoreUnavailable
from application.ledger import VolunteerLedger
from application.readmodel.audit.review import annual_review
from application.readmodel.base import Projection
from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from domain.rulebook import Rulebook
from domain.values import Actor, Category
from infrastructure.asof import AsOfReads, Gate
from infrastructure.audit import chain_at
from infrastructure.checkpointer import Checkpointer
from infrastructure.decoding import FastDecoder
from infrastructure.encoding import FastEncodingMapper
from infrastructure.parallel_catch_up import catch_up_in_parallel, timed
from infrastructure.persistence import event_store_env, in_memory_env
from infrastructure.pgbounds import Bounds
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.runner import ProjectionRunner
from infrastructure.runtime import cycle_collector_paused
from infrastructure.settings import Settings
from infrastructure.sqlschema import DDL_LOCK
from infrastructure.sqlstore import SqlStore
from infrastructure.transcodings import ledger_transcodings


class ReadModelsBehind(Exception):
    """The read models did not reach the requested position in time."""

    def __init__(self, wanted: int, reached: int, waited: float) -> None:
        super().__init__(
            f"read models reached position {reached}, not {wanted}, within {waited:.1f} s"
        )
        self.wanted = wanted
        self.reached = reached


@dataclass
class Container:
    settings: Settings
    rulebook: Rulebook
    ledger: VolunteerLedger
    _store: SqlStore | None = field(default=None, repr=False)
    _replica: SqlStore | None = field(default=None, repr=False)
    as_of: AsOfReads = field(init=False, repr=False)
    waits: Gate = field(init=False, repr=False)

    @property
    def store(self) -> SqlStore:
        """The read-model store (opened on first use)."""
        if self._store is None:
            self._store = SqlStore(self.settings, pool_size=self.settings.postgres_pool_size)
        return self._store

    def __post_init__(self) -> None:
        # Time travel and waiting for the read models, each bounded per process.
        self.as_of = AsOfReads(
            self.ledger,
            self.rulebook,
            lambda: self.store,
            replays=self.settings.max_replays,
            cached=self.settings.replay_cache_size,
        )
        self.waits = Gate("reads waiting for the read models", self.settings.max_read_waiters)

    @property
    def replica(self) -> SqlStore:
        """Where read-model reads go: the read replica (``VL_READ_DATABASE_URL``), a hot
        standby whose read models the primary's projection worker keeps (they arrive by
        streaming replication), else the store itself."""
        replica = self.settings.replica_settings
        if replica is None:
            return self.store
        if self._replica is None:
            self._replica = SqlStore(
                replica, pool_size=self.settings.postgres_pool_size, read_only=True
            )
        return self._replica

    def read_models(self) -> ReadModels:
        return ReadModels(self.replica, self.rulebook)

    def runner(
        self,
        *,
        batch_size: int = 2000,
        poll_interval: float = 0.5,
        only: frozenset[str] | None = None,
    ) -> ProjectionRunner:
        """A runner for every projection (or those named in ``only``)."""
        return ProjectionRunner(
            self.ledger,
            self.store,
            self._projections(only),
            batch_size=batch_size,
            poll_interval=poll_interval,
            listen_url=self.settings.database_url if self.settings.is_postgres else None,
            listen_bounds=Bounds.of(self.settings),
            gather=self.settings.projection_gather_seconds,
        )

    def _projections(self, only: frozenset[str] | None) -> list[Projection]:
        """Every projection of the catalogue, or those named in ``only``."""
        return [p for p in all_projections(self.rulebook) if only is None or p.name in only]

    def checkpointer(self, *, interval: float = 5.0) -> Checkpointer:
        """The thread that keeps checkpoints of the read models (``checkpoint_every``)."""
        return Checkpointer(
            self.ledger,
            self.as_of.checkpoints,
            every=self.settings.checkpoint_every,
            interval=interval,
        )

    def catch_up(
        self,
        *,
        batch_size: int = 2000,
        workers: int = 1,
        timings: dict[str, float] | None = None,
    ) -> int:
        """Bring every read model to the head of the log; return how many events were read.

        With ``workers`` > 1 on PostgreSQL, that many processes share the projections out
        (the design's one worker per projection, grouped to the cores there are; see
        :mod:`infrastructure.parallel_catch_up`). SQLite has one writer: it always runs here.

        ``timings``, when given, receives each share's seconds (a worker's start-up
        excluded) under its projections' names, for reports.
        """
        if workers <= 1 or not self.settings.is_postgres:
            read, seconds = timed(lambda: self.runner(batch_size=batch_size).catch_up())
            shares = {"all, in this process": seconds}
        else:
            projections = all_projections(self.rulebook)
            read, shares = catch_up_in_parallel(
                self, projections, batch_size=batch_size, workers=workers
            )
        if timings is not None:
            timings.update(shares)
        return read

    def settle_connections(self) -> None:
        """Before forking: both connection pools (the event store's, the read models') hold
        the connections they keep, so none of their threads is inside libpq connecting —
        a lock held there (the resolver's, TLS's) would stay held in the child for ever."""
        timeout = self.settings.postgres_connect_timeout_seconds
        pool = getattr(getattr(self.ledger.recorder, "datastore", None), "pool", None)
        if isinstance(pool, ConnectionPool):
            pool.wait(timeout)
        self.store.settle(timeout)

    def read_position(self, *, replica: bool = False) -> int:
        """The position every read model has reached (the slowest one's), on the store or,
        with ``replica``, on the store that serves :meth:`read_models`."""
        store = self.replica if replica else self.store
        return min((t["position"] for t in store.tracking().values()), default=0)

    def wait_for(self, position: int, timeout: float = 5.0, *, replica: bool = False) -> int:
        """Read-your-writes: wait (bounded) until the read models reach ``position``
        (with ``replica``, those :meth:`read_models` reads: a standby's have to arrive)."""
        started = time.monotonic()
        delay = 0.005
        while (reached := self.read_position(replica=replica)) < position:
            waited = time.monotonic() - started
            if waited >= timeout:
                raise ReadModelsBehind(position, reached, waited)
            time.sleep(min(delay, timeout - waited))
            delay = min(delay * 2, 0.1)
        return reached

    def wait_bounded(self, position: int, timeout: float = 5.0, *, replica: bool = False) -> int:
        """:meth:`wait_for`, as one of at most ``max_read_waiters`` waits in this process:
        one more raises :class:`~infrastructure.asof.Busy` at once (503 with Retry-After)
        instead of tying up a worker. Read models already there take no slot."""
        reached = self.read_position(replica=replica)
        if reached >= position:
            return reached
        with self.waits.held():
            return self.wait_for(position, timeout, replica=replica)

    def review(self, year: int, *, upto: int | None = None) -> dict[str, Any]:
        """The annual review, with the chain head at its cut and the seal covering it.

        Replayed with the runner's decoder and with the cycle collector paused, as a
        catch-up is: the in-memory read models grow to millions of rows, which every full
        collection would scan again (none of them form reference cycles)."""
        with cycle_collector_paused():
            return annual_review(
                self.ledger,
                self.rulebook,
                year,
                upto=upto,
                chain=lambda cut: chain_at(self.ledger, cut),
                decoder=FastDecoder(self.ledger.mapper),
            )

    def close(self) -> None:
        self.ledger.close()
        if self._store is not None:
            self._store.close()
        if self._replica is not None:
            self._replica.close()


def fast_mapper(mapper: Mapper[UUID]) -> Mapper[UUID]:
    """The mapper the service stores events with: the library's bytes, written faster
    (an actor recurs on every event of a request, a category on every event of an
    activity: their text is written once)."""
    return FastEncodingMapper.replacing(mapper, immutable=(Actor, Category))


def bootstrap(settings: Settings | None = None, *, clock: Clock = utc_now) -> Container:
    settings = settings or Settings()
    rulebook = load_rulebook(settings.rulebook_path)
    with _schema_changes_serialised(settings):
        ledger = _ledger(rulebook, event_store_env(settings), clock)
    return Container(settings=settings, rulebook=rulebook, ledger=ledger)


def in_memory_ledger(
    settings: Settings | None = None, *, clock: Clock = utc_now
) -> VolunteerLedger:
    """The application alone on the library's in-memory store: no read models, no file, no
    server. For the use-case tests (tests/usecases); the service always uses
    :func:`bootstrap`."""
    settings = settings or Settings()
    return _ledger(load_rulebook(settings.rulebook_path), in_memory_env(settings), clock)


def _ledger(rulebook: Rulebook, env: dict[str, str], clock: Clock) -> VolunteerLedger:
    return VolunteerLedger(
        rulebook=rulebook,
        env=env,
        transcodings=ledger_transcodings(),
        clock=clock,
        mapper=fast_mapper,
    )


@contextmanager
def _schema_changes_serialised(settings: Settings) -> Iterator[None]:
    """PostgreSQL: processes starting at once create the event tables one at a time
    (concurrent CREATE TABLE IF NOT EXISTS fails with "tuple concurrently updated")."""
    if not settings.is_postgres:
        yield
        return
    try:
        conn = Bounds.of(settings).connect(settings.database_url, autocommit=True)
    except psycopg.OperationalError as e:
        raise StoreUnavailable(f"the event store is unavailable: {e}") from e
    with conn:
        # Another process may hold the lock while it builds a large store's chain: wait
        # for it as long as that takes (connecting was bounded).
        conn.execute("SET statement_timeout = 0")
        conn.answer_timeout = None
        conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))
