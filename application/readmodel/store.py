"""The row store a projection writes to and a query reads from, and its in-memory form.

The in-memory store serves replay (time travel, annual review, rebuild checks); the SQL
store in infrastructure serves the live read models. Both answer the same reads (and the
runner's batch and the in-memory store take the same writes), so
projections and queries are written once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from application.readmodel.selecting import matches, sort_key, sort_rows
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
        sort_rows(found, order_by, descending)
        return found[:limit] if limit is not None else found

    def snapshot(self, tables: Iterable[Table]) -> dict[str, list[Row]]:
        """Every row of ``tables``, sorted by key: for comparing two builds."""
        return {
            t.name: [
                dict(r) for _, r in sorted(self._rows(t).items(), key=lambda kv: sort_key(kv[0]))
            ]
            for t in tables
        }


class LayeredStore(MemoryStore):
    """A :class:`MemoryStore` that starts from a saved state (a checkpoint), each table
    loaded on its first use, so events applied after the checkpoint and the queries then
    asked pay only for the tables they touch.

    New rows of a table not yet loaded (:meth:`add`) wait, in order, until it is: the audit
    trail gets one per event but is rarely read. Tables named in ``discard`` are not kept
    at all (their rows are written, never read, by whoever builds a checkpoint); reading
    one is an error rather than a wrong answer.
    """

    def __init__(
        self,
        load: Callable[[Table], Iterable[Row]] | None = None,
        *,
        discard: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self._load = load
        self._discard = frozenset(discard)
        self._pending: dict[str, list[tuple[Any, ...]]] = {}

    def _rows(self, table: Table) -> dict[tuple[Any, ...], Row]:
        rows = self.tables.get(table.name)
        if rows is None:
            rows = self.tables[table.name] = self._loaded(table)  # whole before anyone sees it
        return rows

    def _loaded(self, table: Table) -> dict[tuple[Any, ...], Row]:
        """A table on its first use: its rows in the saved state, then the new rows that
        waited for it, in order."""
        if table.name in self._discard:
            raise RuntimeError(f"{table.name} is not kept here, so it cannot be read")
        rows = {}
        if self._load is not None:
            for row in self._load(table):
                rows[key_of(table, row)] = row
        for values in self._pending.pop(table.name, ()):
            row = dict(zip(table.columns, values, strict=True))
            rows[key_of(table, row)] = row
        return rows

    def add(self, table: Table, values: tuple[Any, ...]) -> None:
        if table.name in self.tables:
            super().add(table, values)
        elif table.name not in self._discard:
            self._pending.setdefault(table.name, []).append(values)

    def upsert(self, table: Table, row: Row) -> None:
        if table.name not in self._discard:
            super().upsert(table, row)

    def rows(self, table: Table) -> list[Row]:
        """Every row of ``table`` (loading it if need be), in no particular order."""
        return list(self._rows(table).values())


class Applier(Protocol):
    """A projection, as far as :class:`CutStore` needs one."""

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> tuple[Table, ...]: ...

    def apply(self, store: RowStore, event: Any, position: int) -> None: ...


class CutStore(LayeredStore):
    """The read models at a cut: a saved state (a checkpoint) and the events after it,
    each projection brought to the cut only when one of its tables is first used.

    A time-travel read asks one or two read models (a ranking, a ledger); it need not pay
    for loading and replaying the others. Projections touch only their own tables (each
    keeps its own position in the runner), so building one alone is building it. Queries
    may share the store from several threads: loading and building are serialised, and
    ``guard`` (a bound on concurrent replays) is held while a projection is built.
    """

    def __init__(
        self,
        projections: Sequence[Applier],
        events: Callable[[], Sequence[tuple[int, Any]]],
        load: Callable[[Table], Iterable[Row]] | None = None,
        *,
        guard: Callable[[], AbstractContextManager[Any]] = nullcontext,
    ) -> None:
        super().__init__(load)
        self._owner = {t.name: p for p in projections for t in p.tables}
        self._events = events
        self._guard = guard
        self._built: set[str] = set()
        self._building: set[str] = set()
        self._lock = threading.RLock()

    def _rows(self, table: Table) -> dict[tuple[Any, ...], Row]:
        rows = self.tables.get(table.name)
        if rows is not None:
            return rows
        with self._lock:
            owner = self._owner.get(table.name)
            if owner is not None and owner.name not in self._built | self._building:
                self._build(owner)
            return super()._rows(table)

    def _build(self, projection: Applier) -> None:
        with self._guard():
            self._building.add(projection.name)
            try:
                for position, event in self._events():
                    projection.apply(self, event, position)
            except BaseException:
                self._forget(projection)
                raise
            finally:
                self._building.discard(projection.name)
            self._built.add(projection.name)

    def _forget(self, projection: Applier) -> None:
        """Drop what a failed build of ``projection`` wrote: not half-built, the next use
        of its tables starts it again."""
        for t in projection.tables:
            self.tables.pop(t.name, None)
            self._pending.pop(t.name, None)

    def add(self, table: Table, values: tuple[Any, ...]) -> None:
        with self._lock:
            super().add(table, values)

    @property
    def built(self) -> frozenset[str]:
        """The projections brought to the cut so far."""
        return frozenset(self._built)

    def build_all(self) -> None:
        """Every projection brought to the cut now (a replay's whole cost, paid at once)."""
        with self._lock:
            for projection in {id(p): p for p in self._owner.values()}.values():
                if projection.name not in self._built:
                    self._build(projection)
