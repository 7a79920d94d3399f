"""Two writers on the same aggregate at once, on PostgreSQL: one wins, the other is told.

Each writer is its own application instance (its own connection pool), as two
service processes would be. A barrier holds both between "decide" and "save", so
both decided from the same version and the race is real every time.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from application.commands.activities import CompleteActivity, RecordHours, SignUp, VerifyActivity
from application.errors import ConcurrencyConflict
from application.ledger import VolunteerLedger
from domain.values import HoursSource, Interval
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings
from tests.integration import racing_registration
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, team, volunteer

pytestmark = pytest.mark.postgres


class RacingLedger(VolunteerLedger):
    """Waits for its rival at the barrier before saving what it decided."""

    name = VolunteerLedger.name  # same event table as the service
    barrier: threading.Barrier

    def record(self, *aggregates: Aggregate) -> int:
        self.barrier.wait(timeout=20)
        return super().record(*aggregates)


def _ledger(
    settings: Settings, cls: type[VolunteerLedger] = VolunteerLedger, *, cache: bool = True
) -> VolunteerLedger:
    """A writer (with the service's cache), or an observer that always reads the store."""
    if not cache:
        settings = settings.model_copy(update={"aggregate_cache_size": 0})
    return cls(
        rulebook=load_rulebook(),
        env=event_store_env(settings),
        transcodings=ledger_transcodings(),
    )


@pytest.fixture
def racers(pg_store: Settings) -> Iterator[tuple[VolunteerLedger, RacingLedger, RacingLedger]]:
    setup = _ledger(pg_store, cache=False)
    barrier = threading.Barrier(2)
    first, second = _ledger(pg_store, RacingLedger), _ledger(pg_store, RacingLedger)
    for racer in (first, second):
        assert isinstance(racer, RacingLedger)
        racer.barrier = barrier
    try:
        yield setup, first, second  # type: ignore[misc]
    finally:
        for app in (setup, first, second):
            app.close()


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        outcomes: list[Any] = []
        for future in futures:
            try:
                outcomes.append(future.result(timeout=60))
            except Exception as e:
                outcomes.append(e)
    return outcomes


def test_two_verifiers_at_once_exactly_one_wins(racers: tuple[Any, Any, Any]) -> None:
    setup, first, second = racers
    tid = team(setup)
    people = [volunteer(setup) for _ in range(3)]
    aid = activity(setup, tid)
    for n, vid in enumerate(people):
        setup.record_hours(
            RecordHours(
                activity_id=aid,
                volunteer_id=vid,
                interval=Interval(at(DAY, 9 + n), at(DAY, 10 + n)),
                source=HoursSource.CHECKIN,
            ),
            actor=STAFF,
        )
    setup.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    before = setup.current_position()

    outcomes = _race(
        [
            lambda: first.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU),
            lambda: second.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU),
        ]
    )

    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], ConcurrencyConflict)
    # Nothing half-written: one verification event and one award per participant.
    assert setup.current_position() == before + 1 + len(people)
    for vid in people:
        assert len(setup.repository.get(vid).awards) == 1
    assert setup.repository.get(aid).status.value == "verified"


def test_two_recorders_on_one_activity_one_is_told_to_retry(racers: tuple[Any, Any, Any]) -> None:
    setup, first, second = racers
    tid = team(setup)
    a, b = volunteer(setup), volunteer(setup)
    aid = activity(setup, tid)
    setup.sign_up(SignUp(activity_id=aid, volunteer_id=a), actor=STAFF)
    setup.sign_up(SignUp(activity_id=aid, volunteer_id=b), actor=STAFF)
    before = setup.current_position()

    def record(ledger: VolunteerLedger, vid: Any) -> Callable[[], Any]:
        return lambda: ledger.record_hours(
            RecordHours(
                activity_id=aid,
                volunteer_id=vid,
                interval=Interval(at(DAY, 9), at(DAY, 10)),
                source=HoursSource.CHECKIN,
            ),
            actor=STAFF,
        )

    outcomes = _race([record(first, a), record(second, b)])

    assert sum(isinstance(o, ConcurrencyConflict) for o in outcomes) == 1, outcomes
    assert setup.current_position() == before + 1
    assert len(setup.repository.get(aid).attendance) == 1


def test_many_writers_without_a_barrier_never_lose_or_duplicate(pg_store: Settings) -> None:
    setup = _ledger(pg_store, cache=False)
    writers = [_ledger(pg_store) for _ in range(4)]
    try:
        tid = team(setup)
        people = [volunteer(setup) for _ in range(12)]
        aid = activity(setup, tid, capacity=12)

        def record(n: int) -> Any:
            return writers[n % 4].record_hours(
                RecordHours(
                    activity_id=aid,
                    volunteer_id=people[n],
                    interval=Interval(at(DAY, 9), at(DAY, 10)),
                    source=HoursSource.CHECKIN,
                ),
                actor=STAFF,
            )

        outcomes = _race([lambda n=n: record(n) for n in range(12)])
        recorded = [o for o in outcomes if not isinstance(o, Exception)]
        assert all(isinstance(o, ConcurrencyConflict) for o in outcomes if isinstance(o, Exception))
        state = setup.repository.get(aid)
        assert len(state.attendance) == len(recorded) >= 1
        assert len(state.signups) == len(recorded)
    finally:
        for app in (setup, *writers):
            app.close()


def test_two_processes_registering_one_person_at_once_exactly_one_wins(
    pg_store: Settings,
) -> None:
    national_id = "15010219800101009X"
    observer = _ledger(pg_store, cache=False)  # creates the tables before the racers start
    spawn = multiprocessing.get_context("spawn")
    settings = pg_store.model_dump_json()
    try:
        with spawn.Manager() as manager, spawn.Pool(2) as pool:
            barrier = manager.Barrier(2)
            pending = [
                pool.apply_async(racing_registration.register, (settings, spelling, name, barrier))
                for spelling, name in (
                    (national_id, "王建国"),
                    (national_id.lower(), "王建国（重复）"),
                )
            ]
            outcomes = [p.get(timeout=240) for p in pending]

        winners = [o for o in outcomes if "id" in o]
        losers = [o for o in outcomes if "rule" in o]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert losers[0] == {
            "rule": "duplicate-national-id",
            "existing_volunteer_id": winners[0]["id"],
            "existing_volunteer_status": "registered",
        }
        registered = [
            n.topic for n in observer.notification_log.select(1, 10) if "Registered" in n.topic
        ]
        assert len(registered) == 1
    finally:
        observer.close()
