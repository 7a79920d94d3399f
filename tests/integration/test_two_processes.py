"""Two service processes on one store: each caches aggregates, neither may act on stale state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.commands.activities import CompleteActivity, RecordSheet, SignUp, VerifyActivity
from application.commands.people import EnrolMember, RecordInsurance, SuspendVolunteer
from application.errors import BulkRejected
from domain.values import InsuranceKind
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.support.builders import BUREAU, STAFF, activity, at, hours, team, volunteer
from tests.support.clock import fixed_clock

DAY = date(2022, 5, 11)


@pytest.fixture
def truth(store: Settings) -> Iterator[Container]:
    """An observer without a cache: what the store really holds."""
    reader = bootstrap(store.model_copy(update={"aggregate_cache_size": 0}), clock=fixed_clock)
    try:
        yield reader
    finally:
        reader.close()


@pytest.fixture
def other(store: Settings) -> Iterator[Container]:
    second = bootstrap(store, clock=fixed_clock)
    try:
        yield second
    finally:
        second.close()


def test_a_refusal_from_a_stale_cache_is_retried_on_fresh_state(
    container: Container, other: Container, truth: Container
) -> None:
    first = container.ledger
    tid = team(first)
    vid = volunteer(first, insured=False)
    aid = activity(first, tid)
    first.sign_up(SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF)  # both now cached here
    # Another process insures the volunteer; this process's cached copy has no policy.
    other.ledger.record_insurance(
        RecordInsurance(
            volunteer_id=vid,
            policy_number="PICC-LATE",
            insurer="中国人保",
            kind=InsuranceKind.INDIVIDUAL,
            covers_from=date(2022, 1, 1),
            covers_to=date(2022, 12, 31),
            sum_insured=Decimal(100000),
        ),
        actor=STAFF,
    )
    hours(first, aid, vid, at(DAY, 9), at(DAY, 11))  # not refused as uninsured
    assert vid in truth.ledger.repository.get(aid).attendance


def test_a_bulk_sheet_refused_on_a_stale_cache_is_retried_on_fresh_state(
    container: Container, other: Container, truth: Container
) -> None:
    from application.results import HoursRow
    from domain.values import HoursSource, Interval

    first = container.ledger
    tid = team(first)
    vid = volunteer(first, insured=False)
    aid = activity(first, tid)
    first.sign_up(
        SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF
    )  # the volunteer is cached uninsured
    other.ledger.record_insurance(
        RecordInsurance(
            volunteer_id=vid,
            policy_number="PICC-BULK",
            insurer="中国人保",
            kind=InsuranceKind.GROUP,
            covers_from=date(2022, 1, 1),
            covers_to=date(2022, 12, 31),
            sum_insured=Decimal(100000),
        ),
        actor=STAFF,
    )
    sheet = [HoursRow(vid, Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN)]
    first.record_hours_bulk(RecordSheet(activity_id=aid, rows=sheet), actor=STAFF)
    assert vid in truth.ledger.repository.get(aid).attendance


def test_a_conflict_from_a_stale_cache_is_not_reported_as_a_conflict(
    container: Container, other: Container, truth: Container
) -> None:
    first = container.ledger
    tid = team(first)
    a, b = volunteer(first), volunteer(first)
    aid = activity(first, tid)
    first.sign_up(
        SignUp(activity_id=aid, volunteer_id=a), actor=STAFF
    )  # the activity is cached here
    other.ledger.sign_up(
        SignUp(activity_id=aid, volunteer_id=b), actor=STAFF
    )  # ...and moved on elsewhere
    hours(first, aid, a, at(DAY, 9), at(DAY, 10))  # conflicts on save, reruns, succeeds
    state = truth.ledger.repository.get(aid)
    assert state.signups == [a, b] and a in state.attendance
    assert first.repository.get(aid).version == state.version


def _cached_then_suspended_elsewhere(
    container: Container, other: Container
) -> tuple[Any, UUID, UUID, UUID]:
    """A volunteer this process has cached as active, then suspended by another process."""
    first = container.ledger
    tid = team(first)
    vid = volunteer(first)
    earlier, later = activity(first, tid), activity(first, tid, day=date(2022, 5, 12))
    hours(first, earlier, vid, at(DAY, 9), at(DAY, 10))  # the volunteer, cached here
    assert vid in first.repository.cache.cache
    other.ledger.suspend_volunteer(SuspendVolunteer(volunteer_id=vid, reason="核查中"), actor=STAFF)
    return first, tid, vid, later


@pytest.mark.parametrize("how", ["hours", "sheet", "sign-up", "team"])
def test_a_volunteer_suspended_by_another_process_is_refused_here(
    container: Container, other: Container, truth: Container, how: str
) -> None:
    """Checks made against a volunteer this process only looks at (nothing saved to it, so
    no conflict would catch a stale copy) see what the other process recorded."""
    from application.results import HoursRow
    from domain.errors import DomainError
    from domain.values import HoursSource, Interval, MemberRole

    first, tid, vid, later = _cached_then_suspended_elsewhere(container, other)
    day = date(2022, 5, 12)
    with pytest.raises((DomainError, BulkRejected)) as refused:
        if how == "hours":
            hours(first, later, vid, at(day, 9), at(day, 10))
        elif how == "sheet":
            sheet = [HoursRow(vid, Interval(at(day, 9), at(day, 10)), HoursSource.CHECKIN)]
            first.record_hours_bulk(RecordSheet(activity_id=later, rows=sheet), actor=STAFF)
        elif how == "sign-up":
            first.sign_up(SignUp(activity_id=later, volunteer_id=vid), actor=STAFF)
        else:
            first.enrol_member(
                EnrolMember(team_id=tid, volunteer_id=vid, role=MemberRole.MEMBER), actor=STAFF
            )
    assert "suspended" in str(refused.value) or "active" in str(refused.value)
    # ...and nothing of it was recorded.
    if how in ("hours", "sheet"):
        assert vid not in truth.ledger.repository.get(later).attendance
    elif how == "sign-up":
        assert not truth.ledger.repository.get(later).is_signed_up(vid)
    else:
        assert vid not in truth.ledger.repository.get(tid).members


def test_hours_overlapping_hours_recorded_by_another_process_are_refused_here(
    container: Container, other: Container, truth: Container
) -> None:
    """The overlap check reads the hours credited to the volunteer: those another process
    credited since this one cached the volunteer count."""
    from domain.errors import DomainError

    first = container.ledger
    tid = team(first)
    vid = volunteer(first)
    a, b, c = (activity(first, tid) for _ in range(3))
    hours(first, a, vid, at(DAY, 8), at(DAY, 9))  # the volunteer, cached here
    hours(other.ledger, b, vid, at(DAY, 10), at(DAY, 12))  # elsewhere, and credited there
    other.ledger.complete_activity(CompleteActivity(activity_id=b), actor=STAFF)
    other.ledger.verify_activity(VerifyActivity(activity_id=b), actor=BUREAU)
    with pytest.raises(DomainError):
        hours(first, c, vid, at(DAY, 11), at(DAY, 13))  # overlaps the hours on b
    assert vid not in truth.ledger.repository.get(c).attendance


@pytest.mark.postgres
def test_processes_starting_at_once_on_an_empty_database_all_start(pg_store: Settings) -> None:
    """Concurrent CREATE TABLE IF NOT EXISTS fails in PostgreSQL ("tuple concurrently
    updated"); schema changes are serialised, so every process comes up."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from infrastructure.users import UserStore

    gate = threading.Barrier(4)

    def start() -> int:
        gate.wait(timeout=10)
        started = bootstrap(pg_store, clock=fixed_clock)
        try:
            started.runner()  # creates every read-model table
            UserStore(started.store)
            return started.read_position()
        finally:
            started.close()

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: start(), range(4))) == [0, 0, 0, 0]


