"""Shared fixtures for the domain unit tests.

Fixtures that Hypothesis tests use are session-scoped (stateless factories), so that
Hypothesis does not complain about function-scoped fixtures being reused across examples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.activity import ServiceActivity
from domain.errors import DomainError
from domain.rulebook import Rulebook, RulebookVersion
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    InsuranceKind,
    InsurancePolicy,
    Interval,
    PersonType,
    Role,
    national_id_check_char,
)
from domain.volunteer import Volunteer
from infrastructure.rulebook_loader import load_rulebook

CST = timezone(timedelta(hours=8))
RULEBOOK_HASH = "test-rulebook-hash"


def event_names(events: Any) -> list[str]:
    return [type(e).__name__ for e in events]


@pytest.fixture(scope="session")
def names() -> Callable[[Any], list[str]]:
    """The type names of a list of events, e.g. ``["PointsAwarded"]``."""
    return event_names


@pytest.fixture(scope="session")
def actor() -> Actor:
    """The station staff member who records things."""
    return Actor("staff-1", Role.STATION_STAFF, "req-1")


@pytest.fixture(scope="session")
def checker() -> Actor:
    """A second person (four-eyes verifier)."""
    return Actor("auditor-1", Role.AUDITOR, "req-2")


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook()


@pytest.fixture(scope="session")
def rules(rulebook: Rulebook) -> RulebookVersion:
    return rulebook.latest


@pytest.fixture(scope="session")
def tolerance(rules: RulebookVersion) -> timedelta:
    return timedelta(minutes=rules.window_tolerance_minutes)


@pytest.fixture(scope="session")
def at() -> Callable[..., datetime]:
    """A wall-clock time at UTC+08:00: ``at(2022, 5, 1, 9, 30)``."""

    def make(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=CST)

    return make


@pytest.fixture(scope="session")
def national_id() -> Callable[[int], str]:
    """A valid 18-character national id number; ``seq`` (1–999) varies the 17 digits."""

    def make(seq: int = 1) -> str:
        first17 = f"15010219800101{seq:03d}"
        return first17 + national_id_check_char(first17)

    return make


@pytest.fixture(scope="session")
def policy() -> Callable[..., InsurancePolicy]:
    def make(
        number: str = "P-2022",
        covers_from: date = date(2022, 1, 1),
        covers_to: date = date(2022, 12, 31),
    ) -> InsurancePolicy:
        return InsurancePolicy(
            policy_number=number,
            insurer="PICC",
            kind=InsuranceKind.GROUP,
            covers_from=covers_from,
            covers_to=covers_to,
            sum_insured=Decimal("100000"),
        )

    return make


@pytest.fixture(scope="session")
def make_volunteer(
    actor: Actor, national_id: Callable[[int], str], policy: Callable[..., InsurancePolicy]
) -> Callable[..., Volunteer]:
    """A registered volunteer, insured for 2022 unless ``insured=False``; events collected."""

    def make(*, insured: bool = True, seq: int = 1) -> Volunteer:
        volunteer = Volunteer.register(
            name="Wang Jun",
            national_id=national_id(seq),
            phone="13800000000",
            person_type=PersonType.VETERAN,
            township="Hulunbuir",
            skills=["first aid"],
            actor=actor,
        )
        if insured:
            volunteer.record_insurance(policy(), actor)
        volunteer.collect_events()
        return volunteer

    return make


@pytest.fixture
def volunteer(make_volunteer: Callable[..., Volunteer]) -> Volunteer:
    return make_volunteer()


@pytest.fixture(scope="session")
def award(actor: Actor, rules: RulebookVersion) -> Callable[..., UUID]:
    """Award points to ``volunteer`` for service from ``start`` to ``end``."""

    def give(
        volunteer: Volunteer,
        start: datetime,
        end: datetime,
        *,
        category: str = "health_education",
        source: HoursSource = HoursSource.CHECKIN,
        activity_id: UUID | None = None,
        attendance_version: int = 1,
    ) -> UUID:
        return volunteer.award_points(
            activity_id=activity_id or uuid4(),
            category=Category(category),
            interval=Interval(start, end),
            source=source,
            attendance_version=attendance_version,
            rules=rules,
            rulebook_hash=RULEBOOK_HASH,
            actor=actor,
        )

    return give


@pytest.fixture(scope="session")
def make_activity(actor: Actor, at: Callable[..., datetime]) -> Callable[..., ServiceActivity]:
    """A planned activity on 2022-06-01 09:00–12:00 (+08:00); events collected."""

    def make(*, capacity: int = 2, category: str = "health_education") -> ServiceActivity:
        activity = ServiceActivity.plan(
            title="Health talk",
            category=Category(category),
            team_id=UUID(int=1),
            township="Hulunbuir",
            station="Station 1",
            location="Community hall",
            window=Interval(at(2022, 6, 1, 9), at(2022, 6, 1, 12)),
            beneficiary_types=[BeneficiaryType.VETERAN],
            capacity=capacity,
            actor=actor,
        )
        activity.collect_events()
        return activity

    return make


@pytest.fixture
def activity(make_activity: Callable[..., ServiceActivity]) -> ServiceActivity:
    return make_activity()


@pytest.fixture
def hours(activity: ServiceActivity, actor: Actor, at, tolerance) -> Callable[..., int]:
    """``hours(volunteer, (9, 0), (12, 0))`` records hours on the activity on 1 June 2022."""

    def record(
        volunteer: UUID,
        start: tuple[int, int] = (9, 0),
        end: tuple[int, int] = (12, 0),
        *,
        by: Actor = actor,
        source: HoursSource = HoursSource.CHECKIN,
    ) -> int:
        return activity.record_hours(
            volunteer_id=volunteer,
            interval=Interval(at(2022, 6, 1, *start), at(2022, 6, 1, *end)),
            source=source,
            tolerance=tolerance,
            actor=by,
        )

    return record


@pytest.fixture(scope="session")
def corrector() -> Actor:
    """Someone who corrects hours without having recorded them."""
    return Actor("staff-2", Role.STATION_STAFF, "req-3")


@pytest.fixture
def correct(activity: ServiceActivity, corrector: Actor, at, tolerance) -> Callable[..., int]:
    """``correct(volunteer)`` corrects the hours to 09:30–12:00 on 1 June 2022."""

    def amend(
        volunteer: UUID,
        start: tuple[int, int] = (9, 30),
        end: tuple[int, int] = (12, 0),
        *,
        reason: str = "arrived late",
        by: Actor = corrector,
    ) -> int:
        return activity.correct_attendance(
            volunteer_id=volunteer,
            interval=Interval(at(2022, 6, 1, *start), at(2022, 6, 1, *end)),
            reason=reason,
            tolerance=tolerance,
            actor=by,
        )

    return amend


@pytest.fixture(scope="session")
def rejects() -> Callable[..., Any]:
    """``with rejects(aggregate, "rule-name"): command()``.

    Collects the aggregate's pending events first (the "given"), expects a
    :class:`DomainError` naming ``rule``, and checks nothing new was recorded.
    """

    @contextmanager
    def check(aggregate: Any, rule: str) -> Iterator[Any]:
        aggregate.collect_events()
        with pytest.raises(DomainError) as err:
            yield err
        assert err.value.rule == rule, f"expected {rule}, got {err.value.rule}: {err.value}"
        assert str(err.value)
        assert aggregate.collect_events() == []

    return check
