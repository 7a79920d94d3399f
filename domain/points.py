"""The points formula: pure functions of the rulebook version and the service interval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.rulebook import RulebookVersion
from domain.values import Category, HoursSource, Interval

ZERO = Decimal(0)


@dataclass(frozen=True)
class AwardFigures:
    """Every input and intermediate figure of one award, so anyone can recompute it."""

    minutes: Decimal
    rounded_hours: Decimal
    already_credited_that_day: Decimal
    daily_cap_hours: Decimal
    credited_hours: Decimal
    multiplier: Decimal
    points_per_hour: Decimal
    earns_points: bool
    points: Decimal
    rulebook_version: str


def round_hours(minutes: Decimal, rules: RulebookVersion) -> Decimal:
    """Whole hours count in full; the leftover fraction is rounded by the rulebook's steps.

    With the default steps: ≤ 15 min → 0, ≤ 45 min → 0.5, else 1.
    """
    if minutes <= 0:
        return ZERO
    whole, leftover = divmod(minutes, 60)
    for step in sorted(rules.rounding, key=lambda s: s.up_to_minutes):
        if leftover <= step.up_to_minutes:
            return Decimal(whole) + step.hours
    return Decimal(whole) + 1


def compute_award(
    rules: RulebookVersion,
    category: Category,
    interval: Interval,
    source: HoursSource,
    already_credited_that_day: Decimal,
) -> AwardFigures:
    """What one participation earns under ``rules``.

    Credited hours are the rounded hours, capped so that the volunteer's credited
    hours on the service date never exceed the daily cap. Backfilled hours count as
    hours but earn no points (unless the rulebook says otherwise).
    """
    rounded = round_hours(interval.minutes, rules)
    room = max(ZERO, rules.daily_cap_hours - max(ZERO, already_credited_that_day))
    credited = min(rounded, room)
    multiplier = rules.category(category).multiplier
    earns = source is not HoursSource.BACKFILL or rules.backfill_earns_points
    points = credited * multiplier * rules.points_per_hour if earns else ZERO
    return AwardFigures(
        minutes=interval.minutes,
        rounded_hours=rounded,
        already_credited_that_day=already_credited_that_day,
        daily_cap_hours=rules.daily_cap_hours,
        credited_hours=credited,
        multiplier=multiplier,
        points_per_hour=rules.points_per_hour,
        earns_points=earns,
        points=points,
        rulebook_version=rules.version,
    )


def training_points(hours: Decimal, rules: RulebookVersion) -> Decimal:
    """Training earns a fixed number of points per training hour."""
    return max(ZERO, hours) * rules.training_points_per_hour
