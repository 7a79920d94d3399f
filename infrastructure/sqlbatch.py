"""The rows a projection writes during one transaction, coalesced and written together.

See :class:`Batch`: each row's net change is kept, and a batch of thousands of events is
written in a handful of statements when it is flushed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from application.readmodel.store import Row
from application.readmodel.tables import Table
from infrastructure.sqltransaction import Transaction, safe_row


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
        self.pending: dict[str, tuple[Table, dict[tuple[Any, ...], list[Any]]]] = {}
        # Rows ``add``ed to created-once tables, in column order: copied in first.
        self.added: dict[str, tuple[Table, list[tuple[Any, ...]]]] = {}

    def _rows(self, table: Table) -> dict[tuple[Any, ...], list[Any]]:
        entry = self.pending.get(table.name)
        if entry is None:
            entry = self.pending[table.name] = (table, {})
        return entry[1]

    def flush(self) -> None:
        """Write what is pending: the added rows first, then per table its deletes, its
        whole rows (new and replaced) and its partial updates, in that order."""
        for table, values in self.added.values():
            self.tx.insert_many(table, f"{table.name}{self.suffix}", values)
        self.added.clear()
        for table, rows in self.pending.values():
            name = f"{table.name}{self.suffix}"
            self._delete(table, name, rows)
            self._write_whole(table, name, rows)
            self._update(table, name, rows)
        self.pending.clear()

    def _delete(self, table: Table, name: str, rows: dict[tuple[Any, ...], list[Any]]) -> None:
        deletes = [key for key, (op, _) in rows.items() if op == "delete"]
        if deletes:
            where = " AND ".join(f"{c} = ?" for c in table.key)
            self.tx.executemany(self.tx.store.sql(f"DELETE FROM {name} WHERE {where}"), deletes)

    def _write_whole(self, table: Table, name: str, rows: dict[tuple[Any, ...], list[Any]]) -> None:
        """New rows by insert, the others by upsert. A partial update of a mirrored row is
        written whole with them (the mirror holds the whole row) and marked written."""
        mirror = self.mirrors.get(table.name)
        columns = table.columns
        upserts = []
        inserts = []
        for key, entry in rows.items():
            op, row = entry
            if op == "upsert":
                upserts.append(tuple(map(row.get, columns)))
            elif op == "insert":
                inserts.append(tuple(map(row.get, columns)))
            elif op == "update" and mirror is not None and key in mirror:
                upserts.append(tuple(map(mirror[key].get, columns)))
                rows[key] = ["written", None]
        if inserts:
            self.tx.insert_many(table, name, inserts)
        if upserts:
            self.tx.upsert_many(table, name, upserts)

    def _update(self, table: Table, name: str, rows: dict[tuple[Any, ...], list[Any]]) -> None:
        """The partial updates left, one ``executemany`` per set of columns changed."""
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for key, (op, changes) in rows.items():
            if op == "update":
                changed = tuple(sorted(changes))
                updates.setdefault(changed, []).append((*(changes[c] for c in changed), *key))
        where = " AND ".join(f"{c} = ?" for c in table.key)
        for changed, params in updates.items():
            assignments = ", ".join(f"{c} = ?" for c in changed)
            self.tx.executemany(
                self.tx.store.sql(f"UPDATE {name} SET {assignments} WHERE {where}"), params
            )

    def get(self, table: Table, key: Sequence[Any]) -> Row | None:
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            return mirror.get(tuple(key))
        self.flush()
        where = " AND ".join(f"{c} = ?" for c in table.key)
        cur = self.tx.conn.execute(
            self.tx.store.sql(
                f"SELECT {', '.join(table.columns)} FROM {table.name}{self.suffix} WHERE {where}"
            ),
            safe_row(key) if self.tx.safe_text else tuple(key),
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
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            row = mirror.get(key)
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
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            mirror.pop(key, None)
        self._rows(table)[key] = ["delete", None]
