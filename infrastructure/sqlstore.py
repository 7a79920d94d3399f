"""Read-model tables in SQL, on SQLite or PostgreSQL: DDL, batched writes, selects, tracking.

The same :class:`~application.readmodel.tables.Table` descriptions drive both stores.
Writes happen in batches: each batch's rows and the projection's tracking position
commit in one transaction, guarded by an optimistic check on the tracking row so two
runners (or a runner and a rebuild) can never both apply the same events.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from psycopg_pool import ConnectionPool

from application.readmodel.store import Row, key_of
from application.readmodel.tables import Table
from infrastructure.settings import Settings

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_tracking ("
    "projection TEXT PRIMARY KEY, position BIGINT NOT NULL, generation BIGINT NOT NULL, "
    "error TEXT, updated_at TEXT)"
)


class TrackingMoved(Exception):
    """Another runner or a rebuild moved this projection's position: reload and go on."""


class SqlStore:
    """One store's connection(s) for read models. ``suffix`` names shadow tables for rebuilds."""

    def __init__(self, settings: Settings, *, pool_size: int = 4) -> None:
        self.is_postgres = settings.is_postgres
        self._lock = threading.RLock()
        if self.is_postgres:
            options = (
                f"-c search_path={settings.postgres_schema}" if settings.postgres_schema else ""
            )
            self._pool: ConnectionPool[Any] | None = ConnectionPool(
                settings.database_url,
                min_size=1,
                max_size=pool_size,
                kwargs={"autocommit": True, "options": options}
                if options
                else {"autocommit": True},
                timeout=settings.postgres_connect_timeout_seconds,
                open=True,
            )
            self._sqlite: sqlite3.Connection | None = None
        else:
            self._pool = None
            path = settings.sqlite_path
            path.parent.mkdir(parents=True, exist_ok=True)
            self._sqlite = sqlite3.connect(
                str(path),
                isolation_level=None,
                check_same_thread=False,
                timeout=settings.sqlite_lock_timeout_seconds,
            )
            self._sqlite.execute("PRAGMA journal_mode=WAL")
            self._sqlite.execute("PRAGMA synchronous=NORMAL")
        self.ensure_tracking()

    # ----------------------------------------------------------------- plumbing

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.is_postgres else text

    @contextmanager
    def connection(self) -> Iterator[Any]:
        if self._pool is not None:
            with self._pool.connection() as conn:
                yield conn
        else:
            with self._lock:
                yield self._sqlite

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so it waits for the write lock)."""
        with self.connection() as conn:
            if self.is_postgres:
                with conn.transaction():
                    yield Transaction(self, conn)
            else:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Transaction(self, conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")

    def execute(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as conn:
            cur = conn.execute(self.sql(text), tuple(params))
            return list(cur.fetchall()) if cur.description else []

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._sqlite is not None:
            self._sqlite.close()

    # ----------------------------------------------------------------- schema

    def ensure_tracking(self) -> None:
        with self.transaction() as tx:
            tx.execute(TRACKING_DDL)

    def create_tables(
        self, tables: Iterable[Table], *, suffix: str = "", indexes: bool = True
    ) -> None:
        with self.transaction() as tx:
            for table in tables:
                tx.execute(self.table_ddl(table, suffix))
                if indexes:
                    for ddl in self.index_ddl(table, suffix):
                        tx.execute(ddl)

    def table_ddl(self, table: Table, suffix: str = "") -> str:
        columns = ", ".join(f"{c} {'BIGINT' if table.is_int(c) else 'TEXT'}" for c in table.columns)
        return (
            f"CREATE TABLE IF NOT EXISTS {table.name}{suffix} "
            f"({columns}, PRIMARY KEY ({', '.join(table.key)}))"
        )

    def index_ddl(self, table: Table, suffix: str = "") -> list[str]:
        return [
            f"CREATE INDEX IF NOT EXISTS ix_{table.name}{suffix}_{'_'.join(cols)} "
            f"ON {table.name}{suffix} ({', '.join(cols)})"
            for cols in table.indexes
        ]

    def register(self, projection: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO rm_tracking (projection, position, generation, error, updated_at) "
                "VALUES (?, 0, 0, NULL, ?) ON CONFLICT (projection) DO NOTHING",
                (projection, _now()),
            )

    def tracking(self) -> dict[str, Row]:
        rows = self.execute(
            "SELECT projection, position, generation, error, updated_at FROM rm_tracking"
        )
        return {
            r[0]: {
                "position": int(r[1]),
                "generation": int(r[2]),
                "error": r[3],
                "updated_at": r[4],
            }
            for r in rows
        }

    # ----------------------------------------------------------------- reads (RowStore)

    def load_table(self, table: Table, suffix: str = "") -> dict[tuple[Any, ...], Row]:
        rows = self.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}{suffix}")
        loaded = (dict(zip(table.columns, r, strict=True)) for r in rows)
        return {key_of(table, row): row for row in loaded}

    def get(self, table: Table, key: Sequence[Any]) -> Row | None:
        found = self.select(table, dict(zip(table.key, key, strict=True)), limit=1)
        return found[0] if found else None

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
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (eq or {}).items():
            if value is None:
                clauses.append(f"{column} IS NULL")
            else:
                clauses.append(f"{column} = ?")
                params.append(value)
        if within is not None:
            values = list(within[1])
            if not values:
                return []
            clauses.append(f"{within[0]} IN ({', '.join('?' * len(values))})")
            params += values
        if between is not None:
            clauses.append(f"{between[0]} >= ? AND {between[0]} < ?")
            params += [between[1], between[2]]
        if after is not None:
            clauses.append(f"{after[0]} {'<' if descending else '>'} ?")
            params.append(after[1])
        text = f"SELECT {', '.join(table.columns)} FROM {table.name}"
        if clauses:
            text += " WHERE " + " AND ".join(clauses)
        if order_by:
            direction = " DESC" if descending else ""
            text += " ORDER BY " + ", ".join(f"{c}{direction}" for c in order_by)
        if limit is not None:
            text += f" LIMIT {int(limit)}"
        return [dict(zip(table.columns, r, strict=True)) for r in self.execute(text, params)]

    # ----------------------------------------------------------------- writes (RowStore)

    def upsert(self, table: Table, row: Row) -> None:
        with self.transaction() as tx:
            Batch(tx, {}).upsert(table, row)

    def update(self, table: Table, key: Sequence[Any], changes: Row) -> None:
        with self.transaction() as tx:
            Batch(tx, {}).update(table, key, changes)

    def delete(self, table: Table, key: Sequence[Any]) -> None:
        with self.transaction() as tx:
            Batch(tx, {}).delete(table, key)


class Transaction:
    def __init__(self, store: SqlStore, conn: Any) -> None:
        self.store = store
        self.conn = conn

    def execute(self, text: str, params: Sequence[Any] = ()) -> int:
        cur = self.conn.execute(self.store.sql(text), tuple(params))
        return int(cur.rowcount)

    def executemany(self, text: str, params: list[tuple[Any, ...]]) -> None:
        if self.store.is_postgres:
            with self.conn.cursor() as cur:
                cur.executemany(self.store.sql(text), params)
        else:
            self.conn.executemany(text, params)

    def advance(
        self, projection: str, old: int, new: int, generation: int, error: str | None = None
    ) -> None:
        """Move the tracking position, only if nobody else moved it since we read it."""
        moved = self.execute(
            "UPDATE rm_tracking SET position = ?, error = ?, updated_at = ? "
            "WHERE projection = ? AND position = ? AND generation = ?",
            (new, error, _now(), projection, old, generation),
        )
        if moved != 1:
            raise TrackingMoved(f"projection {projection!r} moved from position {old} meanwhile")


class Batch:
    """The RowStore a projection writes to during one transaction.

    Mirrored tables are answered from memory (and kept in step); every write is queued
    in order and flushed with consecutive identical statements merged into one
    ``executemany``.
    """

    def __init__(
        self, tx: Transaction, mirrors: dict[str, dict[tuple[Any, ...], Row]], suffix: str = ""
    ) -> None:
        self.tx = tx
        self.mirrors = mirrors
        self.suffix = suffix
        self.ops: list[tuple[str, tuple[Any, ...]]] = []

    def flush(self) -> None:
        index = 0
        while index < len(self.ops):
            text = self.ops[index][0]
            end = index
            while end < len(self.ops) and self.ops[end][0] == text:
                end += 1
            self.tx.executemany(text, [params for _, params in self.ops[index:end]])
            index = end
        self.ops.clear()

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
            tuple(key),
        )
        found = cur.fetchone()
        return dict(zip(table.columns, found, strict=True)) if found else None

    def upsert(self, table: Table, row: Row) -> None:
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            mirror[key_of(table, row)] = dict(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in table.columns if c not in table.key)
        text = (
            f"INSERT INTO {table.name}{self.suffix} ({', '.join(table.columns)}) "
            f"VALUES ({', '.join('?' * len(table.columns))}) "
            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
        )
        self.ops.append((self.tx.store.sql(text), tuple(row.get(c) for c in table.columns)))

    def update(self, table: Table, key: Sequence[Any], changes: Row) -> None:
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            row = mirror.get(tuple(key))
            if row is not None:
                row.update(changes)
        columns = sorted(changes)
        text = (
            f"UPDATE {table.name}{self.suffix} SET {', '.join(f'{c} = ?' for c in columns)} "
            f"WHERE {' AND '.join(f'{c} = ?' for c in table.key)}"
        )
        self.ops.append((self.tx.store.sql(text), (*(changes[c] for c in columns), *key)))

    def delete(self, table: Table, key: Sequence[Any]) -> None:
        mirror = self.mirrors.get(table.name)
        if mirror is not None:
            mirror.pop(tuple(key), None)
        where = " AND ".join(f"{c} = ?" for c in table.key)
        self.ops.append(
            (self.tx.store.sql(f"DELETE FROM {table.name}{self.suffix} WHERE {where}"), tuple(key))
        )

    def select(self, *args: Any, **kwargs: Any) -> list[Row]:
        raise NotImplementedError("projections read only by key while applying events")


def _now() -> str:
    return datetime.now(UTC).isoformat()
