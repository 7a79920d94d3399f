"""Paging, filters and the base every group of queries shares."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from application.readmodel.store import Row, RowReader
from domain.rulebook import Rulebook

CHUNK = 500


class Page(dict[str, Any]):
    """``{"items": [...], "next_cursor": str | None}``."""


def paged(rows: list[Row], limit: int, cursor_of: str) -> Page:
    """The first ``limit`` rows (of ``limit + 1`` read), and the cursor for the next page if there is one."""
    items = rows[:limit]
    return Page(items=items, next_cursor=next_cursor(items, len(rows) > limit, cursor_of))


def next_cursor(items: list[Row], more: bool, cursor_of: str) -> str | None:
    """The cursor of the page after ``items`` (its last row's ``cursor_of``), when there
    are ``more``."""
    return str(items[-1][cursor_of]) if more and items else None


def given(**filters: Any) -> Row | None:
    """The equality filters a query was given (an empty or None value filters nothing);
    None when it was given none."""
    return {column: value for column, value in filters.items() if value} or None


def after(column: str, cursor: Any) -> tuple[str, Any] | None:
    """Where a page starts: after ``cursor`` in ``column`` (None: at the first row)."""
    return (column, cursor) if cursor else None


def from_json(text: str | None, empty: str = "{}") -> Any:
    """A JSON column's value (``empty``'s, for a row written without one)."""
    return json.loads(text or empty)


def station_of(activity: Row) -> Any:
    """The station an activity counts for: its id, or its name where it has none (an
    activity registered before stations had ids); "" for neither."""
    return activity.get("station_id") or activity.get("station") or ""


def span(
    column: str, low: str | None, high: str | None, lowest: str, highest: str
) -> tuple[str, str, str] | None:
    """A range filter on ``column`` from ``low`` to ``high``, an end not given reaching
    ``lowest`` or ``highest``; None when neither is given."""
    if not (low or high):
        return None
    return (column, low or lowest, high or highest)


def grouped(rows: Iterable[Row], column: str) -> dict[Any, list[Row]]:
    """``rows`` by their value in ``column``, in the order read."""
    groups: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return groups


class Reads:
    """What every group of queries reads with: the store (live tables or a replay's memory)
    and the rulebook."""

    def __init__(self, store: RowReader, rulebook: Rulebook) -> None:
        self.store = store
        self.rulebook = rulebook

    def _within(self, table: Any, column: str, values: list[Any], **eq: Any) -> list[Row]:
        found: list[Row] = []
        chunk = self._chunk(len(values))
        for start in range(0, len(values), chunk):
            found += self.store.select(
                table, eq or None, within=(column, values[start : start + chunk])
            )
        return found

    def _chunk(self, count: int) -> int:
        """How many of ``count`` values one select's ``within`` holds: ``CHUNK`` for a
        database's store (a bounded list of parameters), all of them (at least one) for
        the store in memory, which says it is not bounded."""
        return CHUNK if getattr(self.store, "bounded_in", True) else max(1, count)

    def _named(self, row: Row) -> Row:
        """A row naming a category also gives its Chinese label (``category_zh``)."""
        if "category" in row:
            row["category_zh"] = self.rulebook.category_zh(row["category"])
        return row
