"""The supervision bulletin (定期通报): one period's figures for stations of one level.

Read from the read models as they stand at one log position (the caller gives the
position and the chain head there), so every figure in the printed bulletin can be
traced to the log and made again: the same period, level and cut give the same answer.
The PDF and XLSX are drawn from this answer and nothing else.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from application.readmodel.queries.needs import needs_met_by_station
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.queries.reads import station_of
from application.readmodel.queries.served import (
    BENEFICIARY_TYPE_ZH,
    beneficiary_totals,
    media_coverage,
)
from application.readmodel.tables import ACTIVITY, STATION
from application.readmodel.values import num
from domain.ranking import Period, UnitMetrics

LEVEL_ZH = {"township": "乡镇（苏木）级", "village": "村（嘎查）级"}
KEY_SUPPORT_FIELDS = (
    "team_id",
    "name",
    "level",
    "activities",
    "mean_satisfaction",
    "score",
    "rank",
)
NEEDS_FIELDS = ("station_id", "name", "raised", "met", "declined", "open")


def months_of(period: Period) -> list[Period]:
    """The calendar months a period spans, in order."""
    months = []
    start = period.start
    while start < period.end:
        month = Period.parse(f"{start.year}-{start.month:02d}")
        months.append(month)
        start = month.end
    return months


def bulletin(
    reads: ReadModels, period_label: str, level: str, *, chain: dict[str, Any]
) -> dict[str, Any]:
    """The bulletin's figures (raises ValueError for a period the calendar cannot hold and
    a rule violation for a level stations do not rank in, as ``/rankings`` does)."""
    period = Period.parse(period_label)
    ranking = reads.rankings("station", period_label, level)
    station_ids = {row["unit_id"] for row in ranking}
    stations = {s["station_id"]: s for s in reads.store.select(STATION)}
    return {
        "period": period_label,
        "level": level,
        "level_zh": LEVEL_ZH.get(level, level),
        "position": chain["position"],
        "ranking": ranking,
        "unranked": _unranked(ranking),
        "hours_by_month": _hours_by_month(reads, period, station_ids),
        "key_support_teams": _key_support(reads, period),
        "needs_met": _needs_met(reads, period, station_ids),
        "insurance_gaps": _gaps_by_station(reads, period, station_ids, stations),
        "media": _media(ranking),
        "media_coverage": _coverage(reads, period, station_ids, stations),
        "served": _served(reads, period, station_ids),
        "chain": chain,
    }


def _unranked(ranking: list[dict[str, Any]]) -> list[str]:
    """The names of the stations that held no activity in the period."""
    return [row["name"] for row in ranking if row["rank"] is None]


def _media(ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stations' media points, of those with any."""
    return [
        {"station_id": row["unit_id"], "name": row["name"], "media_points": row["media_points"]}
        for row in ranking
        if row["media_points"] != "0"
    ]


def _fields(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in names}


def _name(stations: dict[str, Any], station_id: str) -> str:
    """A station's name (its id, for a station no longer in the directory)."""
    return str(stations.get(station_id, {"name": station_id})["name"])


def _hours_by_month(
    reads: ReadModels, period: Period, station_ids: set[str]
) -> list[dict[str, Any]]:
    """Credited volunteer-hours of the level's stations in each month of the period."""
    months = months_of(period)
    monthly = reads.unit_metrics_of("station", months)
    return [
        {"month": month.label, "volunteer_hours": num(_hours_of(metrics, station_ids))}
        for month, metrics in zip(months, monthly, strict=True)
    ]


def _hours_of(metrics: list[UnitMetrics], station_ids: set[str]) -> Decimal:
    return sum((m.volunteer_hours for m in metrics if m.unit_id in station_ids), Decimal(0))


def _key_support(reads: ReadModels, period: Period) -> list[dict[str, Any]]:
    """The teams eligible for key support in the period's year."""
    return [
        _fields(row, KEY_SUPPORT_FIELDS)
        for row in reads.team_eligibility(period.start.year)
        if row["key_support_eligible"]
    ]


def _needs_met(reads: ReadModels, period: Period, station_ids: set[str]) -> list[dict[str, Any]]:
    return [
        _fields(row, NEEDS_FIELDS)
        for row in needs_met_by_station(reads.store, reads.rulebook, period)
        if row["station_id"] in station_ids
    ]


