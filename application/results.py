"""What use cases return: ids, the aggregate version after the write and the log position."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.values import HoursSource, Interval


@dataclass(frozen=True)
class Recorded:
    id: UUID
    version: int
    position: int
    created: dict[str, UUID] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedbackResult(Recorded):
    """A recorded rating: whether it counts (given within the feedback window) and its date."""

    counted: bool = True
    given_on: date | None = None


@dataclass(frozen=True)
class AwardResult:
    entry_id: UUID
    volunteer_id: UUID
    hours: Decimal
    points: Decimal
    rulebook_version: str


@dataclass(frozen=True)
class Verification:
    id: UUID
    version: int
    position: int
    awards: list[AwardResult]
    # An approved correction: the award it made (``entry_id``) and the reversal of the one
    # it replaced (``reversal_id``).
    created: dict[str, UUID] = field(default_factory=dict)


@dataclass(frozen=True)
class HoursRow:
    """One line of a sign-in sheet (line numbers count from 1 at the first data row)."""

    volunteer_id: UUID
    interval: Interval
    source: HoursSource
