"""Reads of needs and the project library: what waits and for how long, the service menu,
and needs met per station and per project (the bulletin's figures)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from application.readmodel.queries.reads import after, given, paged
from application.readmodel.store import Row, RowReader
from application.readmodel.tables import NEED, PROJECT, PROJECT_ACTIVITY, STATION
from domain.need import DIFFICULTIES
from domain.ranking import Period
from domain.rulebook import Rulebook


def _local_date(utc_text: str, offset: timedelta) -> date:
    return (datetime.fromisoformat(utc_text) + offset).date()


def _met_in(row: Row, period: Period | None, offset: timedelta) -> bool:
    if row["status"] != "met":
        return False
    if period is None:
        return True
    return period.start <= _local_date(row["closed_at"], offset) < period.end


def needs_met_by_station(
    store: RowReader, rulebook: Rulebook, period: Period | None = None
) -> list[Row]:
    """Per station (all registered, those with no need too, in name order): needs raised,
    met (in ``period``, if given, by the date each was closed, Asia/Shanghai), declined and
    still open. For the bulletin: ``{station_id, name, level, township, raised, met,
    declined, open}``."""
    counts = _needs_by_station(store, period, rulebook.latest.utc_offset)
    stations = sorted(store.select(STATION), key=lambda s: (s["name"], s["station_id"]))
    return [_station_needs(s, counts.get(s["station_id"], Counter())) for s in stations]


def _needs_by_station(
    store: RowReader, period: Period | None, offset: timedelta
) -> dict[str, Counter[str]]:
    """Per station: needs raised, met (in ``period``) and in each other status."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in store.select(NEED):
        c = counts[row["station_id"]]
        c["raised"] += 1
        if row["status"] == "met":
            c["met"] += _met_in(row, period, offset)
        else:
            c[row["status"]] += 1
    return counts


def _station_needs(station: Row, c: Counter[str]) -> Row:
    return {
        "station_id": station["station_id"],
        "name": station["name"],
        "level": station["level"],
        "township": station["township"],
        "raised": c["raised"],
        "met": c["met"],
        "declined": c["declined"],
        "open": c["open"],
    }


def needs_met_by_project(
    store: RowReader, rulebook: Rulebook, period: Period | None = None
) -> list[Row]:
    """Per project of the library (in title order): needs its activities met (in
    ``period``, if given) and its activities. ``{project_id, title, status, township,
    needs_met, activities}``."""
    met = _met_by_project(store, period, rulebook.latest.utc_offset)
    activities = Counter(row["project_id"] for row in store.select(PROJECT_ACTIVITY))
    projects = sorted(store.select(PROJECT), key=lambda p: (p["title"], p["project_id"]))
    return [_project_needs(p, met, activities) for p in projects]


def _met_by_project(store: RowReader, period: Period | None, offset: timedelta) -> Counter[str]:
    """The needs met (in ``period``) per project."""
    return Counter(
        row["project_id"]
        for row in store.select(NEED, {"status": "met"})
        if row["project_id"] and _met_in(row, period, offset)
    )


def _project_needs(project: Row, met: Counter[str], activities: Counter[str]) -> Row:
    return {
        "project_id": project["project_id"],
        "title": project["title"],
        "status": project["status"],
        "township": project["township"],
        "needs_met": met[project["project_id"]],
        "activities": activities[project["project_id"]],
    }


def _need_order(row: Row) -> tuple[str, str]:
    """Needs are listed by the time each was raised, then id; a page's cursor is this."""
    return row["raised_at"], row["need_id"]


def _needs_after(rows: list[Row], cursor: str | None) -> list[Row]:
    """The needs (in order) after the cursor ``raised_at|need_id`` (all, without one)."""
    if not cursor:
        return rows
    start = tuple(cursor.split("|"))
    return [r for r in rows if _need_order(r) > start]


def _serving(rows: list[Row], township: str | None) -> list[Row]:
    """The projects serving ``township`` (all, without one): its own and the banner-level
    teams' (no township), which serve every township."""
    if not township:
        return rows
    return [r for r in rows if r["township"] in (township, "")]


def _activity_list(activities: list[Row]) -> list[Row]:
    return [
        {"activity_id": a["activity_id"], "title": a["title"], "start_date": a["start_date"]}
        for a in activities
    ]


