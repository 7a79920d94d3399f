"""Queries over the read models. The same code answers from live tables or an in-memory replay."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from application.readmodel.queries.needs import NeedReads
from application.readmodel.queries.purchasing import expiring_within, uncovered_on
from application.readmodel.queries.search import VolunteerSearch, search_volunteers
from application.readmodel.store import Row, RowReader
from application.readmodel.tables import (
    ACCOUNT,
    ACTIVITY,
    AUDIT_EVENT,
    CORRECTION,
    ELIGIBILITY,
    ENTRY,
    FEEDBACK,
    INSURED_ACTIVITY,
    PARTICIPANT,
    PARTICIPATION,
    POLICY,
    RANK_ACTIVITY,
    RANK_AWARD,
    RANK_UNIT,
    STATION,
    TEAM,
    TEAM_MEMBER,
    VOLUNTEER,
)
from application.readmodel.values import dec, num
from domain.commendation import ServiceYear
from domain.errors import rule_violation
from domain.ranking import Period, RankedUnit, UnitMetrics, score_units
from domain.rulebook import Rulebook, RulebookVersion

CHUNK = 500
RANKED_STATION_LEVELS = ("township", "village")


class Page(dict[str, Any]):
    """``{"items": [...], "next_cursor": str | None}``."""


def _page(rows: list[Row], limit: int, cursor_of: str) -> Page:
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_cursor=str(items[-1][cursor_of]) if more and items else None)


class ReadModels(NeedReads):
    def __init__(self, store: RowReader, rulebook: Rulebook) -> None:
        self.store = store
        self.rulebook = rulebook

    def _within(self, table: Any, column: str, values: list[Any], **eq: Any) -> list[Row]:
        found: list[Row] = []
        chunk = CHUNK if getattr(self.store, "bounded_in", True) else max(1, len(values))
        for start in range(0, len(values), chunk):
            found += self.store.select(
                table, eq or None, within=(column, values[start : start + chunk])
            )
        return found

    def _named(self, row: Row) -> Row:
        """A row naming a category also gives its Chinese label (``category_zh``)."""
        if "category" in row:
            row["category_zh"] = self.rulebook.category_zh(row["category"])
        return row

    # ----------------------------------------------------------------- directory

    def stations(
        self,
        *,
        level: str | None = None,
        township: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        eq = {k: v for k, v in {"level": level, "township": township}.items() if v}
        after = ("station_id", cursor) if cursor else None
        rows = self.store.select(
            STATION, eq or None, after=after, order_by=("station_id",), limit=limit + 1
        )
        return _page([_station(r) for r in rows], limit, "station_id")

    def station(self, station_id: str) -> Row | None:
        row = self.store.get(STATION, (station_id,))
        return _station(row) if row else None

    def teams(self, *, limit: int = 50, cursor: str | None = None) -> Page:
        after = ("team_id", cursor) if cursor else None
        return _page(
            self.store.select(TEAM, after=after, order_by=("team_id",), limit=limit + 1),
            limit,
            "team_id",
        )

    def team(self, team_id: str) -> Row | None:
        row = self.store.get(TEAM, (team_id,))
        if row is None:
            return None
        members = self.store.select(TEAM_MEMBER, {"team_id": team_id}, order_by=("volunteer_id",))
        return {
            **row,
            "members": [{"volunteer_id": m["volunteer_id"], "role": m["role"]} for m in members],
        }

    def volunteers(
        self, *, township: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page:
        eq = {"township": township} if township else None
        after = ("volunteer_id", cursor) if cursor else None
        rows = self.store.select(
            VOLUNTEER, eq, after=after, order_by=("volunteer_id",), limit=limit + 1
        )
        return _page([_volunteer(r) for r in rows], limit, "volunteer_id")

    def search_volunteers(
        self, search: VolunteerSearch, *, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """Volunteers matching ``search`` (see :mod:`application.readmodel.queries.search`)."""
        rows, more = search_volunteers(self.store, search, limit=limit, cursor=cursor)
        items = [_volunteer(r) for r in rows]
        return Page(items=items, next_cursor=items[-1]["volunteer_id"] if more and items else None)

    def volunteer_by_national_id(self, national_id: str) -> str | None:
        """The id of the volunteer holding ``national_id`` (normalised), if any."""
        found = self.store.select(VOLUNTEER, {"national_id": national_id}, limit=1)
        return found[0]["volunteer_id"] if found else None

    def volunteer(self, volunteer_id: str) -> Row | None:
        row = self.store.get(VOLUNTEER, (volunteer_id,))
        return _volunteer(row) if row else None

    def activities(
        self,
        *,
        status: str | None = None,
        team_id: str | None = None,
        township: str | None = None,
        category: str | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        eq = {
            k: v
            for k, v in {
                "status": status,
                "team_id": team_id,
                "township": township,
                "category": category,
            }.items()
            if v
        }
        between = (
            ("start_date", (start or date.min).isoformat(), (end or date.max).isoformat())
            if start or end
            else None
        )
        after = ("activity_id", cursor) if cursor else None
        rows = self.store.select(
            ACTIVITY,
            eq or None,
            between=between,
            after=after,
            order_by=("activity_id",),
            limit=limit + 1,
        )
        return _page([self._named(_activity(r)) for r in rows], limit, "activity_id")

    def activity(self, activity_id: str) -> Row | None:
        row = self.store.get(ACTIVITY, (activity_id,))
        if row is None:
            return None
        participants = self.store.select(
            PARTICIPANT, {"activity_id": activity_id}, order_by=("volunteer_id",)
        )
        return {**self._named(_activity(row)), "participants": participants}

    def corrections(self, activity_id: str) -> list[Row] | None:
        """The corrections proposed to an activity's verified hours, oldest first."""
        if self.store.get(ACTIVITY, (activity_id,)) is None:
            return None
        return self.store.select(
            CORRECTION, {"activity_id": activity_id}, order_by=("proposed_at", "correction_id")
        )

    def feedback(self, activity_id: str) -> list[Row] | None:
        """Every rating of an activity, in the order recorded: rater (or anonymous), date
        given, who recorded it, and ``counted`` (false: outside the feedback window, shown
        but never counted)."""
        if self.store.get(ACTIVITY, (activity_id,)) is None:
            return None
        rows = self.store.select(FEEDBACK, {"activity_id": activity_id}, order_by=("seq",))
        return [
            {
                "satisfaction": r["satisfaction"],
                "comment": r["comment"],
                "rater": None
                if r["rater_type"] is None and not r["anonymous"]
                else {
                    "beneficiary_type": r["rater_type"],
                    "reference": r["rater_reference"],
                    "anonymous": bool(r["anonymous"]),
                },
                "given_on": r["given_on"],
                "counted": bool(r["counted"]),
                "recorded_by": r["recorded_by"],
                "recorded_at": r["recorded_at"],
                "position": r["position"],
            }
            for r in rows
        ]

    # ----------------------------------------------------------------- ledger and eligibility

    def ledger(self, volunteer_id: str) -> Row | None:
        account, entries = self.store.get_with(ACCOUNT, (volunteer_id,), ENTRY, order_by=("seq",))
        if account is None:
            return None
        return {
            "volunteer_id": volunteer_id,
            "balance": account["balance"],
            "lifetime_points": account["lifetime_points"],
            "credited_hours": account["credited_hours"],
            "backfilled_hours": account["backfilled_hours"],
            "training_hours": account["training_hours"],
            "position": account["position"],
            "entries": [self._named(_entry(e)) for e in entries],
        }

    def volunteer_eligibility(
        self, *, year: int, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """Per volunteer: star level reached and certified, courtesy tier, and commendation
        candidacy for ``year`` by the rulebook version in force for it: the year's credited
        hours and verified activities, awards of the year withdrawn, and whether a
        commendation for the year is already held (one per period)."""
        after = ("volunteer_id", cursor) if cursor else None
        rows = self.store.select(
            ELIGIBILITY, after=after, order_by=("volunteer_id",), limit=limit + 1
        )
        page = _page(self._eligibility(rows, year), limit, "volunteer_id")
        page["year"] = year
        page["rules"] = commendation_rules(self.rulebook, year)
        return page

    def volunteer_candidacy(self, volunteer_id: str, year: int) -> Row | None:
        """One volunteer's eligibility and commendation candidacy for ``year`` (as
        :meth:`volunteer_eligibility` lists them); None for no such volunteer."""
        row = self.store.get(ELIGIBILITY, (volunteer_id,))
        return self._eligibility([row], year)[0] if row is not None else None

    def _eligibility(self, rows: list[Row], year: int) -> list[Row]:
        service = self.service_years([r["volunteer_id"] for r in rows], year)
        rule = self.rulebook.for_year(year).commendation
        items = []
        for r in rows:
            served = service.get(r["volunteer_id"], ServiceYear())
            commended = commended_in(r["commendation_periods"], year)
            items.append(
                {
                    "volunteer_id": r["volunteer_id"],
                    "name": r["name"],
                    "credited_hours": r["credited_hours"],
                    "lifetime_points": r["lifetime_points"],
                    "star_level_reached": r["star_reached"],
                    "star_level_certified": r["star_certified"],
                    "courtesy_tier": r["courtesy_tier"],
                    "year": year,
                    "hours_in_year": num(served.hours),
                    "activities_in_year": served.activities,
                    "awards_withdrawn_in_year": served.withdrawn,
                    "commended_in_year": commended,
                    "commendation_candidate": served.qualifies(rule) and not commended,
                }
            )
        return items

    def service_years(self, volunteer_ids: list[str], year: int) -> dict[str, ServiceYear]:
        """Each volunteer's standing service in ``year`` (by service date), from the ledger."""
        found: dict[str, ServiceYear] = {}
        first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
        for e in self._within(ENTRY, "volunteer_id", volunteer_ids, kind="award"):
            if not first <= str(e["service_date"]) <= last:
                continue
            served = found.setdefault(e["volunteer_id"], ServiceYear())
            served.award(e["activity_id"], dec(e["hours"]))
            if e["reversed"]:
                served.reverse(e["activity_id"], dec(e["hours"]))
        return found

    # ----------------------------------------------------------------- rankings

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
        units = self.store.select(RANK_UNIT, {"unit_kind": unit})
        bounds = [(p.start.isoformat(), p.end.isoformat()) for p in periods]
        low, high = min(b[0] for b in bounds), max(b[1] for b in bounds)
        acts = [
            a
            for a in self.store.select(RANK_ACTIVITY, between=("start_date", low, high))
            if a["status"] != "cancelled"
        ]
        unit_of = {a["activity_id"]: a["team_id"] if unit == "team" else a["station"] for a in acts}
        awards: dict[str, list[Row]] = defaultdict(list)
        for w in self._within(RANK_AWARD, "activity_id", sorted(unit_of), reversed=0):
            awards[w["activity_id"]].append(w)
        result = []
        for first, end in bounds:
            held = [a for a in acts if first <= a["start_date"] < end]
            present = {unit_of[a["activity_id"]] for a in held}
            result.append((_metrics(units, held, awards, unit_of), present))
        return result

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
        if unit not in {"station", "team"}:
            raise ValueError(f"unit {unit!r} must be station or team")
        period = Period.parse(period_label)
        if unit == "team":
            return [_ranking_row(r) for r in self._ranked(unit, period)]
        level = level or "township"
        if level not in RANKED_STATION_LEVELS:
            raise rule_violation(
                "ranking-level",
                f"level {level!r}: stations rank within township or village level; "
                "the banner service centre is never ranked",
            )
        ids = {
            u["unit_id"]
            for u in self.store.select(RANK_UNIT, {"unit_kind": "station"})
            if (u["level"] or "township") == level
        }
        ranked = self._ranked(unit, period, ids, idle=False)
        shown = {r.metrics.unit_id for r in ranked}
        idle = sorted(
            (m for m in self.unit_metrics(unit, period) if m.unit_id in ids - shown),
            key=lambda m: (m.name, m.unit_id),
        )
        return [_ranking_row(r) for r in ranked] + [_idle_row(m) for m in idle]

    def team_eligibility(self, year: int) -> list[Row]:
        """Key support (重点支持): activities, satisfaction and rank among all teams of the year.

        One score: ``score`` and ``rank`` are the year's team ranking (``/rankings``), the
        same computation over the same units, so a team alone in its level is not "top 3"
        by being alone.
        """
        period = Period.parse(str(year))
        rules = _rules(self.rulebook, period)
        rule = rules.key_support
        levels = {t["team_id"]: t["level"] for t in self.store.select(TEAM)}
        result = []
        for ranked in self._ranked("team", period):
            m = ranked.metrics
            eligible = (
                m.activities >= rule.min_activities
                and m.mean_satisfaction >= rule.min_mean_satisfaction
                and ranked.rank <= rule.top_n
            )
            result.append(
                {
                    "team_id": m.unit_id,
                    "name": m.name,
                    "level": levels.get(m.unit_id),
                    "year": year,
                    "key_support_eligible": eligible,
                    # Team commendation candidacy: the rulebook's basis (key support).
                    "commendation_candidate": rules.commendation.team_qualifies(eligible),
                    "activities": m.activities,
                    "mean_satisfaction": _mean(m.mean_satisfaction),
                    "score": num(ranked.score) if ranked.score else "0",
                    "rank": ranked.rank,
                    "rules": {
                        "min_activities": rule.min_activities,
                        "min_mean_satisfaction": num(rule.min_mean_satisfaction),
                        "top_n": rule.top_n,
                        "commendation_basis": rules.commendation.team_basis.value,
                        "rulebook_version": rules.version,
                    },
                }
            )
        return sorted(result, key=lambda r: (r["rank"], r["team_id"]))

    # ----------------------------------------------------------------- insurance

    def _covering(self, policies: list[Row], volunteer_id: str, service_date: str) -> Row | None:
        covering = [
            p
            for p in policies
            if p["volunteer_id"] == volunteer_id
            and not p["cancelled"]
            and p["covers_from"] <= service_date <= p["covers_to"]
        ]
        return (
            max(covering, key=lambda p: (p["covers_to"], p["policy_number"])) if covering else None
        )

    def insurance_gaps(self, *, year: int | None = None) -> list[Row]:
        """Participations that no policy covered on their service date."""
        between = (
            ("service_date", f"{year}-01-01", f"{year + 1}-01-01") if year is not None else None
        )
        participations = self.store.select(PARTICIPATION, between=between)
        activities = {a["activity_id"]: a for a in self.store.select(INSURED_ACTIVITY)}
        volunteers = sorted({p["volunteer_id"] for p in participations})
        policies = self._within(POLICY, "volunteer_id", volunteers)
        by_volunteer: dict[str, list[Row]] = defaultdict(list)
        for p in policies:
            by_volunteer[p["volunteer_id"]].append(p)
        people: dict[str, Row] = {}
        gaps = []
        for p in participations:
            activity = activities.get(p["activity_id"], {})
            if activity.get("status") == "cancelled":
                continue
            if self._covering(
                by_volunteer[p["volunteer_id"]], p["volunteer_id"], p["service_date"]
            ):
                continue
            gaps.append(
                {
                    "activity_id": p["activity_id"],
                    "title": activity.get("title"),
                    "category": p["category"],
                    "category_zh": self.rulebook.category_zh(p["category"]),
                    "volunteer_id": p["volunteer_id"],
                    "volunteer_name": None,
                    "township": None,
                    "service_date": p["service_date"],
                    "flagged": bool(p["flagged"]),
                }
            )
        if gaps:
            ids = sorted({g["volunteer_id"] for g in gaps})
            people = {v["volunteer_id"]: v for v in self._within(VOLUNTEER, "volunteer_id", ids)}
        for g in gaps:
            person = people.get(g["volunteer_id"], {})
            g["volunteer_name"], g["township"] = person.get("name"), person.get("township")
        return sorted(gaps, key=lambda g: (g["service_date"], g["activity_id"], g["volunteer_id"]))

    def uncovered(self, day: date, township: str | None = None) -> list[Row]:
        return uncovered_on(self.store, day, township)

    def expiring(self, today: date, days: int) -> list[Row]:
        return expiring_within(self.store, today, days)

    def activity_insurance(self, activity_id: str) -> list[Row] | None:
        if self.store.get(INSURED_ACTIVITY, (activity_id,)) is None:
            return None
        participations = self.store.select(
            PARTICIPATION, {"activity_id": activity_id}, order_by=("volunteer_id",)
        )
        result = []
        for p in participations:
            policies = self.store.select(POLICY, {"volunteer_id": p["volunteer_id"]})
            cover = self._covering(policies, p["volunteer_id"], p["service_date"])
            result.append(
                {
                    "volunteer_id": p["volunteer_id"],
                    "service_date": p["service_date"],
                    "covered": cover is not None,
                    "policy_number": cover["policy_number"] if cover else None,
                    "insurer": cover["insurer"] if cover else None,
                    "policy_at_award": p["award_policy"],
                    "flagged": bool(p["flagged"]),
                }
            )
        return result

    # ----------------------------------------------------------------- audit trail

    def audit_events(
        self,
        *,
        aggregate_id: str | None = None,
        actor: str | None = None,
        event_type: str | None = None,
        recorded_from: str | None = None,
        recorded_to: str | None = None,
        after_position: int | None = None,
        limit: int = 50,
    ) -> Page:
        eq = {
            k: v
            for k, v in {
                "aggregate_id": aggregate_id,
                "actor_id": actor,
                "event_type": event_type,
            }.items()
            if v
        }
        between = (
            ("recorded_at", recorded_from or "", recorded_to or "9999")
            if recorded_from or recorded_to
            else None
        )
        rows = self.store.select(
            AUDIT_EVENT,
            eq or None,
            between=between,
            after=("position", after_position) if after_position is not None else None,
            order_by=("position",),
            limit=limit + 1,
        )
        return _page(rows, limit, "position")

    def position_known_at(self, recorded_at: str) -> int:
        """The last position recorded at or before the given UTC ISO time (from the audit trail)."""
        rows = self.store.select(
            AUDIT_EVENT,
            between=("recorded_at", "", recorded_at + "\uffff"),
            order_by=("position",),
            descending=True,
            limit=1,
        )
        return int(rows[0]["position"]) if rows else 0


def _metrics(
    units: list[Row],
    acts: list[Row],
    awards: dict[str, list[Row]],
    unit_of: dict[str, str],
) -> list[UnitMetrics]:
    """Each unit's metrics over ``acts`` (one period's uncancelled activities) and their
    unreversed ``awards`` (by activity id)."""
    held: dict[str, int] = defaultdict(int)
    feedback: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    media: dict[str, Decimal] = defaultdict(Decimal)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    people: dict[str, set[str]] = defaultdict(set)
    for a in acts:
        key = unit_of[a["activity_id"]]
        held[key] += a["status"] == "verified"
        feedback[key][0] += int(a["satisfaction_sum"])
        feedback[key][1] += int(a["feedback_n"])
        media[key] += dec(a["media_points"])
        for w in awards.get(a["activity_id"], ()):
            hours[key] += dec(w["hours"])
            people[key].add(w["volunteer_id"])
    metrics = []
    for u in units:
        key = u["unit_id"]
        total, count = feedback.get(key, [0, 0])
        metrics.append(
            UnitMetrics(
                unit_id=key,
                name=u["name"],
                activities=held[key],
                volunteer_hours=hours[key],
                distinct_volunteers=len(people[key]),
                mean_satisfaction=Decimal(total) / count if count else Decimal(0),
                media_points=media[key],
            )
        )
    return metrics


def _rules(rulebook: Rulebook, period: Period) -> RulebookVersion:
    """The version in force when the period starts (the earliest, for periods before it)."""
    first = min(rulebook.versions, key=lambda v: v.effective_from)
    return rulebook.in_force_on(period.start) if period.start >= first.effective_from else first


def _took_part(m: UnitMetrics) -> bool:
    """A unit with nothing at all in the previous period had no rank to change from."""
    return bool(m.activities or m.volunteer_hours or m.mean_satisfaction or m.media_points)


def _mean(value: Decimal) -> str:
    return num(value.quantize(Decimal("0.01"))) if value else "0"


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
        "score": num(r.score) if r.score else "0",
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


def _station(row: Row) -> Row:
    return {**row, "closed": bool(row["closed"])}


def _volunteer(row: Row) -> Row:
    return {**row, "skills": json.loads(row["skills"] or "[]")}


def _activity(row: Row) -> Row:
    return {**row, "beneficiaries": json.loads(row["beneficiaries"] or "{}")}


def _entry(row: Row) -> Row:
    entry = {
        k: row[k]
        for k in (
            "entry_id",
            "kind",
            "points",
            "hours",
            "activity_id",
            "category",
            "service_date",
            "rulebook_version",
            "recorded_at",
            "position",
            "balance_after",
        )
    }
    entry["reversed"] = bool(row["reversed"])
    entry["detail"] = json.loads(row["detail"] or "{}")
    if row["reverses"]:
        entry["reverses"] = row["reverses"]
    return entry


def commended_in(periods_json: str | None, year: int) -> bool:
    """Whether the commendations held (JSON {id: period}) include one for ``year``: a
    period naming the year (``2022``, or within it)."""
    periods = json.loads(periods_json or "{}").values()
    return any(str(p).startswith(str(year)) for p in periods)


def commendation_rules(rulebook: Rulebook, year: int) -> Row:
    """The commendation criteria in force for ``year``, as a read shows them."""
    rules = rulebook.for_year(year)
    rule = rules.commendation
    return {
        "rulebook_version": rules.version,
        "volunteer_min_hours": num(rule.volunteer_min_hours),
        "volunteer_min_activities": rule.volunteer_min_activities,
        "volunteer_no_reversal": rule.volunteer_no_reversal,
        "team_basis": rule.team_basis.value,
    }
