"""What the demo generator remembers while it plays a year, and what it reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import accumulate
from uuid import UUID

from application.results import AwardResult
from domain.values import (
    HoursSource,
    Interval,
)

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stages: volunteers, year, year-end."""


@dataclass(frozen=True)
class DemoSummary:
    """What one demo year recorded. ``awards``/``points_awarded`` count verifications only;
    ``reversals`` include those made by corrections after verification."""

    events: int
    volunteers: int
    teams: int
    activities: int
    verified: int
    awards: int
    points_awarded: Decimal
    reversals: int
    uninsured_flags: int
    rejected_uninsured: int
    elapsed_seconds: float
    cancelled: int = 0
    corrections: int = 0
    redemptions: int = 0
    trainings: int = 0
    star_certifications: int = 0
    commendations: int = 0
    last_position: int = 0
    needs: int = 0
    needs_met: int = 0
    projects: int = 0


@dataclass(slots=True, eq=False)
class Person:
    """What the generator remembers of a volunteer (identity-hashed)."""

    id: UUID
    township: int
    weight: float
    cover: list[tuple[date, date]]
    busy: list[Interval] = field(default_factory=list)
    hours: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)
    touched: bool = False  # corrected or reversed: tracked figures no longer exact
    awards: int = 0  # award entries in the ledger (re-awards included), and reversed ones
    reversed: int = 0
    standing: Decimal = Decimal(0)  # points of the awards not reversed

    def insured_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.cover)

    def free(self, interval: Interval) -> bool:
        return not any(interval.overlaps(b) for b in self.busy)

    def book(self, interval: Interval) -> None:
        """Remember hours served, so the person is not double-booked."""
        self.busy.append(interval)

    def forget_before(self, horizon: datetime) -> None:
        """Drop intervals that ended before ``horizon``: memory stays modest all year."""
        self.busy = [b for b in self.busy if b.end > horizon]


@dataclass(frozen=True, slots=True)
class Plan:
    day: date
    code: str
    team: int  # 0 is the banner team, t + 1 the team of township t
    township: int
    cancel: bool


@dataclass(slots=True)
class Seat:
    person: Person
    interval: Interval
    source: HoursSource
    signed_up: bool


@dataclass(slots=True)
class Candidate:
    activity_id: UUID
    person: Person
    interval: Interval
    award: AwardResult


@dataclass
class Counts:
    verified: int = 0
    awards: int = 0
    points: Decimal = Decimal(0)
    reversals: int = 0
    flags: int = 0
    refused: int = 0
    cancelled: int = 0
    corrections: int = 0
    redemptions: int = 0
    trainings: int = 0
    certifications: int = 0
    commendations: int = 0


def insured(seat: Seat) -> bool:
    return seat.person.insured_on(seat.interval.start.date())


def pool(people: Iterable[Person]) -> tuple[list[Person], list[float]]:
    members = list(dict.fromkeys(people))
    return members, list(accumulate(p.weight for p in members))
