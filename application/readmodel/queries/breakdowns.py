"""The year's service broken down by township, station, team, category and month.

For the annual report: over the verified activities that started in the period (as the
rankings and the people-served figures count them), each group's activities, volunteer
hours (the unreversed awards standing on them), distinct volunteers and people served.
Reads the directory's activity rows (or the review's registers) and the ranking's awards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from application.readmodel.queries.reads import from_json, grouped, station_of
from application.readmodel.queries.served import verified_in
from application.readmodel.store import Row, RowReader
from application.readmodel.tables import RANK_AWARD, STATION, TEAM
from application.readmodel.values import dec, num
from domain.ranking import Period
from domain.rulebook import Rulebook

GROUPINGS = ("township", "station", "team", "category", "month")


@dataclass(slots=True)
class _Group:
    """One group's sums: activities, hours of their standing awards, the people awarded
    and the people served."""

    activities: int = 0
    hours: Decimal = Decimal(0)
    people: set[str] = field(default_factory=set)
    served: int = 0


def _count(group: _Group, served: int, awards: Iterable[Row]) -> None:
    """One more activity of the group: its people served and its standing awards."""
    group.activities += 1
    group.served += served
    for w in awards:
        group.hours += dec(w["hours"])
        group.people.add(w["volunteer_id"])


def service_breakdowns(
    store: RowReader, rulebook: Rulebook, period: Period
) -> dict[str, list[Row]]:
    """``{township|station|team|category|month: [{key, name, activities, volunteer_hours,
    distinct_volunteers, people_served}]}``: months in calendar order (every month of the
    period, idle ones with zeros), the others by hours (most first), then name."""
    activities = verified_in(store, period)
    awards = _standing_awards(store, sorted(a["activity_id"] for a in activities))
    groups = _groups(activities, awards, period)
    names = _namers(store, rulebook)
    return {grouping: _rows(grouping, groups[grouping], names[grouping]) for grouping in GROUPINGS}


def _groups(
    activities: list[Row], awards: dict[str, list[Row]], period: Period
) -> dict[str, dict[str, _Group]]:
    """The activities counted into each group of each grouping."""
    groups = _empty_groups(period)
    for a in activities:
        served = _people_served(a)
        for grouping, key in _keys(a).items():
            _count(groups[grouping][key], served, awards.get(a["activity_id"], ()))
    return groups


def _empty_groups(period: Period) -> dict[str, dict[str, _Group]]:
    """Each grouping's groups, none yet but every month of the period (idle ones too)."""
    groups: dict[str, dict[str, _Group]] = {g: defaultdict(_Group) for g in GROUPINGS}
    groups["month"].update((month, _Group()) for month in _months(period))
    return groups


def _people_served(activity: Row) -> int:
    return sum(int(n) for n in from_json(activity.get("beneficiaries")).values())


def _standing_awards(store: RowReader, activity_ids: list[str]) -> dict[str, list[Row]]:
    """The awards not reversed, by activity."""
    if not activity_ids:
        return {}
    found = store.select(RANK_AWARD, {"reversed": 0}, within=("activity_id", activity_ids))
    return grouped(found, "activity_id")


def _keys(activity: Row) -> dict[str, str]:
    """The activity's key in each grouping."""
    return {
        "township": activity.get("township") or "",
        "station": station_of(activity),
        "team": activity.get("team_id") or "",
        "category": activity.get("category") or "",
        "month": str(activity["start_date"])[:7],
    }


def _rows(grouping: str, groups: dict[str, _Group], name: Callable[[str], str]) -> list[Row]:
    rows: list[dict[str, Any]] = [
        {
            "key": key,
            "name": name(key),
            "activities": g.activities,
            "volunteer_hours": num(g.hours),
            "distinct_volunteers": len(g.people),
            "people_served": g.served,
        }
        for key, g in groups.items()
    ]
    rows.sort(key=ORDER.get(grouping, _most_hours))
    return rows


def _most_hours(row: Row) -> tuple[Decimal, str, str]:
    return -Decimal(row["volunteer_hours"]), row["name"], row["key"]


def _in_calendar_order(row: Row) -> str:
    return str(row["key"])


# How a grouping's rows are ordered: months in calendar order, the others by hours.
ORDER = {"month": _in_calendar_order}


def _months(period: Period) -> list[str]:
    months = []
    year, month = period.start.year, period.start.month
    while (year, month) < (period.end.year, period.end.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _namers(store: RowReader, rulebook: Rulebook) -> dict[str, Callable[[str], str]]:
    stations = {s["station_id"]: s["name"] for s in store.select(STATION)}
    teams = {t["team_id"]: t["name"] for t in store.select(TEAM)}

    def same(key: str) -> str:
        return key

    def category(key: str) -> str:
        return rulebook.category_zh(key) or key

    def month(key: str) -> str:
        return f"{int(key[:4])}年{int(key[5:7])}月"

    return {
        "township": same,
        "station": lambda key: str(stations.get(key, key)),
        "team": lambda key: str(teams.get(key, key)),
        "category": category,
        "month": month,
    }
