"""The supervision ranking formula (督查考核): pure, exactly as the rulebook states it.

Each metric is scaled by the period's maximum over all units; the score is the
weighted sum times 100, rounded to hundredths; rank by score, ties broken by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import invalid_value
from domain.rulebook import RankingWeights

HUNDREDTH = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class UnitMetrics:
    unit_id: str
    name: str
    activities: int
    volunteer_hours: Decimal
    distinct_volunteers: int
    mean_satisfaction: Decimal
    media_points: Decimal


@dataclass(frozen=True)
class RankedUnit:
    metrics: UnitMetrics
    score: Decimal
    rank: int
    rank_change: int | None


def _scaled(value: Decimal, maximum: Decimal) -> Decimal:
    return value / maximum if maximum > 0 else ZERO


def score_units(
    units: list[UnitMetrics],
    weights: RankingWeights,
    previous_ranks: dict[str, int] | None = None,
) -> list[RankedUnit]:
    """Score and rank every unit of one period. ``previous_ranks`` maps unit id → last period's rank."""
    if not units:
        return []
    top = _best(units)
    scored = sorted(
        ((u, _score(u, weights, top)) for u in units),
        key=lambda pair: (-pair[1], pair[0].name, pair[0].unit_id),
    )
    previous = previous_ranks or {}
    return [
        RankedUnit(u, score, position, _change(previous.get(u.unit_id), position))
        for position, (u, score) in enumerate(scored, start=1)
    ]


def _best(units: list[UnitMetrics]) -> dict[str, Decimal]:
    """The period's best figure of each kind, which the units' figures are scaled by."""
    return {
        "activities": max(Decimal(u.activities) for u in units),
        "volunteer_hours": max(u.volunteer_hours for u in units),
        "distinct_volunteers": max(Decimal(u.distinct_volunteers) for u in units),
        "mean_satisfaction": max(u.mean_satisfaction for u in units),
        "media_points": max(u.media_points for u in units),
    }


def _score(u: UnitMetrics, weights: RankingWeights, top: dict[str, Decimal]) -> Decimal:
    """The unit's weighted score out of 100: each figure scaled by the period's best."""
    total = (
        weights.activities * _scaled(Decimal(u.activities), top["activities"])
        + weights.volunteer_hours * _scaled(u.volunteer_hours, top["volunteer_hours"])
        + weights.distinct_volunteers
        * _scaled(Decimal(u.distinct_volunteers), top["distinct_volunteers"])
        + weights.mean_satisfaction * _scaled(u.mean_satisfaction, top["mean_satisfaction"])
        + weights.media_points * _scaled(u.media_points, top["media_points"])
    )
    return (total * 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _change(before: int | None, position: int) -> int | None:
    return None if before is None else before - position


@dataclass(frozen=True, order=True)
class Period:
    """A ranking period: a year (``2022``), a quarter (``2022-Q3``) or a month (``2022-07``)."""

    start: date
    end: date  # exclusive
    label: str

    @staticmethod
    def parse(text: str) -> Period:
        try:
            if len(text) == 4:
                year = int(text)
                return Period(date(year, 1, 1), date(year + 1, 1, 1), text)
            if len(text) == 7 and text[4:6] == "-Q" and text[6] in "1234":
                year, quarter = int(text[:4]), int(text[6])
                start = date(year, 3 * quarter - 2, 1)
                return Period(start, _add_months(start, 3), text)
            if len(text) == 7 and text[4] == "-":
                start = date(int(text[:4]), int(text[5:]), 1)
                return Period(start, _add_months(start, 1), text)
        except ValueError:
            pass
        raise invalid_value(
            "period", "period-format", f"period {text!r} must look like 2022, 2022-Q3 or 2022-07"
        )

    @property
    def kind(self) -> str:
        return "year" if len(self.label) == 4 else "quarter" if "Q" in self.label else "month"

    def previous(self) -> Period:
        if self.kind == "year":
            return Period.parse(str(self.start.year - 1))
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return Period.parse(
                f"{self.start.year - 1}-Q4" if q == 1 else f"{self.start.year}-Q{q - 1}"
            )
        start = _add_months(self.start, -1)
        return Period.parse(f"{start.year}-{start.month:02d}")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
