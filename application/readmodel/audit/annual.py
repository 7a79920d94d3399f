"""What the annual review adds for the director's report, read from the review's own replay.

The review replays the log to its cut into a memory store; these functions read that
store with the same queries the bulletin and the HTTP routes use (people served, media
coverage, vouchers, needs met), so a figure is computed in one place and every one of
them stands at the review's cut.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from application.readmodel.queries.breakdowns import service_breakdowns
from application.readmodel.queries.needs import needs_met_by_station
from application.readmodel.queries.served import beneficiary_totals, media_coverage, vouchers_issued
from application.readmodel.store import Row, RowReader
from application.readmodel.tables import STATION, TEAM, TEAM_MEMBER, VOLUNTEER
from domain.ranking import Period
from domain.rulebook import Rulebook


def volunteer_places(store: RowReader) -> dict[str, tuple[str, list[str]]]:
    """Each volunteer's township and the names of the teams they belong to (at the cut):
    many volunteers share a name, and these tell them apart."""
    teams = {t["team_id"]: str(t["name"]) for t in store.select(TEAM)}
    member_of: dict[str, list[str]] = defaultdict(list)
    for m in store.select(TEAM_MEMBER):
        member_of[m["volunteer_id"]].append(teams.get(m["team_id"], str(m["team_id"])))
    return {
        v["volunteer_id"]: (v["township"] or "", sorted(member_of.get(v["volunteer_id"], [])))
        for v in store.select(VOLUNTEER)
    }


def annual_sections(store: RowReader, rulebook: Rulebook, year: int) -> dict[str, Any]:
    """People served by beneficiary type; the year broken down by township, station, team,
    category and month; needs met per station; media coverage; courtesy vouchers issued."""
    period = Period.parse(str(year))
    served = beneficiary_totals(store, rulebook, period, by="township")
    stations = {s["station_id"]: s["name"] for s in store.select(STATION)}
    teams = {t["team_id"]: t["name"] for t in store.select(TEAM)}
    return {
        "served": {"total": served["total"], "by_type": served["by_type"]},
        "breakdowns": service_breakdowns(store, rulebook, period),
        "needs_met": _stations_with_needs(store, rulebook, period),
        "media": [_named_media(row, stations, teams) for row in media_coverage(store, period)],
        "benefits": vouchers_issued(store, period, rulebook.latest.utc_offset),
    }


def _stations_with_needs(store: RowReader, rulebook: Rulebook, period: Period) -> list[Row]:
    """The needs raised and met in the period at each station where any were."""
    return [
        row for row in needs_met_by_station(store, rulebook, period) if row["raised"] or row["met"]
    ]


def _named_media(row: Row, stations: dict[str, Any], teams: dict[str, Any]) -> Row:
    station = row["station_id"] or row["station"]
    return {
        **row,
        "station_name": stations.get(station, station),
        "team_name": teams.get(row["team_id"], row["team_id"]),
    }