class NeedReads:
    """Mixed into :class:`~application.readmodel.queries.readmodels.ReadModels`."""

    store: RowReader
    rulebook: Rulebook

    def category_label(self, code: str | None) -> str | None:
        """A need's or project's category in Chinese: a difficulty of the plan or a
        rulebook service category."""
        return DIFFICULTIES.get(code or "") or self.rulebook.category_zh(code)

    def _need(self, row: Row, today: date) -> Row:
        offset = self.rulebook.latest.utc_offset
        raised = _local_date(row["raised_at"], offset)
        until = _local_date(row["closed_at"], offset) if row["closed_at"] else today
        return {
            **row,
            "category_zh": self.category_label(row["category"]),
            "raised_on": raised.isoformat(),
            "age_days": max(0, (until - raised).days),
            "raised_by": {"name": row["raised_by_name"], "contact": row["raised_by_contact"]},
        }

    def needs(
        self,
        *,
        today: date,
        status: str | None = None,
        township: str | None = None,
        category: str | None = None,
        station_id: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Needs oldest first (raised time, then id); ``age_days``: days waited until
        ``today`` (open) or until closed, counted in local dates."""
        eq = given(status=status, township=township, category=category, station_id=station_id)
        rows = _needs_after(sorted(self.store.select(NEED, eq), key=_need_order), cursor)
        page = rows[:limit]
        return {
            "items": [self._need(r, today) for r in page],
            "next_cursor": "|".join(_need_order(page[-1])) if len(rows) > limit else None,
        }

    def need(self, need_id: str, today: date) -> Row | None:
        row = self.store.get(NEED, (need_id,))
        return None if row is None else self._need(row, today)

    def _project(self, row: Row, figures: Row) -> Row:
        """A project of the library as a read shows it, with its ``figures`` (needs met,
        activities)."""
        return {
            **{k: v for k, v in row.items() if k not in {"need_ids", "target_beneficiaries"}},
            "category_zh": self.category_label(row["category"]),
            "need_ids": json.loads(row["need_ids"]),
            "target_beneficiaries": json.loads(row["target_beneficiaries"]),
            "needs_met": figures["needs_met"],
            "activities": figures["activities"],
        }

    def projects(
        self,
        *,
        status: str | None = None,
        category: str | None = None,
        township: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """The project library in id order; ``status=active`` is the service menu. A
        banner-level team's project (no township) serves every township, so it is listed
        under any ``township``."""
        eq = given(status=status, category=category)
        rows = self.store.select(
            PROJECT, eq, after=after("project_id", cursor), order_by=("project_id",)
        )
        page = paged(_serving(rows, township), limit, "project_id")
        counts = {c["project_id"]: c for c in needs_met_by_project(self.store, self.rulebook)}
        page["items"] = [self._project(r, counts[r["project_id"]]) for r in page["items"]]
        return page

    def project(self, project_id: str) -> Row | None:
        row = self.store.get(PROJECT, (project_id,))
        if row is None:
            return None
        met = self._met_need_ids(project_id)
        activities = self.store.select(
            PROJECT_ACTIVITY, {"project_id": project_id}, order_by=("start_date", "activity_id")
        )
        figures = {"needs_met": len(met), "activities": len(activities)}
        return {
            **self._project(row, figures),
            "met_need_ids": met,
            "activity_list": _activity_list(activities),
        }

    def _met_need_ids(self, project_id: str) -> list[str]:
        """The needs the project's activities met, ever."""
        offset = self.rulebook.latest.utc_offset
        return [
            r["need_id"]
            for r in self.store.select(NEED, {"project_id": project_id})
            if _met_in(r, None, offset)
        ]

    def project_of_activity(self, activity_id: str) -> str | None:
        """The project an activity names (None: none)."""
        row = self.store.get(PROJECT_ACTIVITY, (activity_id,))
        return None if row is None else str(row["project_id"])

    def needs_met(self, period: Period | None = None) -> dict[str, list[Row]]:
        """Needs met per station and per project (see the two functions above)."""
        return {
            "stations": needs_met_by_station(self.store, self.rulebook, period),
            "projects": needs_met_by_project(self.store, self.rulebook, period),
        }
