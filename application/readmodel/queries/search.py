"""Finding people (GET /volunteers?q=…): by name, phone, skill or exact national id, within
a township, team, status, certified star level and cover on a date.

Emergency rescue asks "who with these skills is active and insured today in this
township": that is ``q=急救&township=…&status=active&insured_on=today``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from application.readmodel.queries.reads import after, given
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
        return self._is_national_id_of(needle, row) or _mentions(row, needle)

    def _is_national_id_of(self, needle: str, row: Row) -> bool:
        """Whether ``needle`` is the row's national id (typed in full width or lower case
        too), for callers who may find someone by one."""
        if not self.match_national_id or len(needle) != 18:
            return False
        return bool(row["national_id"] == needle.translate(_FULL_WIDTH).upper())


def _mentions(row: Row, needle: str) -> bool:
    """Whether the volunteer's name, phone (for a needle of digits) or a skill holds ``needle``."""
    return (
        needle in row["name"]
        or _in_phone(row, needle)
        or any(needle in skill for skill in json.loads(row["skills"] or "[]"))
    )


def _in_phone(row: Row, needle: str) -> bool:
    return needle.isdigit() and needle in (row["phone"] or "")


def search_volunteers(
    store: RowReader, search: VolunteerSearch, *, limit: int, cursor: str | None
) -> tuple[list[Row], bool]:
    """The matching rows after ``cursor`` in id order (at most ``limit``), and whether more
    match. Volunteers are a county's thousands: filtered here, after one indexed read."""
    rows = store.select(
        VOLUNTEER,
        given(township=search.township, status=search.status),
        after=after("volunteer_id", cursor),
        order_by=("volunteer_id",),
    )
    rows = _narrowed([r for r in rows if search.matches_text(r)], store, search)
    return rows[:limit], len(rows) > limit


def _narrowed(rows: list[Row], store: RowReader, search: VolunteerSearch) -> list[Row]:
    """The ``rows`` every one of the search's other filters allows."""
    for among in _narrowing(store, search):
        rows = [r for r in rows if r["volunteer_id"] in among]
    return rows


def _narrowing(store: RowReader, search: VolunteerSearch) -> list[set[str]]:
    """The ids each of the search's other filters allows (team, certified star level,
    cover on a date): a match is in every one."""
    return [
        allowed(store, getattr(search, name))
        for name, allowed in NARROWING
        if getattr(search, name) is not None
    ]


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


# The search's filters that narrow by another table, and the ids each allows.
NARROWING: tuple[tuple[str, Callable[[RowReader, Any], set[str]]], ...] = (
    ("team_id", _members),
    ("star_level", _certified),
    ("insured_on", _insured),
)
