"""The in-memory meaning of a select (see :class:`~application.readmodel.store.MemoryStore`):
which rows its filters keep, and the order it gives them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def matches(
    row: dict[str, Any],
    eq: dict[str, Any] | None,
    within: tuple[str, set[Any]] | None,
    between: tuple[str, Any, Any] | None,
    after: tuple[str, Any] | None,
    descending: bool = False,
) -> bool:
    """The in-memory meaning of a select's filters (``between`` is half-open: [low, high))."""
    if eq and any(row.get(c) != v for c, v in eq.items()):
        return False
    if within is not None and row.get(within[0]) not in within[1]:
        return False
    if between is not None:
        value = row.get(between[0])
        if value is None or not between[1] <= value < between[2]:
            return False
    if after is not None:
        value = row.get(after[0])
        if value is None or not (value < after[1] if descending else value > after[1]):
            return False
    return True


def sort_rows(rows: list[dict[str, Any]], order_by: Sequence[str], descending: bool) -> None:
    """Sort ``rows`` in place by the ``order_by`` columns, a missing value first."""
    if order_by:
        rows.sort(key=lambda r: tuple(_sortable(r.get(c)) for c in order_by), reverse=descending)


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A primary key made sortable, a missing part first."""
    return tuple(_sortable(k) for k in key)
