"""The rows a projection writes during one transaction, coalesced and written together.

See :class:`Batch`: each row's net change is kept, and a batch of thousands of events is
written in a handful of statements when it is flushed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from application.readmodel.store import Row
from application.readmodel.tables import Table
from infrastructure.sqltransaction import Transaction

# A row's net change pending in a batch: [op, row or changes], op one of "insert",
# "upsert" (whole rows), "update" (the changed columns) or "delete" (None).
Pending = dict[tuple[Any, ...], list[Any]]

# What a table without a mirror holds in memory: nothing (only ever read).
_NO_MIRROR: dict[tuple[Any, ...], Row] = {}


class Batch:
    """The RowStore a projection writes to during one transaction.

    Mirrored tables are answered from memory (and kept in step). Writes are coalesced
    per row — the batch keeps only each row's net change — and flushed as one
    ``executemany`` per table and kind of statement, so a batch of thousands of events
    costs a handful of round trips. Rows are independent (no foreign keys), so only the
    order of changes to the same row matters, and coalescing keeps that.
    """

    def __init__(
        self, tx: Transaction, mirrors: dict[str, dict[tuple[Any, ...], Row]], suffix: str = ""
    ) -> None:
        self.tx = tx
        self.mirrors = mirrors
        self.suffix = suffix
        self.pending: dict[str, tuple[Table, Pending]] = {}
        # Rows ``add``ed to created-once tables, in column order: copied in first.
        self.added: dict[str, tuple[Table, list[tuple[Any, ...]]]] = {}

    def _rows(self, table: Table) -> Pending:
        entry = self.pending.get(table.name)
        if entry is None:
            entry = self.pending[table.name] = (table, {})
        return entry[1]

    def flush(self) -> None:
        """Write what is pending: the added rows first, then per table its deletes, its
        whole rows (new and replaced) and its partial updates, in that order."""
        self._flush_added()
        for table, rows in self.pending.values():
            name = f"{table.name}{self.suffix}"
            self._delete(table, name, rows)
            self._write_whole(table, name, rows)
            self._update(table, name, rows)
        self.pending.clear()

    def _flush_added(self) -> None:
        """The rows ``add``ed to created-once tables, copied in."""
        for table, values in self.added.values():
            self.tx.insert_many(table, f"{table.name}{self.suffix}", values)
        self.added.clear()

    def _delete(self, table: Table, name: str, rows: Pending) -> None:
        deletes = _keys(rows, "delete")
        if deletes:
            where = _each_equal(table.key, " AND ")
            self.tx.executemany(self.tx.store.sql(f"DELETE FROM {name} WHERE {where}"), deletes)

    def _write_whole(self, table: Table, name: str, rows: Pending) -> None:
        """New rows by insert, the others by upsert (a mirrored row's partial update among
        them, whole)."""
        self._whole_updates(table, rows)
        inserts = _values(table, rows, "insert")
        if inserts:
            self.tx.insert_many(table, name, inserts)
        upserts = _values(table, rows, "upsert")
        if upserts:
            self.tx.upsert_many(table, name, upserts)

    def _whole_updates(self, table: Table, rows: Pending) -> None:
        """A partial update of a mirrored row made an upsert of the whole row (the mirror
        holds it, updated): one statement for all of them."""
        mirror = self.mirrors.get(table.name, _NO_MIRROR)
        for key in mirror.keys() & _keys(rows, "update"):
            rows[key] = ["upsert", mirror[key]]

    def _update(self, table: Table, name: str, rows: Pending) -> None:
        """The partial updates left, one ``executemany`` per set of columns changed."""
        where = _each_equal(table.key, " AND ")
        for changed, params in _updates_by_columns(rows).items():
            assignments = _each_equal(changed, ", ")
            self.tx.executemany(
                self.tx.store.sql(f"UPDATE {name} SET {assignments} WHERE {where}"), params
            )

    def get(self, table: Table, key: Sequence[Any]) -> Row | None:
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            return mirror.get(tuple(key))
        self.flush()
        return self._select_row(table, key)

    def _select_row(self, table: Table, key: Sequence[Any]) -> Row | None:
        """The row of ``table`` with ``key`` as the database has it (None: no such row)."""
        columns = ", ".join(table.columns)
        where = _each_equal(table.key, " AND ")
        cur = self.tx.conn.execute(
            self.tx.store.sql(f"SELECT {columns} FROM {table.name}{self.suffix} WHERE {where}"),
            self.tx.params(key),
        )
        found = cur.fetchone()
        return dict(zip(table.columns, found, strict=True)) if found else None

    def upsert(self, table: Table, row: Row) -> None:
        key = table.key_getter(row)
        row = dict(row)
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            # One dict serves the mirror and the pending write: later updates go to both alike.
            mirror[key] = row
        rows = self._rows(table)
        # A created-once row new in this batch is copied straight in; anything replacing a
        # row this batch deleted must go through the upsert (the delete runs first).
        op = "insert" if table.created_once and key not in rows else "upsert"
        rows[key] = [op, row]

    def add(self, table: Table, values: tuple[Any, ...]) -> None:
        """Kept apart and copied in before the batch's other writes, which is their order:
        a created-once row is written by the event that introduces its key, before any
        later change to it. Once the table has other writes pending, through ``upsert``
        (which keeps their order)."""
        if table.name in self.pending or table.mirrored or not table.created_once:
            self.upsert(table, dict(zip(table.columns, values, strict=True)))
            return
        entry = self.added.get(table.name)
        if entry is None:
            entry = self.added[table.name] = (table, [])
        entry[1].append(values)

    def update(self, table: Table, key: Sequence[Any], changes: Row) -> None:
        key = tuple(key)
        row = self.mirrors.get(table.name, _NO_MIRROR).get(key)
        if row is not None:
            row.update(changes)
        rows = self._rows(table)
        pending = rows.get(key)
        if pending is None:
            rows[key] = ["update", dict(changes)]
        elif pending[0] != "delete":  # an update of a deleted row changes nothing
            pending[1].update(changes)

    def delete(self, table: Table, key: Sequence[Any]) -> None:
        key = tuple(key)
        self.mirrors.get(table.name, _NO_MIRROR).pop(key, None)
        self._rows(table)[key] = ["delete", None]


def _each_equal(columns: Sequence[str], separator: str) -> str:
    """``column = ?`` for each of ``columns``, joined by ``separator`` (a WHERE's AND, a SET's
    comma)."""
    return separator.join(f"{c} = ?" for c in columns)


def _keys(rows: Pending, op: str) -> list[tuple[Any, ...]]:
    """The keys of the pending ``op`` rows."""
    return [key for key, (kind, _) in rows.items() if kind == op]


def _values(table: Table, rows: Pending, op: str) -> list[tuple[Any, ...]]:
    """The values, in column order, of the pending ``op`` rows (whole rows: insert, upsert)."""
    columns = table.columns
    return [tuple(map(row.get, columns)) for kind, row in rows.values() if kind == op]


def _updates_by_columns(rows: Pending) -> dict[tuple[str, ...], list[tuple[Any, ...]]]:
    """The pending partial updates grouped by the columns they change (sorted): per group
    the parameters of one UPDATE each, its new values then its key."""
    updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for key, (op, changes) in rows.items():
        if op == "update":
            changed = tuple(sorted(changes))
            updates.setdefault(changed, []).append((*(changes[c] for c in changed), *key))
    return updates
