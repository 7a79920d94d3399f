"""Paging and the base every group of queries shares."""

from __future__ import annotations

from typing import Any

from application.readmodel.store import Row, RowReader
from domain.rulebook import Rulebook

CHUNK = 500


class Page(dict[str, Any]):
    """``{"items": [...], "next_cursor": str | None}``."""


def paged(rows: list[Row], limit: int, cursor_of: str) -> Page:
    """The first ``limit`` rows (of ``limit + 1`` read), and the cursor for the next page if there is one."""
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, next_cursor=str(items[-1][cursor_of]) if more and items else None)


class Reads:
    """What every group of queries reads with: the store (live tables or a replay's memory)
    and the rulebook."""

    def __init__(self, store: RowReader, rulebook: Rulebook) -> None:
        self.store = store
        self.rulebook = rulebook

    def _within(self, table: Any, column: str, values: list[Any], **eq: Any) -> list[Row]:
        found: list[Row] = []
        chunk = CHUNK if getattr(self.store, "bounded_in", True) else max(1, len(values))
        for start in range(0, len(values), chunk):
            found += self.store.select(
                table, eq or None, within=(column, values[start : start + chunk])
            )
        return found

    def _named(self, row: Row) -> Row:
        """A row naming a category also gives its Chinese label (``category_zh``)."""
        if "category" in row:
            row["category_zh"] = self.rulebook.category_zh(row["category"])
        return row
