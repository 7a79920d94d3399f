"""Station and team rankings for a period, and teams' key support (重点支持) for a year."""

from __future__ import annotations

from decimal import Decimal

from application.readmodel.queries.ranking_metrics import Facts, period_metrics
from application.readmodel.queries.reads import Reads, grouped
from application.readmodel.store import Row
from application.readmodel.tables import (
    ACTIVITY,
    RANK_ACTIVITY,
    RANK_AWARD,
    RANK_UNIT,
    TEAM,
)
from application.readmodel.values import num
from domain.errors import rule_violation
from domain.ranking import Period, RankedUnit, UnitMetrics, score_units
from domain.rulebook import Rulebook, RulebookVersion

RANKED_STATION_LEVELS = ("township", "village")
# The activity column naming the unit an activity counts for.
UNIT_COLUMN = {"station": "station", "team": "team_id"}


class RankingReads(Reads):
    def unit_metrics(self, unit: str, period: Period) -> list[UnitMetrics]:
        """Every unit's metrics for one period, exactly as the rulebook defines them."""
        return self._unit_metrics(unit, [period])[0][0]

    def unit_metrics_of(self, unit: str, periods: list[Period]) -> list[list[UnitMetrics]]:
        """:meth:`unit_metrics` of several periods (a year's months for a chart), read once."""
        return [metrics for metrics, _ in self._unit_metrics(unit, periods)]

    def latest_activity_date(self) -> str | None:
        """The start date of the latest activity in the directory (for choosing a period)."""
        rows = self.store.select(ACTIVITY, order_by=("start_date",), descending=True, limit=1)
        return str(rows[0]["start_date"]) if rows else None

    def _unit_metrics(
        self, unit: str, periods: list[Period]
    ) -> list[tuple[list[UnitMetrics], set[str]]]:
        """:meth:`unit_metrics` of several periods, from one read of the facts they span
        (a ranking needs its period and the one before: three queries, not six), each with
        the units that held an (uncancelled) activity in it."""
        bounds = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
        firsts, ends = zip(*bounds, strict=True)
        facts = self._facts(unit, min(firsts), max(ends))
        return [period_metrics(facts, first, end) for first, end in bounds]

    def _facts(self, unit: str, low: str, high: str) -> Facts:
        """The ``unit``'s facts for the activities starting from ``low`` up to ``high``."""
        activities = self._held_between(low, high)
        column = UNIT_COLUMN[unit]
        unit_of = {a["activity_id"]: a[column] for a in activities}
        awards = self._within(RANK_AWARD, "activity_id", sorted(unit_of), reversed=0)
        return Facts(
            units=self.store.select(RANK_UNIT, {"unit_kind": unit}),
            activities=activities,
            unit_of=unit_of,
            awards=grouped(awards, "activity_id"),
        )

    def _held_between(self, low: str, high: str) -> list[Row]:
        """The uncancelled activities starting from ``low`` up to (not including) ``high``."""
        return [
            a
            for a in self.store.select(RANK_ACTIVITY, between=("start_date", low, high))
            if a["status"] != "cancelled"
        ]

    def _ranked(
        self, unit: str, period: Period, units: set[str] | None = None, *, idle: bool = True
    ) -> list[RankedUnit]:
        """``units`` (all, when None) ranked for ``period``; ``idle=False`` leaves out
        those that held no activity in it (and in the period before, for the change)."""
        weights = _rules(self.rulebook, period).ranking

        def pick(metrics: list[UnitMetrics], present: set[str]) -> list[UnitMetrics]:
            return [
                m
                for m in metrics
                if (units is None or m.unit_id in units) and (idle or m.unit_id in present)
            ]

        (before_metrics, before_present), (metrics, present) = self._unit_metrics(
            unit, [period.previous(), period]
        )
        previous = score_units(pick(before_metrics, before_present), weights)
        before = {r.metrics.unit_id: r.rank for r in previous if _took_part(r.metrics)}
        return score_units(pick(metrics, present), weights, before)

    def rankings(self, unit: str, period_label: str, level: str | None = None) -> list[Row]:
        """The supervision ranking of stations or teams for a year, quarter or month.

        Stations rank only with stations of one ``level`` (township, the default, or
        village; the banner's service centre is never ranked). A station that held no
        activity in the period is listed after the ranked ones, with zero figures and
        ``rank: null``: it is not ranked by its name."""
        if unit not in UNIT_COLUMN:
            raise ValueError(f"unit {unit!r} must be station or team")
        period = Period.parse(period_label)
        if unit == "team":
            return [_ranking_row(r) for r in self._ranked(unit, period)]
        return self._station_rankings(period, _ranked_level(level))

    def _station_rankings(self, period: Period, level: str) -> list[Row]:
        """Stations of ``level`` ranked for ``period``, then those idle in it, by name."""
        ids = self._stations_at(level)
        ranked = self._ranked("station", period, ids, idle=False)
        idle = self._idle(period, ids - {r.metrics.unit_id for r in ranked})
        return [_ranking_row(r) for r in ranked] + [_idle_row(m) for m in idle]

    def _stations_at(self, level: str) -> set[str]:
        """The stations of ``level`` (one naming none is a township's)."""
        return {
            u["unit_id"]
            for u in self.store.select(RANK_UNIT, {"unit_kind": "station"})
            if (u["level"] or "township") == level
        }

    def _idle(self, period: Period, ids: set[str]) -> list[UnitMetrics]:
        """The stations of ``ids`` that are not ranked for ``period``, by name."""
        return sorted(
            (m for m in self.unit_metrics("station", period) if m.unit_id in ids),
            key=lambda m: (m.name, m.unit_id),
        )

    def team_eligibility(self, year: int) -> list[Row]:
        """Key support (重点支持): activities, satisfaction and rank among all teams of the year.

        One score: ``score`` and ``rank`` are the year's team ranking (``/rankings``), the
        same computation over the same units, so a team alone in its level is not "top 3"
        by being alone.
        """
        period = Period.parse(str(year))
        rules = _rules(self.rulebook, period)
        levels = {t["team_id"]: t["level"] for t in self.store.select(TEAM)}
        result = [
            _eligibility_row(ranked, rules, levels.get(ranked.metrics.unit_id), year)
            for ranked in self._ranked("team", period)
        ]
        return sorted(result, key=lambda r: (r["rank"], r["team_id"]))


