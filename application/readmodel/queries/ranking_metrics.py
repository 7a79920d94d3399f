"""A ranking's units' metrics for a period (``UnitMetrics``), from facts read once for
all the periods a ranking spans (its own and the one before, or a year's months)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from application.readmodel.store import Row
from application.readmodel.values import dec
from domain.ranking import UnitMetrics


@dataclass(frozen=True)
class Facts:
    """What a ranking counts, read once for all the periods it spans: the units, their
    uncancelled activities, each activity's unit and its unreversed awards."""

    units: list[Row]
    activities: list[Row]
    unit_of: dict[str, str]
    awards: dict[str, list[Row]]


@dataclass(frozen=True)
class _Tally:
    """One period's sums per unit."""

    held: dict[str, int]
    feedback: dict[str, list[int]]
    media: dict[str, Decimal]
    hours: dict[str, Decimal]
    people: dict[str, set[str]]


def period_metrics(facts: Facts, first: str, end: str) -> tuple[list[UnitMetrics], set[str]]:
    """Each unit's metrics over the activities starting from ``first`` up to ``end``, and
    the units that held any of them."""
    held = [a for a in facts.activities if first <= a["start_date"] < end]
    present = {facts.unit_of[a["activity_id"]] for a in held}
    return _metrics(facts, held), present


def _metrics(facts: Facts, held: list[Row]) -> list[UnitMetrics]:
    """Each unit's metrics over ``held`` (one period's uncancelled activities) and their
    unreversed awards."""
    tally = _tally(facts, held)
    return [_figures(u["unit_id"], u["name"], tally) for u in facts.units]


def _tally(facts: Facts, held_activities: list[Row]) -> _Tally:
    """The sums of ``held_activities`` and their awards per unit."""
    held: dict[str, int] = defaultdict(int)
    feedback: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    media: dict[str, Decimal] = defaultdict(Decimal)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    people: dict[str, set[str]] = defaultdict(set)
    for a in held_activities:
        key = facts.unit_of[a["activity_id"]]
        held[key] += a["status"] == "verified"
        feedback[key][0] += int(a["satisfaction_sum"])
        feedback[key][1] += int(a["feedback_n"])
        media[key] += dec(a["media_points"])
        for w in facts.awards.get(a["activity_id"], ()):
            hours[key] += dec(w["hours"])
            people[key].add(w["volunteer_id"])
    return _Tally(held, feedback, media, hours, people)


def _figures(key: str, name: str, tally: _Tally) -> UnitMetrics:
    """One unit's metrics from the period's sums (zeros for a unit that held nothing)."""
    total, count = tally.feedback.get(key, [0, 0])
    return UnitMetrics(
        unit_id=key,
        name=name,
        activities=tally.held[key],
        volunteer_hours=tally.hours[key],
        distinct_volunteers=len(tally.people[key]),
        mean_satisfaction=Decimal(total) / count if count else Decimal(0),
        media_points=tally.media[key],
    )
