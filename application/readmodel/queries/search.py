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
        if self._is_national_id_of(needle, row):
            return True
        skills: list[str] = json.loads(row["skills"] or "[]")
        return (
            needle in row["name"]
            or (needle.isdigit() and needle in (row["phone"] or ""))
            or any(needle in skill for skill in skills)
        )

    def _is_national_id_of(self, needle: str, row: Row) -> bool:
        """Whether ``needle`` is the row's national id (typed in full width or lower case
        too), for callers who may find someone by one."""
        if not self.match_national_id or len(needle) != 18:
            return False
        return bool(row["national_id"] == needle.translate(_FULL_WIDTH).upper())


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
    for among in _narrowing(store, search):
        rows = [r for r in rows if r["volunteer_id"] in among]
    return rows[:limit], len(rows) > limit


def _narrowing(store: RowReader, search: VolunteerSearch) -> list[set[str]]:
    """The ids each of the search's other filters allows (team, certified star level,
    cover on a date): a match is in every one."""
    allowed = []
    if search.team_id is not None:
        allowed.append(_members(store, search.team_id))
    if search.star_level is not None:
        allowed.append(_certified(store, search.star_level))
    if search.insured_on is not None:
        allowed.append(_insured(store, search.insured_on))
    return allowed


def _members(store: RowReader, team_id: str) -> set[str]:
    return {m["volunteer_id"] for m in store.select(TEAM_MEMBER, {"team_id": team_id})}


def _certified(store: RowReader, star_level: int) -> set[str]:
    return {e["volunteer_id"] for e in store.select(ELIGIBILITY, {"star_certified": star_level})}


def _insured(store: RowReader, on: date) -> set[str]:
    day = on.isoformat()
    return {
        p["volunteer_id"]
        for p in store.select(POLICY, {"cancelled": 0})
        if p["covers_from"] <= day <= p["covers_to"]
    }