def test_a_sheet_of_volunteers_another_process_registered_is_read_in_one_query(
    container: Container, other: Container, truth: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    from uuid import uuid4

    from application.errors import BulkRejected
    from application.results import HoursRow
    from domain.values import HoursSource, Interval

    first = container.ledger
    tid = team(first)
    people = [volunteer(first) for _ in range(5)]
    uninsured = volunteer(first, insured=False)
    aid = activity(first, tid, capacity=10)
    second = other.ledger  # has cached none of them
    per_aggregate: list[object] = []
    select_events = second.recorder.select_events
    monkeypatch.setattr(
        second.recorder,
        "select_events",
        lambda originator_id, **kw: (
            per_aggregate.append(originator_id) or select_events(originator_id, **kw)
        ),
    )

    def row(vid: object, start: int = 9) -> HoursRow:
        return HoursRow(vid, Interval(at(DAY, start), at(DAY, start + 2)), HoursSource.CHECKIN)  # type: ignore[arg-type]

    bad = [row(people[0]), row(uuid4()), row(tid), row(uninsured), row(people[1], start=20)]
    with pytest.raises(BulkRejected) as rejected:
        second.record_hours_bulk(RecordSheet(activity_id=aid, rows=bad), actor=STAFF)
    assert [(e.line, e.field, e.message.split(" ")[0]) for e in rejected.value.errors] == [
        (2, "volunteer_id", "volunteer"),
        (3, "volunteer_id", "volunteer"),
        (4, "volunteer_id", "volunteer"),
        (5, "started_at", "hours"),
    ]
    assert f"volunteer {tid} not found" in rejected.value.errors[1].message
    assert "insurance" in rejected.value.errors[2].message
    per_aggregate.clear()
    recorded = second.record_hours_bulk(
        RecordSheet(activity_id=aid, rows=[row(v) for v in people]), actor=STAFF
    )
    assert set(per_aggregate) <= {aid}  # the volunteers came in one query, not one each
    state = truth.ledger.repository.get(aid)
    assert state.version == recorded.version and sorted(state.attendance) == sorted(people)
    assert all(v in second.repository.cache.cache for v in people)  # and are cached now
