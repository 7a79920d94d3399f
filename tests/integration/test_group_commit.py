"""Group commit: one process's concurrent saves share a transaction, and nothing else changes.

Recorder cases (real PostgreSQL): the first insert is held inside its transaction until
the other threads have queued, so the next transaction is a real batch every time (no
timing involved). Every caller gets its own ids, the chain verifies, and a caller whose
aggregate version is taken fails alone. Application cases (SQLite file and PostgreSQL):
many threads recording hours through one ledger at once all land, and the chain verifies.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresDatastore

from application.commands.activities import RecordHours
from application.errors import ConcurrencyConflict
from domain.values import HoursSource, Interval
from infrastructure.audit import verify_chain
from infrastructure.bootstrap import Container
from infrastructure.chain_postgres import ChainedPostgresApplicationRecorder
from tests.support.builders import DAY, STAFF, activity, at, team, volunteer
from tests.support.postgres import pg_url

THREADS = 16


@pytest.fixture
def recorder(pg_database: str) -> Iterator[ChainedPostgresApplicationRecorder]:
    schema = f"g_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(pg_database), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    datastore = PostgresDatastore(
        dbname=pg_database,
        host="127.0.0.1",
        port="5432",
        user="postgres",
        password="",
        schema=schema,
        pool_size=4,
        max_overflow=4,
    )
    made = ChainedPostgresApplicationRecorder(datastore)
    made.create_table()
    try:
        yield made
    finally:
        datastore.close()


class Held:
    """The recorder's first transaction waits, once it has begun, until ``queued`` other
    callers are queued behind it; ``batches`` lists what each transaction was given."""

    def __init__(self, recorder: ChainedPostgresApplicationRecorder, queued: int) -> None:
        self.batches: list[Sequence[StoredEvent]] = []
        self.holding = threading.Event()
        group = recorder._group_commit
        insert = group.insert

        def held(events: Sequence[StoredEvent]) -> Sequence[int] | None:
            if not self.batches:
                self.holding.set()
                deadline = time.monotonic() + 30  # a bound, not a timing: never reached
                while len(group._queue) < queued and time.monotonic() < deadline:
                    time.sleep(0.001)
            self.batches.append(events)
            return insert(events)

        group.insert = held


def _at_once(held: Held, calls: list[Callable[[], Any]]) -> list[Any]:
    """The first call leads (and is held); then the rest; their outcomes or exceptions."""
    with ThreadPoolExecutor(len(calls)) as pool:
        first = pool.submit(calls[0])
        assert held.holding.wait(timeout=30)
        futures = [first, *(pool.submit(c) for c in calls[1:])]
        outcomes: list[Any] = []
        for future in futures:
            try:
                outcomes.append(future.result(timeout=60))
            except Exception as e:
                outcomes.append(e)
    return outcomes


def _events(originator: uuid.UUID, count: int, first_version: int = 1) -> list[StoredEvent]:
    return [
        StoredEvent(originator, first_version + v, "topic", f"{originator}:{v}".encode())
        for v in range(count)
    ]


@pytest.mark.postgres
def test_concurrent_inserts_share_a_transaction_and_each_gets_its_own_ids(
    recorder: ChainedPostgresApplicationRecorder,
) -> None:
    held = Held(recorder, THREADS - 1)
    mine = [_events(uuid.uuid4(), 1 + n % 3) for n in range(THREADS)]

    outcomes = _at_once(held, [lambda e=events: recorder.insert_events(e) for events in mine])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(held.batches) == 2  # the held one, then everyone else together
    assert len(held.batches[1]) == sum(len(e) for e in mine[1:])
    stored = {n.id: n for n in recorder.select_notifications(start=1, limit=1000)}
    assert len(stored) == sum(len(e) for e in mine)
    for events, ids in zip(mine, outcomes, strict=True):
        assert len(ids) == len(events)
        assert list(ids) == sorted(ids)
        for event, position in zip(events, ids, strict=True):
            got = stored[position]
            assert (got.originator_id, got.originator_version, got.state) == (
                event.originator_id,
                event.originator_version,
                event.state,
            )
    report = verify_chain(recorder, {})
    assert report.ok and report.checked == len(stored), report


@pytest.mark.postgres
def test_a_conflicting_caller_in_a_batch_fails_alone(
    recorder: ChainedPostgresApplicationRecorder,
) -> None:
    taken = uuid.uuid4()
    recorder.insert_events(_events(taken, 1))
    held = Held(recorder, THREADS - 1)
    mine = [_events(uuid.uuid4(), 2) for _ in range(THREADS)]
    loser = THREADS // 2
    mine[loser] = _events(taken, 1)  # version 1 of ``taken`` is already recorded

    outcomes = _at_once(held, [lambda e=events: recorder.insert_events(e) for events in mine])

    assert [n for n, o in enumerate(outcomes) if isinstance(o, Exception)] == [loser], outcomes
    assert isinstance(outcomes[loser], IntegrityError)
    assert len(held.batches[1]) == sum(len(e) for e in mine[1:])  # the batch was tried whole
    stored = recorder.select_notifications(start=1, limit=1000)
    assert len(stored) == 1 + 2 * (THREADS - 1)
    assert sum(n.originator_id == taken for n in stored) == 1
    by_id = {n.id: n.originator_id for n in stored}
    for n, ids in enumerate(outcomes):
        if n != loser:
            assert [by_id[i] for i in ids] == [mine[n][0].originator_id] * 2
    report = verify_chain(recorder, {})
    assert report.ok and report.checked == len(stored), report


@pytest.mark.postgres
def test_an_unreachable_store_fails_every_member_at_once(
    recorder: ChainedPostgresApplicationRecorder,
) -> None:
    """Not each member trying the dead store again in turn (seconds each)."""
    held = Held(recorder, THREADS - 1)
    tried = held.batches
    insert = recorder._group_commit.insert

    def dead_after_first(events: Sequence[StoredEvent]) -> Sequence[int] | None:
        if tried:
            tried.append(events)
            raise OperationalError("connection refused")
        return insert(events)

    recorder._group_commit.insert = dead_after_first
    mine = [_events(uuid.uuid4(), 1) for _ in range(THREADS)]

    outcomes = _at_once(held, [lambda e=events: recorder.insert_events(e) for events in mine])

    assert not isinstance(outcomes[0], Exception)
    assert all(isinstance(o, OperationalError) for o in outcomes[1:]), outcomes
    assert len({id(o) for o in outcomes[1:]}) == THREADS - 1  # each its own exception
    assert len(tried) == 2  # the held insert, then the batch once
    assert len(recorder.select_notifications(start=1, limit=100)) == 1


@pytest.mark.postgres
def test_an_empty_insert_skips_the_group(
    recorder: ChainedPostgresApplicationRecorder,
) -> None:
    held = Held(recorder, 0)
    assert not recorder.insert_events([])
    assert recorder.insert_events(_events(uuid.uuid4(), 1), tracking=None)
    assert len(held.batches) == 1  # the empty insert never reached the group


def test_many_threads_recording_hours_through_one_ledger_all_land(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    people = [volunteer(ledger) for _ in range(4)]
    activities = [activity(ledger, tid, capacity=10) for _ in range(THREADS)]
    before = ledger.current_position()
    barrier = threading.Barrier(THREADS)

    def record(aid: uuid.UUID) -> list[int]:
        barrier.wait(timeout=30)
        return [
            ledger.record_hours(
                RecordHours(
                    activity_id=aid,
                    volunteer_id=vid,
                    interval=Interval(at(DAY, 9), at(DAY, 10)),
                    source=HoursSource.CHECKIN,
                ),
                actor=STAFF,
            ).position
            for vid in people
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        positions = [p for got in pool.map(record, activities) for p in got]

    assert len(set(positions)) == len(positions) == THREADS * len(people)
    assert ledger.current_position() >= before + len(positions)
    for aid in activities:
        assert len(ledger.repository.get(aid).attendance) == len(people)
    report = verify_chain(ledger.recorder, {})  # type: ignore[arg-type]
    assert report.ok, report


def test_two_threads_on_one_activity_both_land_or_one_is_told(container: Container) -> None:
    """Same aggregate, same cached version, one process: never a lost or doubled record."""
    ledger = container.ledger
    tid = team(ledger)
    people = [volunteer(ledger) for _ in range(THREADS)]
    aid = activity(ledger, tid, capacity=THREADS)
    barrier = threading.Barrier(THREADS)

    def record(vid: uuid.UUID) -> Any:
        barrier.wait(timeout=30)
        try:
            return ledger.record_hours(
                RecordHours(
                    activity_id=aid,
                    volunteer_id=vid,
                    interval=Interval(at(DAY, 9), at(DAY, 10)),
                    source=HoursSource.CHECKIN,
                ),
                actor=STAFF,
            )
        except Exception as e:
            return e

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(record, people))

    recorded = [o for o in outcomes if not isinstance(o, Exception)]
    assert all(isinstance(o, ConcurrencyConflict) for o in outcomes if isinstance(o, Exception))
    state = ledger.repository.get(aid)
    assert len(state.attendance) == len(recorded) >= 1
    assert len({r.version for r in recorded}) == len(recorded)
    report = verify_chain(ledger.recorder, {})  # type: ignore[arg-type]
    assert report.ok, report
