"""Finding people (GET /volunteers?q=…): by name, phone, skill or exact national id, within
a township, team, status, certified star level and cover on a date.

Emergency rescue asks "who with these skills is active and insured today in this
township": that is ``q=急救&township=…&status=active&insured_on=today``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from application.readmodel.store import Row, RowReader
from application.readmodel.tables import ELIGIBILITY, POLICY, TEAM_MEMBER, VOLUNTEER

# Chinese input methods type full-width digits and letters: a typed id matches as ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")


@dataclass(frozen=True)
class VolunteerSearch:
    q: str | None = None
    township: str | None = None
    team_id: str | None = None
    status: str | None = None
    star_level: int | None = None
    insured_on: date | None = None
    # Only callers who see national ids in full may find someone by one.
    match_national_id: bool = False

    def matches_text(self, row: Row) -> bool:
        if not self.q:
            return True
        needle = self.q.strip()
        if self.match_national_id and len(needle) == 18:
            typed = needle.translate(_FULL_WIDTH).upper()
            if row["national_id"] == typed:
                return True
        skills: list[str] = json.loads(row["skills"] or "[]")
        return (
            needle in row["name"]
            or (needle.isdigit() and needle in (row["phone"] or ""))
            or any(needle in skill for skill in skills)
        )


def search_volunteers(
    store: RowReader, search: VolunteerSearch, *, limit: int, cursor: str | None
) -> tuple[list[Row], bool]:
    """The matching rows after ``cursor`` in id order (at most ``limit``), and whether more
    match. Volunteers are a county's thousands: filtered here, after one indexed read."""
    eq = {k: v for k, v in {"township": search.township, "status": search.status}.items() if v}
    after = ("volunteer_id", cursor) if cursor else None
    rows = [
        r
        for r in store.select(VOLUNTEER, eq or None, after=after, order_by=("volunteer_id",))
        if search.matches_text(r)
    ]
    if search.team_id is not None:
        members = {
            m["volunteer_id"] for m in store.select(TEAM_MEMBER, {"team_id": search.team_id})
        }
        rows = [r for r in rows if r["volunteer_id"] in members]
    if search.star_level is not None:
        certified = {
            e["volunteer_id"]
            for e in store.select(ELIGIBILITY, {"star_certified": search.star_level})
        }
        rows = [r for r in rows if r["volunteer_id"] in certified]
    if search.insured_on is not None:
        day = search.insured_on.isoformat()
        covered = {
            p["volunteer_id"]
            for p in store.select(POLICY, {"cancelled": 0})
            if p["covers_from"] <= day <= p["covers_to"]
        }
        rows = [r for r in rows if r["volunteer_id"] in covered]
    return rows[:limit], len(rows) > limit
