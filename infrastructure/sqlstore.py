"""Read-model tables in SQL, on SQLite or PostgreSQL: the connections (opened in
:mod:`.sqlconnect`), the schema, the projections' tracking positions, and the reads
(their SQL text: :mod:`.sqlschema`, :mod:`.sqlselect`). Writes happen in a
:meth:`SqlStore.transaction` (:mod:`.sqltransaction`), a projection's through a
coalescing :class:`.sqlbatch.Batch`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from psycopg.pq import ExecStatus

from application.readmodel.store import Row, key_of
from application.readmodel.tables import Table
from infrastructure.settings import Settings
from infrastructure.sqlconnect import open_connections, pg_transaction, sqlite_transaction
from infrastructure.sqlschema import (
    TRACKING_DDL,
    TRACKING_NOTIFY_DDL,
    TRACKING_TRIGGER_EXISTS,
    added_columns_ddl,
    index_ddl,
    indexes_ddl,
    table_ddl,
)
from infrastructure.sqlselect import get_with_sql, parent_and_children, select_sql, where
from infrastructure.sqltransaction import Transaction, now_iso

TUPLES_OK = ExecStatus.TUPLES_OK

# Indexes built at once at the end of a catch-up (each a PostgreSQL backend's sort).
_INDEX_BUILDERS = 2


class SqlStore:
    """One store's connection(s) for read models. ``suffix`` names shadow tables for rebuilds."""

    def __init__(self, settings: Settings, *, pool_size: int = 4, read_only: bool = False) -> None:
        self.is_postgres = settings.is_postgres
        self._lock = threading.RLock()
        self._pool, self._sqlite = open_connections(settings, pool_size)
        if not read_only:  # a hot standby refuses DDL; its primary made the tables
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
    def transaction(
        self,
        *,
        ddl: bool | Literal["shared"] = False,
        replayable: bool = False,
        safe_text: bool = False,
    ) -> Iterator[Transaction]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so it waits for the write lock).

        ``ddl``: on PostgreSQL, schema changes take an advisory lock first, because two
        processes creating the same table at once fail with "tuple concurrently updated";
        ``"shared"`` takes it shared, for changes that may run together (index builds).
        They run without the statement and answer timeouts (an index over a large table
        takes as long as it takes).

        ``replayable``: the transaction only holds what can be derived again from the event
        log — a projection's rows with its tracking position. On PostgreSQL it commits
        without waiting for the WAL flush (``synchronous_commit = off`` for this transaction
        only). Exactly-once still holds: a server crash can lose only the last commits, each
        whole (rows and position together, in log order), so the durable tracking row still
        says what the durable rows hold, and the runner re-applies from there. Nothing
        durable can depend on a lost commit either: any later synchronous commit on the
        server (an event saved after reading these rows) flushes the WAL up to itself,
        these commits included.

        ``safe_text``: every NUL in a text value written is replaced by U+FFFD (see
        :func:`safe_text`). For a batch that failed on one: the runner retries it so.
        """
        with self.connection() as conn:
            if self.is_postgres:
                with pg_transaction(conn, ddl=ddl, replayable=replayable):
                    yield Transaction(self, conn, safe_text)
            else:
                with sqlite_transaction(conn):
                    yield Transaction(self, conn, safe_text)

    def settle(self, timeout: float) -> None:
        """Wait (up to ``timeout`` s) until the pool has opened the connections it keeps: its
        threads are then idle, not inside libpq, as a process forking needs them to be."""
        if self._pool is not None:
            self._pool.wait(timeout)

    def hold_connections(self) -> None:
        """Keep the pool full from now on (PostgreSQL), as an API process wants: the pool
        otherwise opens connections one at a time when a burst of reads finds it short,
        and closes them again after ten idle minutes."""
        if self._pool is not None:
            self._pool.resize(self._pool.max_size, self._pool.max_size)

    def execute(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as conn:
            cur = conn.execute(self.sql(text), tuple(params))
            return list(cur.fetchall()) if self._returns_rows(cur) else []

    def _returns_rows(self, cur: Any) -> bool:
        """Whether the statement ``cur`` ran returns rows (a SELECT, not an UPDATE)."""
        if self._pool is None:
            return cur.description is not None
        # Not ``cur.description``: psycopg builds a Column per column for it.
        result = cur.pgresult
        return result is not None and result.status == TUPLES_OK

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._sqlite is not None:
            self._sqlite.close()

    # ----------------------------------------------------------------- schema

    def ensure_tracking(self) -> None:
        """The tracking table (and on PostgreSQL its trigger), made once: replacing the
        trigger at every start would lock the table against the runner each time."""
        self._change_schema([TRACKING_DDL])
        if self.is_postgres and not self.execute(TRACKING_TRIGGER_EXISTS):
            self._change_schema(TRACKING_NOTIFY_DDL)

    def _change_schema(self, ddls: Iterable[str]) -> None:
        """``ddls`` run in one transaction under the schema lock."""
        with self.transaction(ddl=True) as tx:
            for ddl in ddls:
                tx.execute(ddl)

    def create_tables(
        self, tables: Iterable[Table], *, suffix: str = "", indexes: bool = True
    ) -> None:
        with self.transaction(ddl=True) as tx:
            for table in tables:
                self._create_table(tx, table, suffix, indexes=indexes)

    def _create_table(self, tx: Transaction, table: Table, suffix: str, *, indexes: bool) -> None:
        """``table`` (named with ``suffix``) made if missing, with the columns it gained
        since, and its secondary indexes if asked."""
        tx.execute(table_ddl(table, suffix, is_postgres=self.is_postgres))
        self._add_columns(tx, table, suffix)
        if indexes:
            for ddl in index_ddl(table, suffix):
                tx.execute(ddl)

    def create_indexes(self, tables: Iterable[Table]) -> None:
        """The secondary indexes of ``tables``, where missing (built in one pass each).

        On PostgreSQL two at a time, each in its own transaction, under a lock of its own
        name and the schema lock shared (held alone, it queued them behind every other
        process's): building them is a catch-up's last step, when the machine's other
        cores are often idle. An index left unbuilt by a crash is built at the next start
        (``IF NOT EXISTS``)."""
        ddls = indexes_ddl(tables)
        if not self.is_postgres or len(ddls) < 2:
            self._change_schema(ddls)
            return
        with ThreadPoolExecutor(max_workers=_INDEX_BUILDERS) as builders:
            list(builders.map(self._create_index, ddls))

    def _create_index(self, ddl: str) -> None:
        # The schema lock shared with other index builds, exclusive with every other schema
        # change (which holds it alone); and two processes building the same index at once
        # would race in the catalogue.
        with self.transaction(ddl="shared") as tx:
            tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (ddl,))
            tx.execute(ddl)

    def _add_columns(self, tx: Transaction, table: Table, suffix: str) -> None:
        """Columns a table gained after a store created it, added (empty) at its end. Runs
        under the schema lock, after the table surely exists."""
        name = table.name + suffix
        for ddl in added_columns_ddl(tx.conn, table, name, is_postgres=self.is_postgres):
            tx.execute(ddl)

    # ----------------------------------------------------------------- tracking

    def register(self, projection: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO rm_tracking (projection, position, generation, error, updated_at) "
                "VALUES (?, 0, 0, NULL, ?) ON CONFLICT (projection) DO NOTHING",
                (projection, now_iso()),
            )

    def tracking(self) -> dict[str, Row]:
        rows = self.execute(
            "SELECT projection, position, generation, error, updated_at FROM rm_tracking"
        )
        fields = ("position", "generation", "error", "updated_at")
        return {
            r[0]: dict(zip(fields, (int(r[1]), int(r[2]), r[3], r[4]), strict=True)) for r in rows
        }

    def positions(self, projections: Sequence[str]) -> tuple[tuple[int, int], ...]:
        """(position, generation) of each named projection, in order ((0, 0) if unknown)."""
        rows = self.execute(
            "SELECT projection, position, generation FROM rm_tracking "
            f"WHERE projection IN ({', '.join('?' * len(projections))})",
            tuple(projections),
        )
        found = {str(r[0]): (int(r[1]), int(r[2])) for r in rows}
        return tuple(found.get(p, (0, 0)) for p in projections)

    # ----------------------------------------------------------------- reads (RowReader)

    def load_table(self, table: Table, suffix: str = "") -> dict[tuple[Any, ...], Row]:
        rows = self.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}{suffix}")
        loaded = (dict(zip(table.columns, r, strict=True)) for r in rows)
        return {key_of(table, row): row for row in loaded}

    def get(self, table: Table, key: Sequence[Any]) -> Row | None:
        found = self.select(table, dict(zip(table.key, key, strict=True)), limit=1)
        return found[0] if found else None

    def get_with(
        self, table: Table, key: Sequence[Any], children: Table, order_by: Sequence[str] = ()
    ) -> tuple[Row | None, list[Row]]:
        """See :meth:`RowReader.get_with`: one query (a left join), one round trip."""
        rows = self.execute(get_with_sql(table, children, order_by), tuple(key))
        return parent_and_children(rows, table, children)

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
        found = where(
            eq,
            within=within,
            between=between,
            after=after,
            descending=descending,
            is_postgres=self.is_postgres,
        )
        if found is None:  # ``within`` no value
            return []
        clauses, params = found
        text = select_sql(table, clauses, order_by=order_by, descending=descending, limit=limit)
        return [dict(zip(table.columns, r, strict=True)) for r in self.execute(text, params)]