def _served(reads: ReadModels, period: Period, station_ids: set[str]) -> dict[str, Any]:
    """People served by beneficiary type over the level's stations: ``{total, by_type,
    stations: [{station_id, name, activities, people, by_type}]}``; every type is listed
    (zero when none was served), in the order of ``BENEFICIARY_TYPE_ZH``."""
    answer = beneficiary_totals(reads.store, reads.rulebook, period, by="station")
    rows = [r for r in answer["rows"] if r["unit_id"] in station_ids]
    total = _total_by_type(rows)
    return {
        "total": sum(total.values()),
        "by_type": _typed(total),
        "stations": [_served_station(r) for r in rows],
    }


def _total_by_type(rows: list[dict[str, Any]]) -> Counter[str]:
    """The people the rows served, by type."""
    total: Counter[str] = Counter()
    for r in rows:
        total.update(_counts(r))
    return total


def _counts(row: dict[str, Any]) -> dict[str, int]:
    """A row's people served by type."""
    return {k: v["count"] for k, v in row["by_type"].items()}


def _typed(counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Every beneficiary type's count (zero when none was served) and label."""
    return {k: {"count": counts.get(k, 0), "label_zh": zh} for k, zh in BENEFICIARY_TYPE_ZH.items()}


def _served_station(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "station_id": row["unit_id"],
        "name": row["name"],
        "activities": row["activities"],
        "people": row["people"],
        "by_type": _typed(_counts(row)),
    }


def _coverage(
    reads: ReadModels, period: Period, station_ids: set[str], stations: dict[str, Any]
) -> list[dict[str, Any]]:
    """Media reports published in the period on activities of the level's stations, by
    station name, then date: outlet, its level, the activity reported on."""
    reports = [r for r in media_coverage(reads.store, period) if station_of(r) in station_ids]
    found = [_coverage_row(r, stations) for r in reports]
    found.sort(key=lambda r: (r["name"], r["station_id"], r["published_on"], r["outlet"]))
    return found


def _coverage_row(row: dict[str, Any], stations: dict[str, Any]) -> dict[str, Any]:
    sid = station_of(row)
    return {
        "station_id": sid,
        "name": _name(stations, sid),
        "published_on": row["published_on"],
        "level": row["level"],
        "level_zh": row["level_zh"],
        "outlet": row["outlet"],
        "activity_id": row["activity_id"],
        "activity_title": row["activity_title"],
        "url": row["url"],
    }


def _gaps_by_station(
    reads: ReadModels, period: Period, station_ids: set[str], stations: dict[str, Any]
) -> list[dict[str, Any]]:
    """Uninsured participations in the period, counted per station of the level."""
    gaps = _gaps_in(reads, period)
    if not gaps:
        return []
    station_of = _activity_stations(reads, sorted({g["activity_id"] for g in gaps}))
    counts = _gap_counts(gaps, station_of, station_ids)
    return sorted(
        (_gap_row(sid, n, people, stations) for sid, (n, people) in counts.items()),
        key=lambda r: (-r["participations"], r["name"], r["station_id"]),
    )


def _activity_stations(reads: ReadModels, activity_ids: list[str]) -> dict[str, Any]:
    """The station of each of the activities."""
    found = reads.store.select(ACTIVITY, within=("activity_id", activity_ids))
    return {a["activity_id"]: station_of(a) for a in found}


def _gap_counts(
    gaps: list[dict[str, Any]], station_of: dict[str, Any], station_ids: set[str]
) -> dict[str, list[Any]]:
    """Per station of the level: its uninsured participations and the people in them."""
    counts: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
    for g in gaps:
        sid = station_of.get(g["activity_id"])
        if sid in station_ids:
            counts[sid][0] += 1
            counts[sid][1].add(g["volunteer_id"])
    return counts


def _gap_row(sid: str, n: int, people: set[str], stations: dict[str, Any]) -> dict[str, Any]:
    return {
        "station_id": sid,
        "name": _name(stations, sid),
        "participations": n,
        "volunteers": len(people),
    }


def _gaps_in(reads: ReadModels, period: Period) -> list[dict[str, Any]]:
    """The insurance gaps of every year the period touches, within the period."""
    first, end = period.start.isoformat(), period.end.isoformat()
    return [
        g
        for year in range(period.start.year, period.end.year + (period.end.month > 1))
        for g in reads.insurance_gaps(year=year)
        if first <= g["service_date"] < end
    ]
