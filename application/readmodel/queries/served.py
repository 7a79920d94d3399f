"""Who served whom, who reported it, and the courtesy vouchers: queries over the read models.

The bulletin and the annual report call these with their own store (live tables or an
as-of replay); the HTTP routes call them too, so a figure is computed in one place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from application.readmodel.queries.reads import from_json, station_of
from application.readmodel.store import Row, RowReader
from application.readmodel.tables import ACTIVITY, MEDIA, STATION, TEAM, VOLUNTEER, VOUCHER, Table
from application.readmodel.values import iso
from domain.ranking import Period
from domain.rulebook import Rulebook

BeneficiaryGrouping = Literal["station", "team", "category", "township"]

BENEFICIARY_TYPE_ZH = {
    "veteran": "退役军人",
    "demobilized_veteran": "复员军人",
    "disabled_veteran": "伤残军人",
    "military_family": "军属",
    "martyr_family": "烈属",
    "public": "社会公众",
}
# The activity column naming the unit it counts for (a station: see _unit_of), and the
# table naming a unit, for those named in one.
UNIT_COLUMNS = {"team": "team_id", "category": "category", "township": "township"}
NAMED_IN = {"station": STATION, "team": TEAM}
MEDIA_LEVEL_ZH = {
    "national": "国家级",
    "provincial": "自治区级",
    "city": "市级",
    "banner": "旗级",
    "online": "网络媒体",
}


def verified_in(store: RowReader, period: Period) -> list[Row]:
    """The verified activities starting in the period (as the rankings count them)."""
    return store.select(
        ACTIVITY,
        {"status": "verified"},
        between=("start_date", period.start.isoformat(), period.end.isoformat()),
    )


def beneficiary_totals(
    store: RowReader, rulebook: Rulebook, period: Period, by: BeneficiaryGrouping
) -> dict[str, Any]:
    """People served by beneficiary type, per station, team, category or township, over
    the verified activities that started in ``period``: ``{period, by, by_type, total,
    rows: [{unit_id, name, activities, people, by_type}]}`` (rows by people, then name).
    ``by_type`` maps each type to ``{count, label_zh}``."""
    units = _served_by(verified_in(store, period), by)
    rows = [_served_row(u, _unit_name(store, rulebook, by, u["unit_id"])) for u in units]
    rows.sort(key=lambda r: (-r["people"], r["name"]))
    overall: Counter[str] = Counter()
    for unit in units:
        overall.update(unit["counts"])
    return {
        "period": period.label,
        "by": by,
        "total": sum(overall.values()),
        "by_type": _typed(overall),
        "rows": rows,
    }


def _served_by(activities: list[Row], by: BeneficiaryGrouping) -> list[dict[str, Any]]:
    """Per unit (in the order first met): its activities, and the people they served in
    all and by type."""
    units: dict[str, dict[str, Any]] = {}
    for activity in activities:
        unit_id = _unit_of(activity, by)
        unit = units.setdefault(
            unit_id, {"unit_id": unit_id, "activities": 0, "people": 0, "counts": defaultdict(int)}
        )
        unit["activities"] += 1
        for kind, n in from_json(activity.get("beneficiaries")).items():
            unit["counts"][kind] += int(n)
            unit["people"] += int(n)
    return list(units.values())


def _unit_of(activity: Row, by: BeneficiaryGrouping) -> str:
    """The unit an activity counts for: its station (its id, or its name where it has
    none), team, category or township."""
    if by == "station":
        return str(station_of(activity))
    return str(activity.get(UNIT_COLUMNS[by]))


def _served_row(unit: dict[str, Any], name: str) -> Row:
    return {
        "unit_id": unit["unit_id"],
        "name": name,
        "activities": unit["activities"],
        "people": unit["people"],
        "by_type": _typed(unit["counts"]),
    }


def _typed(counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {
        kind: {"count": counts[kind], "label_zh": BENEFICIARY_TYPE_ZH.get(kind, kind)}
        for kind in sorted(counts)
    }


def _unit_name(store: RowReader, rulebook: Rulebook, by: str, unit_id: str) -> str:
    if by == "category":
        return rulebook.category_zh(unit_id) or unit_id
    if by in NAMED_IN:
        return _name_in(store, NAMED_IN[by], unit_id)
    return unit_id


def _name_in(store: RowReader, table: Table, key: str) -> str:
    """The name of the row of ``table`` keyed ``key`` (the key, with no such row)."""
    row = store.get(table, (key,))
    return str(row["name"]) if row else key


def media_coverage(store: RowReader, period: Period) -> list[Row]:
    """Media reports published in ``period``, oldest first: outlet, level (and its Chinese
    name), url, date, and the activity reported on (title, township, station, team)."""
    rows = store.select(
        MEDIA,
        between=("published_on", period.start.isoformat(), period.end.isoformat()),
        order_by=("published_on", "activity_id", "seq"),
    )
    return [_report(row, store.get(ACTIVITY, (row["activity_id"],)) or {}) for row in rows]


def _report(row: Row, activity: Row) -> Row:
    return {
        "activity_id": row["activity_id"],
        "activity_title": activity.get("title"),
        "township": activity.get("township"),
        "station_id": activity.get("station_id"),
        "station": activity.get("station"),
        "team_id": activity.get("team_id"),
        "outlet": row["outlet"],
        "level": row["level"],
        "level_zh": MEDIA_LEVEL_ZH.get(str(row["level"]), str(row["level"])),
        "url": row["url"],
        "published_on": row["published_on"],
    }


def _voucher(store: RowReader, row: Row) -> Row:
    volunteer = store.get(VOLUNTEER, (row["volunteer_id"],)) or {}
    return {
        "voucher_code": row["voucher_code"],
        "entry_id": row["entry_id"],
        "volunteer_id": row["volunteer_id"],
        "volunteer_name": volunteer.get("name"),
        "township": volunteer.get("township"),
        "benefit": row["benefit_code"],
        "benefit_zh": row["benefit"],
        "points": row["points"],
        "status": "used" if row["used"] else "issued",
        "issued_at": row["issued_at"],
        "issued_by": row["issued_by"],
        "used_at": row["used_at"],
        "used_by": row["used_by"],
    }


def voucher(store: RowReader, code: str) -> Row | None:
    """One courtesy voucher by its code, with the volunteer's name and township."""
    row = store.get(VOUCHER, (code,))
    return None if row is None else _voucher(store, row)


def vouchers_of(store: RowReader, volunteer_id: str) -> list[Row]:
    """A volunteer's courtesy vouchers, newest first."""
    rows = store.select(VOUCHER, {"volunteer_id": volunteer_id}, order_by=("position",))
    return [_voucher(store, r) for r in reversed(rows)]


def vouchers_issued(store: RowReader, period: Period, utc_offset: timedelta) -> list[Row]:
    """Vouchers issued in ``period`` by the local date of issue (``utc_offset``: the
    rulebook's, Asia/Shanghai), oldest first, for the annual review: one issued at
    00:30 on 1 January in Beijing is the new year's, though it is still 31 December in UTC.
    """

    def bound(day: date) -> str:  # issued_at is UTC ISO text, which orders as time does
        return iso(datetime.combine(day, time(), tzinfo=UTC) - utc_offset)

    rows = store.select(VOUCHER, between=("issued_at", bound(period.start), bound(period.end)))
    rows.sort(key=lambda r: (r["issued_at"], r["voucher_code"]))
    return [_voucher(store, r) for r in rows]
