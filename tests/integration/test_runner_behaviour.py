"""How the projection runner behaves: a projection that meets an unknown event stops alone;
the runner wakes on PostgreSQL notifications; read-your-writes waits are bounded; a rebuild
under load never shows readers a half-built table.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from application.commands.activities import PublishActivity
from application.readmodel.catalogue import all_projections
from application.readmodel.projections.ledger import LedgerProjection
from application.readmodel.projections.ranking import RankingProjection
from application.readmodel.replay import UndecodableEvent, read_notifications, replay
from application.readmodel.store import RowStore
from application.readmodel.tables import ACCOUNT, ENTRY
from domain.activity import ServiceActivity
from infrastructure.bootstrap import Container, ReadModelsBehind, bootstrap
from infrastructure.rebuild import rebuild
from infrastructure.runner import ProjectionRunner
from infrastructure.settings import Settings
from infrastructure.sqlbatch import Batch
from tests.integration.projection_support import (
    Workload,
    assert_equal_to_clean_replay,
    memory_snapshot,
    sql_snapshot,
)
from tests.support.builders import STAFF, activity, team, volunteer
from tests.support.clock import fixed_clock

PUBLISHED = "ServiceActivity.Published"


@contextmanager
def running(runner: ProjectionRunner) -> Iterator[threading.Event]:
    """``runner.run(stop)`` in a thread for the duration of the block."""
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), name="runner", daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the runner did not stop"


# --------------------------------------------------------------------------- (a) unknown event


class RankingMissingPublished(RankingProjection):
    """The ranking projection as if someone forgot to list "Published" among its ignored topics."""

    name = "ranking"
    ignored = RankingProjection.ignored - {ServiceActivity.Published}


@pytest.mark.parametrize("batch_size", [1, 4, 500])
def test_an_unknown_event_stops_only_that_projection_with_a_clear_error(
    container: Container, batch_size: int
) -> None:
    ledger = container.ledger
    Workload(ledger, seed=3).run(12)
    aid = activity(ledger, team(ledger))
    volunteer(ledger)
    published = ledger.publish_activity(PublishActivity(activity_id=aid), actor=STAFF).position
    Workload(ledger, seed=4).run(15)  # more history the ranking must not reach
    head = ledger.current_position()
    projections = [
        RankingMissingPublished(container.rulebook) if p.name == "ranking" else p
        for p in all_projections(container.rulebook)
    ]

    ProjectionRunner(ledger, container.store, projections, batch_size=batch_size).catch_up()

    tracking = container.store.tracking()
    stuck = tracking["ranking"]
    assert stuck["position"] == published - 1
    assert stuck["error"] is not None
    for part in ("ranking", str(published), PUBLISHED):
        assert part in stuck["error"], f"{part!r} not in {stuck['error']!r}"
    others = {name: t["position"] for name, t in tracking.items() if name != "ranking"}
    assert others == dict.fromkeys(others, head), "the other projections must reach the head"
    # What the ranking did commit is exactly the log up to the event before the unknown one.
    memory, _ = replay(ledger, [RankingProjection(container.rulebook)], upto=published - 1)
    ranking = [p for p in projections if p.name == "ranking"]
    assert sql_snapshot(container.store, ranking) == memory_snapshot(memory, ranking)

    container.runner(batch_size=batch_size).catch_up()  # a new, correct runner...
    again = container.store.tracking()["ranking"]
    assert (again["position"], again["error"]) == (stuck["position"], stuck["error"]), (
        "...does not move a stopped projection past the event it stopped at"
    )

    rebuild(ledger, container.store, RankingProjection(container.rulebook))  # the way out
    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)


def test_a_batch_commits_every_projection_at_once(container: Container) -> None:
    """One transaction a batch for all projections, not one each: the live runner applies a
    few events at a time, and a commit apiece was most of its work."""
    ledger = container.ledger
    Workload(ledger, seed=21).run(30)
    runner = container.runner(batch_size=10)
    transactions = 0
    real = container.store.transaction

    @contextmanager
    def counted(**kwargs: Any) -> Iterator[Any]:
        nonlocal transactions
        transactions += 1
        with real(**kwargs) as tx:
            yield tx

    container.store.transaction = counted  # type: ignore[method-assign]
    try:
        batches = 0
        while runner.step():
            batches += 1
    finally:
        del container.store.transaction
    assert batches >= 3
    assert transactions == batches
    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)


@pytest.mark.parametrize("batch_size", [1, 500])
def test_an_event_that_cannot_be_decoded_stops_catch_up_naming_it(
    container: Container, batch_size: int
) -> None:
    """The runner's own log reader (tuples on PostgreSQL) names the event it cannot decode,
    and no projection moves past it."""
    ledger = container.ledger
    Workload(ledger, seed=6).run(10)
    topic = "volunteer-ledger:Volunteer.NoSuchEvent"
    ledger.recorder.insert_events(
        [StoredEvent(uuid4(), 1, topic, b'{"timestamp":{"_type_":"datetime_iso","_data_":"x"}}')]
    )
    bad = ledger.current_position()
    Workload(ledger, seed=7).run(5)

    with pytest.raises(UndecodableEvent) as stopped:
        container.runner(batch_size=batch_size).catch_up()

    assert (stopped.value.position, stopped.value.topic) == (bad, topic)
    positions = [t["position"] for t in container.store.tracking().values()]
    assert positions and max(positions) < bad


def test_a_field_that_cannot_be_decoded_stops_catch_up_naming_its_event(
    container: Container,
) -> None:
    """An award whose hours are stored under a name no transcoding knows parses, and its
    fields are converted only as they are read: whether its hours are read first by a
    projection or converted up front (read of an earlier award), catch-up stops there,
    naming the event, as for one that cannot be decoded at all (a release that can decode
    it goes on), rather than stopping the read models that read it for good."""
    ledger = container.ledger
    Workload(ledger, seed=6).run(40)
    awarded = "volunteer-ledger:Volunteer.PointsAwarded"
    last = [n for batch in read_notifications(ledger) for n in batch if n.topic == awarded][-1]
    volunteer_id = last.originator_id
    version = ledger.recorder.select_events(volunteer_id, desc=True, limit=1)[0].originator_version
    damaged = last.state.replace(b'"hours":{"_type_":"decimal_str"', b'"hours":{"_type_":"no_such"')
    assert damaged != last.state
    ledger.recorder.insert_events([StoredEvent(volunteer_id, version + 1, awarded, damaged)])
    bad = ledger.current_position()

    with pytest.raises(UndecodableEvent, match="cannot be decoded") as stopped:
        container.runner(batch_size=500).catch_up()

    assert (stopped.value.position, stopped.value.topic) == (bad, awarded)
    tracking = container.store.tracking()
    assert tracking["ledger"]["position"] < bad  # it reads the award's hours
    assert all(t["error"] is None for t in tracking.values())


# --------------------------------------------------------------------------- (b) LISTEN/NOTIFY


@pytest.fixture
def pg_container(pg_store: Settings) -> Iterator[Container]:
    c = bootstrap(pg_store, clock=fixed_clock)
    try:
        yield c
    finally:
        c.close()


@pytest.mark.postgres
def test_the_runner_wakes_on_notify_not_on_polling(pg_container: Container) -> None:
    c = pg_container
    Workload(c.ledger, seed=8).run(5)
    runner = c.runner(poll_interval=30)  # polling would take 30 s
    with running(runner) as stop:
        c.wait_for(c.ledger.current_position(), timeout=5)
        time.sleep(0.3)  # the runner is now idle, waiting for a notification
        for round_ in range(3):
            recorded = volunteer(c.ledger)
            position = c.ledger.current_position()
            started = time.monotonic()
            c.wait_for(position, timeout=5)
            assert time.monotonic() - started < 5
            assert c.read_models().ledger(str(recorded)) is not None, round_
        stop.set()


@pytest.mark.postgres
def test_a_woken_runner_gathers_the_writes_that_follow_into_one_batch(
    pg_container: Container,
) -> None:
    c = pg_container
    runner = c.runner(poll_interval=30)
    runner.gather = 1.0  # long enough for every write below to land inside the window
    with running(runner) as stop:
        c.wait_for(c.ledger.current_position(), timeout=5)
        time.sleep(0.3)  # idle, waiting for a notification
        before = runner.batches
        recorded = [volunteer(c.ledger) for _ in range(8)]  # eight commits, eight notifications
        c.wait_for(c.ledger.current_position(), timeout=10)
        assert all(c.read_models().ledger(str(v)) is not None for v in recorded)
        # one batch for the first wake-up (and at most one more for a straggler), not eight
        assert runner.batches - before <= 2, runner.batches - before
        stop.set()


@pytest.mark.postgres
def test_stopping_a_listening_runner_does_not_wait_for_the_poll_interval(
    pg_container: Container,
) -> None:
    c = pg_container
    runner = c.runner(poll_interval=30)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    try:
        c.wait_for(c.ledger.current_position(), timeout=5)
        time.sleep(0.3)
        stop.set()
        thread.join(timeout=2)
        assert not thread.is_alive(), "run(stop) still running 2 s after stop was set"
    finally:
        stop.set()
        volunteer(c.ledger)  # a notification lets it notice the stop
        thread.join(timeout=10)


# --------------------------------------------------------------------------- (c) bounded waits


def test_waiting_for_a_position_that_never_comes_fails_in_time_naming_both(
    container: Container,
) -> None:
    Workload(container.ledger, seed=9).run(6)
    container.runner().catch_up()
    head = container.ledger.current_position()
    wanted = head + 1000

    started = time.monotonic()
    with pytest.raises(ReadModelsBehind) as caught:
        container.wait_for(wanted, timeout=0.3)
    waited = time.monotonic() - started

    assert 0.3 <= waited < 2
    assert (caught.value.wanted, caught.value.reached) == (wanted, head)
    assert str(wanted) in str(caught.value) and str(head) in str(caught.value)
    assert container.wait_for(head, timeout=0.3) == head


# --------------------------------------------------------------------------- (d) rebuild under load


def _rebuild(container: Container, projection: Any) -> int:
    return rebuild(container.ledger, container.store, projection, batch_size=3)


def test_readers_never_see_a_half_built_table_during_a_rebuild_under_load(
    container: Container,
) -> None:
    ledger = container.ledger
    work = Workload(ledger, seed=21)
    work.run(150)
    before = [volunteer(ledger) for _ in range(10)]
    container.runner().catch_up()
    registered = len(container.store.select(ACCOUNT))
    assert registered >= len(before)

    counts: list[tuple[float, int]] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                counts.append((time.monotonic(), len(container.store.select(ACCOUNT))))
        except BaseException as e:
            failures.append(e)

    def write() -> None:
        try:
            while not done.is_set() and work.recorded < 400:
                work.step()
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=f, daemon=True) for f in (read, read, write)]
    with running(container.runner(batch_size=5, poll_interval=0.02)):
        for thread in threads:
            thread.start()
        time.sleep(0.05)
        started = time.monotonic()
        for _ in range(2):
            _rebuild(container, LedgerProjection(container.rulebook))
        ended = time.monotonic()
        time.sleep(0.05)
        done.set()
        for thread in threads:
            thread.join(timeout=20)

    assert not failures, failures
    during = [n for t, n in counts if started <= t <= ended]
    assert len(during) >= 5, f"only {len(during)} reads overlapped the rebuild"
    assert min(n for _, n in counts) >= registered, (
        f"a reader saw {min(n for _, n in counts)} accounts; {registered} existed before the rebuild"
    )
    container.runner().catch_up()
    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)


class PausingLedger(LedgerProjection):
    """The ledger projection, pausing mid-batch (after touching its tables) at one position."""

    name = "ledger"

    def __init__(self, rulebook: Any, pause_at: int) -> None:
        super().__init__(rulebook)
        self.pause_at = pause_at
        self.paused = threading.Event()
        self.resume = threading.Event()

    def apply(self, store: RowStore, event: Any, position: int) -> None:
        super().apply(store, event, position)
        if position == self.pause_at:
            store.get(ENTRY, ("no-such-entry",))  # flushes this batch's writes so far
            self.paused.set()
            self.resume.wait(timeout=15)


def _wait_until_rebuild_blocks(settings: Settings) -> None:
    """PostgreSQL: until the rebuild's switch waits for a lock (the tracking row the paused
    runner holds, or its tables). SQLite: a moment."""
    if not settings.is_postgres:
        time.sleep(0.3)
        return
    deadline = time.monotonic() + 10
    with psycopg.connect(settings.database_url, autocommit=True) as c:
        while time.monotonic() < deadline:
            waiting = c.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' "
                "AND (query LIKE 'DROP TABLE%' OR query LIKE '%rm_tracking%FOR UPDATE')"
            ).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the rebuild never reached its switch")


def _in_thread(target: Callable[[], Any], failures: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as e:
            failures.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_rebuild_while_a_runner_is_mid_batch_completes_and_both_stay_exact(
    request: pytest.FixtureRequest, store: Settings, container: Container
) -> None:
    ledger = container.ledger
    Workload(ledger, seed=31).run(40)
    pausing = PausingLedger(container.rulebook, pause_at=ledger.current_position() - 3)
    runner = ProjectionRunner(ledger, container.store, [pausing], batch_size=1000)
    failures: list[BaseException] = []

    runner_thread = _in_thread(runner.catch_up, failures)
    assert pausing.paused.wait(timeout=10), "the runner never reached the pause"
    rebuild_thread = _in_thread(
        lambda: rebuild(ledger, container.store, LedgerProjection(container.rulebook)), failures
    )
    try:
        _wait_until_rebuild_blocks(store)
    finally:
        pausing.resume.set()
        runner_thread.join(timeout=20)
        rebuild_thread.join(timeout=20)

    if failures:
        raise failures[0]
    container.runner().catch_up()
    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)


@pytest.mark.parametrize("rows", [3, 200])  # by statements, and by COPY (64 rows and more)
def test_rows_added_to_a_created_once_table_keep_their_order_with_other_writes(
    container: Container, rows: int
) -> None:
    """``add`` keeps rows apart and copies them in first: an update later in the batch still
    lands on its row, whether the row was added before the table had other writes pending
    or after."""
    store = container.store
    store.create_tables([ENTRY])

    def entry(n: int) -> tuple[Any, ...]:
        return tuple(
            {"entry_id": f"e{n:04}", "volunteer_id": "v", "seq": n, "reversed": 0}.get(c)
            for c in ENTRY.columns
        )

    with store.transaction() as tx:
        batch = Batch(tx, {})
        for n in range(rows):
            batch.add(ENTRY, entry(n))
        batch.update(ENTRY, ("e0000",), {"reversed": 1})
        batch.add(ENTRY, entry(rows))  # after a pending update: through the upsert
        batch.update(ENTRY, (f"e{rows:04}",), {"reversed": 1})
        batch.flush()
    found = {r["entry_id"]: r for r in store.select(ENTRY)}
    assert len(found) == rows + 1
    assert [k for k, r in sorted(found.items()) if r["reversed"] == 1] == ["e0000", f"e{rows:04}"]
    assert found[f"e{rows - 1:04}"]["seq"] == rows - 1
