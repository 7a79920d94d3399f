"""Reads of needs and the project library: what waits and for how long, the service menu,
and needs met per station and per project (the bulletin's figures)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

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
    offset = rulebook.latest.utc_offset
    counts: dict[str, Counter[str]] = {}
    for row in store.select(NEED):
        c = counts.setdefault(row["station_id"], Counter())
        c["raised"] += 1
        if row["status"] == "met":
            c["met"] += _met_in(row, period, offset)
        else:
            c[row["status"]] += 1
    result = []
    for station in sorted(store.select(STATION), key=lambda s: (s["name"], s["station_id"])):
        c = counts.get(station["station_id"], Counter())
        result.append(
            {
                "station_id": station["station_id"],
                "name": station["name"],
                "level": station["level"],
                "township": station["township"],
                "raised": c["raised"],
                "met": c["met"],
                "declined": c["declined"],
                "open": c["open"],
            }
        )
    return result


def needs_met_by_project(
    store: RowReader, rulebook: Rulebook, period: Period | None = None
) -> list[Row]:
    """Per project of the library (in title order): needs its activities met (in
    ``period``, if given) and its activities. ``{project_id, title, status, township,
    needs_met, activities}``."""
    offset = rulebook.latest.utc_offset
    met = Counter(
        row["project_id"]
        for row in store.select(NEED, {"status": "met"})
        if row["project_id"] and _met_in(row, period, offset)
    )
    activities = Counter(row["project_id"] for row in store.select(PROJECT_ACTIVITY))
    return [
        {
            "project_id": p["project_id"],
            "title": p["title"],
            "status": p["status"],
            "township": p["township"],
            "needs_met": met[p["project_id"]],
            "activities": activities[p["project_id"]],
        }
        for p in sorted(store.select(PROJECT), key=lambda p: (p["title"], p["project_id"]))
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
        eq = {
            k: v
            for k, v in {
                "status": status,
                "township": township,
                "category": category,
                "station_id": station_id,
            }.items()
            if v
        }
        rows = sorted(
            self.store.select(NEED, eq or None), key=lambda r: (r["raised_at"], r["need_id"])
        )
        if cursor:
            rows = [r for r in rows if (r["raised_at"], r["need_id"]) > tuple(cursor.split("|"))]
        page = rows[:limit]
        more = len(rows) > limit
        return {
            "items": [self._need(r, today) for r in page],
            "next_cursor": f"{page[-1]['raised_at']}|{page[-1]['need_id']}" if more else None,
        }

    def need(self, need_id: str, today: date) -> Row | None:
        row = self.store.get(NEED, (need_id,))
        return None if row is None else self._need(row, today)

    def _project(self, row: Row, met: int, activities: int) -> Row:
        return {
            **{k: v for k, v in row.items() if k not in {"need_ids", "target_beneficiaries"}},
            "category_zh": self.category_label(row["category"]),
            "need_ids": json.loads(row["need_ids"]),
            "target_beneficiaries": json.loads(row["target_beneficiaries"]),
            "needs_met": met,
            "activities": activities,
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
        eq = {k: v for k, v in {"status": status, "category": category}.items() if v}
        after = ("project_id", cursor) if cursor else None
        rows = [
            r
            for r in self.store.select(PROJECT, eq or None, after=after, order_by=("project_id",))
            if not township or r["township"] in (township, "")
        ]
        page, more = rows[:limit], len(rows) > limit
        counts = {c["project_id"]: c for c in needs_met_by_project(self.store, self.rulebook)}
        items = [
            self._project(
                r, counts[r["project_id"]]["needs_met"], counts[r["project_id"]]["activities"]
            )
            for r in page
        ]
        return {"items": items, "next_cursor": page[-1]["project_id"] if more else None}

    def project(self, project_id: str) -> Row | None:
        row = self.store.get(PROJECT, (project_id,))
        if row is None:
            return None
        offset = self.rulebook.latest.utc_offset
        met = [
            r["need_id"]
            for r in self.store.select(NEED, {"project_id": project_id})
            if _met_in(r, None, offset)
        ]
        activities = self.store.select(
            PROJECT_ACTIVITY, {"project_id": project_id}, order_by=("start_date", "activity_id")
        )
        return {
            **self._project(row, len(met), len(activities)),
            "met_need_ids": met,
            "activity_list": [
                {
                    "activity_id": a["activity_id"],
                    "title": a["title"],
                    "start_date": a["start_date"],
                }
                for a in activities
            ],
        }

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
