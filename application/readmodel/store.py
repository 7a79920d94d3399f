"""The row store a projection writes to and a query reads from, and its in-memory form.

The in-memory store serves replay (time travel, annual review, rebuild checks); the SQL
store in infrastructure serves the live read models. Both answer the same reads (and the
runner's batch and the in-memory store take the same writes), so
projections and queries are written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from application.readmodel.tables import Table

Row = dict[str, Any]


class RowReader(Protocol):
    """What a query needs: rows by key, and filtered selections."""

    def get(self, table: Table, key: Sequence[Any]) -> Row | None: ...

    def get_with(
        self, table: Table, key: Sequence[Any], children: Table, order_by: Sequence[str] = ()
    ) -> tuple[Row | None, list[Row]]:
        """A row by key and, in one read, its children: the rows of ``children`` whose
        columns named like ``table``'s key hold that key, sorted by ``order_by``
        (``(None, [])`` when there is no such row)."""
        ...

    def select(
        self,
        table: Table,
        eq: Row | None = None,
        *,
        within: tuple[str, Iterable[Any]] | None = None,
        between: tuple[str, Any, Any] | None = None,
        after: tuple[str, Any] | None = None,
        order_by: Sequence[str] = (),
        descending: bool = False,
        limit: int | None = None,
    ) -> list[Row]: ...


class RowStore(Protocol):
    """What a projection needs while applying events: rows by key, and writes."""

    def get(self, table: Table, key: Sequence[Any]) -> Row | None: ...

    def upsert(self, table: Table, row: Row) -> None: ...

    def add(self, table: Table, values: tuple[Any, ...]) -> None:
        """A new row of a ``created_once`` table, as its values in column order (the hot
        path of one row per event: no dict to build, copy and read back)."""
        ...

    def update(self, table: Table, key: Sequence[Any], changes: Row) -> None: ...

    def delete(self, table: Table, key: Sequence[Any]) -> None: ...


def key_of(table: Table, row: Row) -> tuple[Any, ...]:
    return table.key_getter(row)


def matches(
    row: Row,
    eq: Row | None,
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


class MemoryStore:
    """All tables as dicts keyed by primary key: for replay up to any position."""

    bounded_in = False  # a select's ``within`` may hold any number of values

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[Any, ...], Row]] = {}

    def _rows(self, table: Table) -> dict[tuple[Any, ...], Row]:
        return self.tables.setdefault(table.name, {})

    def get(self, table: Table, key: Sequence[Any]) -> Row | None:
        return self._rows(table).get(tuple(key))

    def get_with(
        self, table: Table, key: Sequence[Any], children: Table, order_by: Sequence[str] = ()
    ) -> tuple[Row | None, list[Row]]:
        row = self.get(table, key)
        if row is None:
            return None, []
        return row, self.select(children, dict(zip(table.key, key, strict=True)), order_by=order_by)

    def upsert(self, table: Table, row: Row) -> None:
        self._rows(table)[key_of(table, row)] = dict(row)

    def add(self, table: Table, values: tuple[Any, ...]) -> None:
        self.upsert(table, dict(zip(table.columns, values, strict=True)))

    def update(self, table: Table, key: Sequence[Any], changes: Row) -> None:
        row = self._rows(table).get(tuple(key))
        if row is not None:
            row.update(changes)

    def delete(self, table: Table, key: Sequence[Any]) -> None:
        self._rows(table).pop(tuple(key), None)

    def select(
        self,
        table: Table,
        eq: Row | None = None,
        *,
        within: tuple[str, Iterable[Any]] | None = None,
        between: tuple[str, Any, Any] | None = None,
        after: tuple[str, Any] | None = None,
        order_by: Sequence[str] = (),
        descending: bool = False,
        limit: int | None = None,
    ) -> list[Row]:
        members = (within[0], set(within[1])) if within is not None else None
        found = [
            dict(r) for r in self._rows(table).values() if matches(r, eq, members, between, after)
        ]
        if order_by:
            found.sort(
                key=lambda r: tuple(_sortable(r.get(c)) for c in order_by), reverse=descending
            )
        return found[:limit] if limit is not None else found

    def snapshot(self, tables: Iterable[Table]) -> dict[str, list[Row]]:
        """Every row of ``tables``, sorted by key: for comparing two builds."""
        return {
            t.name: [dict(r) for _, r in sorted(self._rows(t).items(), key=lambda kv: _key(kv[0]))]
            for t in tables
        }


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def _key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_sortable(k) for k in key)
