"""Ledger entries held by a volunteer: awards and what reversed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.values import Category, HoursSource, Interval

_AWARD_NAMESPACE = uuid5(NAMESPACE_URL, "urn:volunteer-ledger:award")
_ENTRY_NAMESPACE = uuid5(NAMESPACE_URL, "urn:volunteer-ledger:entry")


def award_entry_id(activity_id: UUID, volunteer_id: UUID, attendance_version: int) -> UUID:
    """Deterministic: a retried verification names the same award and cannot award twice."""
    return uuid5(_AWARD_NAMESPACE, f"{activity_id}/{volunteer_id}/{attendance_version}")


def derived_entry_id(kind: str, *parts: object) -> UUID:
    """Deterministic id for other ledger entries (reversals, trainings, redemptions)."""
    return uuid5(_ENTRY_NAMESPACE, "/".join([kind, *map(str, parts)]))


@dataclass(frozen=True)
class AwardRef:
    """Which award an activity's verification gave to which volunteer."""

    volunteer_id: UUID
    entry_id: UUID


@dataclass(frozen=True)
class StandingAward:
    """An award as the volunteer holds it: reversed awards no longer credit their interval."""

    entry_id: UUID
    activity_id: UUID
    interval: Interval
    service_date: date
    hours: Decimal
    points: Decimal
    backfill: bool
    # What crediting it again needs (the day's awards are credited in the order served).
    category: Category
    source: HoursSource
    attendance_version: int
    reversed: bool = False