def _ranked_level(level: str | None) -> str:
    """The station level a ranking is within: township (the default) or village."""
    level = level or "township"
    if level not in RANKED_STATION_LEVELS:
        raise rule_violation(
            "ranking-level",
            f"level {level!r}: stations rank within township or village level; "
            "the banner service centre is never ranked",
        )
    return level


def _rules(rulebook: Rulebook, period: Period) -> RulebookVersion:
    """The version in force when the period starts (the earliest, for periods before it)."""
    first = min(rulebook.versions, key=lambda v: v.effective_from)
    return rulebook.in_force_on(period.start) if period.start >= first.effective_from else first


def _took_part(m: UnitMetrics) -> bool:
    """A unit with nothing at all in the previous period had no rank to change from."""
    return any((m.activities, m.volunteer_hours, m.mean_satisfaction, m.media_points))


def _mean(value: Decimal) -> str:
    """A mean to two places ("0" for none: ``num`` writes every zero so)."""
    return num(value.quantize(Decimal("0.01")))


def _key_support_eligible(ranked: RankedUnit, rules: RulebookVersion) -> bool:
    rule, m = rules.key_support, ranked.metrics
    return (
        m.activities >= rule.min_activities
        and m.mean_satisfaction >= rule.min_mean_satisfaction
        and ranked.rank <= rule.top_n
    )


def _eligibility_row(
    ranked: RankedUnit, rules: RulebookVersion, level: str | None, year: int
) -> Row:
    m, rule = ranked.metrics, rules.key_support
    eligible = _key_support_eligible(ranked, rules)
    return {
        "team_id": m.unit_id,
        "name": m.name,
        "level": level,
        "year": year,
        "key_support_eligible": eligible,
        # Team commendation candidacy: the rulebook's basis (key support).
        "commendation_candidate": rules.commendation.team_qualifies(eligible),
        "activities": m.activities,
        "mean_satisfaction": _mean(m.mean_satisfaction),
        "score": num(ranked.score),
        "rank": ranked.rank,
        "rules": {
            "min_activities": rule.min_activities,
            "min_mean_satisfaction": num(rule.min_mean_satisfaction),
            "top_n": rule.top_n,
            "commendation_basis": rules.commendation.team_basis.value,
            "rulebook_version": rules.version,
        },
    }


def _ranking_row(r: RankedUnit) -> Row:
    m = r.metrics
    return {
        "unit_id": m.unit_id,
        "name": m.name,
        "activities": m.activities,
        "volunteer_hours": num(m.volunteer_hours),
        "distinct_volunteers": m.distinct_volunteers,
        "mean_satisfaction": _mean(m.mean_satisfaction),
        "media_points": num(m.media_points),
        "score": num(r.score),
        "rank": r.rank,
        "rank_change": r.rank_change,
    }


def _idle_row(m: UnitMetrics) -> Row:
    """A unit that held no activity in the period: listed, unranked."""
    return {
        "unit_id": m.unit_id,
        "name": m.name,
        "activities": 0,
        "volunteer_hours": "0",
        "distinct_volunteers": 0,
        "mean_satisfaction": "0",
        "media_points": "0",
        "score": "0",
        "rank": None,
        "rank_change": None,
    }
