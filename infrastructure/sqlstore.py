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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, Literal

from psycopg.pq import ExecStatus
from psycopg_pool import ConnectionPool

from application.readmodel.store import Row, key_of
from application.readmodel.tables import Table
from infrastructure.listening import TRACKING_CHANNEL
from infrastructure.pgbounds import BoundedConnection, BoundedPool, Bounds, unbounded
from infrastructure.settings import Settings

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_tracking ("
    "projection TEXT PRIMARY KEY, position BIGINT NOT NULL, generation BIGINT NOT NULL, "
    "error TEXT, updated_at TEXT)"
)


# Every move of a projection (its position or generation) is announced at commit, so API
# processes can trust remembered positions until told otherwise (infrastructure/listening.py).
TRACKING_NOTIFY_DDL = (
    "CREATE OR REPLACE FUNCTION vl_tracking_moved() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN PERFORM pg_notify('{TRACKING_CHANNEL}', ''); RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER vl_tracking_moved AFTER UPDATE ON rm_tracking FOR EACH ROW "
    "WHEN (OLD.position IS DISTINCT FROM NEW.position "
    "OR OLD.generation IS DISTINCT FROM NEW.generation) EXECUTE FUNCTION vl_tracking_moved()",
)

TUPLES_OK = ExecStatus.TUPLES_OK
DDL_LOCK = 0x564C5F444444  # "VL_DDL": serialises schema changes across processes


# Indexes built at once at the end of a catch-up (each a PostgreSQL backend's sort).
_INDEX_BUILDERS = 2


class TrackingMoved(Exception):
    """Another runner or a rebuild moved this projection's position: reload and go on."""


class SqlStore:
    """One store's connection(s) for read models. ``suffix`` names shadow tables for rebuilds."""

    def __init__(self, settings: Settings, *, pool_size: int = 4, read_only: bool = False) -> None:
        self.is_postgres = settings.is_postgres
        self._lock = threading.RLock()
        if self.is_postgres:
            options = (
                f"-c search_path={settings.postgres_schema}" if settings.postgres_schema else ""
            )
            bounds = Bounds.of(settings)
            self._pool: ConnectionPool[Any] | None = BoundedPool(
                settings.database_url,
                connection_class=BoundedConnection,
                min_size=1,
                max_size=pool_size,
                kwargs={"autocommit": True, **bounds.kwargs(options)},
                configure=bounds.configure,
                timeout=bounds.pool_timeout,
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
                with conn.transaction(), unbounded(conn) if ddl else nullcontext():
                    if ddl == "shared":
                        conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (DDL_LOCK,))
                    elif ddl:
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
                    if replayable:
                        conn.execute("SET LOCAL synchronous_commit = off")
                    yield Transaction(self, conn, safe_text)
            else:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Transaction(self, conn, safe_text)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")

    def settle(self, timeout: float) -> None:
        """Wait (up to ``timeout`` s) until the pool has opened the connections it keeps: its
        threads are then idle, not inside libpq, as a process forking needs them to be."""
        if self._pool is not None:
            self._pool.wait(timeout)

    def hold_connections(self) -> None:
        """Keep the pool full from now on (PostgreSQL), as an API process wants: the pool
        otherwise opens connections one at a time when a burst of reads finds it short
        (the cold reads after a write waited tens of ms for them) and closes them again
        after ten idle minutes."""
        if self._pool is not None:
            self._pool.resize(self._pool.max_size, self._pool.max_size)

    def execute(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connection() as conn:
            cur = conn.execute(self.sql(text), tuple(params))
            if self._pool is not None:
                # Not ``cur.description``: psycopg builds a Column per column for it, each
                # time — a third of the CPU of a small read such as a ledger's.
                result = cur.pgresult
                returned = result is not None and result.status == TUPLES_OK
            else:
                returned = cur.description is not None
            return list(cur.fetchall()) if returned else []

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._sqlite is not None:
            self._sqlite.close()

    # ----------------------------------------------------------------- schema

    def ensure_tracking(self) -> None:
        """The tracking table (and on PostgreSQL its trigger), made once: replacing the
        trigger at every start would lock the table against the runner each time."""
        with self.transaction(ddl=True) as tx:
            tx.execute(TRACKING_DDL)
        if self.is_postgres and not self.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'vl_tracking_moved' "
            "AND tgrelid = 'rm_tracking'::regclass"
        ):
            with self.transaction(ddl=True) as tx:
                for ddl in TRACKING_NOTIFY_DDL:
                    tx.execute(ddl)

    def create_tables(
        self, tables: Iterable[Table], *, suffix: str = "", indexes: bool = True
    ) -> None:
        with self.transaction(ddl=True) as tx:
            for table in tables:
                tx.execute(self.table_ddl(table, suffix))
                self._add_columns(tx, table, suffix)
                if indexes:
                    for ddl in self.index_ddl(table, suffix):
                        tx.execute(ddl)

    def create_indexes(self, tables: Iterable[Table]) -> None:
        """The secondary indexes of ``tables``, where missing (built in one pass each).

        On PostgreSQL two at a time, each in its own transaction, under a lock of its own
        name and the schema lock shared (held alone, it queued them behind every other
        process's): building them is a catch-up's last step, when the machine's other
        cores are often idle. An index left unbuilt by a crash is built at the next start
        (``IF NOT EXISTS``)."""
        ddls = [ddl for table in tables for ddl in self.index_ddl(table)]
        if not self.is_postgres or len(ddls) < 2:
            with self.transaction(ddl=True) as tx:
                for ddl in ddls:
                    tx.execute(ddl)
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
        """Columns a table gained after a store created it, added (empty) at its end: a
        column is only ever appended to a table's description, so the order stays the
        description's. Runs under the schema lock, after the table surely exists."""
        name = table.name + suffix
        if self.is_postgres:
            found = tx.conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s",
                (name,),
            ).fetchall()
            have = {r[0] for r in found}
        else:
            have = {r[1] for r in tx.conn.execute(f"PRAGMA table_info({name})").fetchall()}
        for column in table.columns:
            if column not in have:
                tx.execute(f"ALTER TABLE {name} ADD COLUMN {column} {self._type(table, column)}")

    def _type(self, table: Table, column: str) -> str:
        # Text compares bytewise on both stores (PostgreSQL's default collation follows the
        # locale), so ISO times, cursors and ids order the same everywhere and in memory.
        if table.is_int(column):
            return "BIGINT"
        return 'TEXT COLLATE "C"' if self.is_postgres else "TEXT"

    def table_ddl(self, table: Table, suffix: str = "") -> str:
        columns = ", ".join(f"{c} {self._type(table, c)}" for c in table.columns)
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
        text = _GET_WITH.get((table.name, children.name, *order_by))
        if text is None:
            on = " AND ".join(f"c.{k} = p.{k}" for k in table.key)
            where = " AND ".join(f"p.{k} = ?" for k in table.key)
            text = (
                f"SELECT {', '.join(f'p.{c}' for c in table.columns)}, "
                f"{', '.join(f'c.{c}' for c in children.columns)} "
                f"FROM {table.name} p LEFT JOIN {children.name} c ON {on} WHERE {where}"
            )
            if order_by:
                text += " ORDER BY " + ", ".join(f"c.{c}" for c in order_by)
            _GET_WITH[(table.name, children.name, *order_by)] = text
        rows = self.execute(text, tuple(key))
        if not rows:
            return None, []
        width = len(table.columns)
        row = dict(zip(table.columns, rows[0][:width], strict=True))
        # Without children the left join gives one row whose child columns are all NULL;
        # a child's key is never NULL.
        present = width + children.columns.index(children.key[0])
        return row, [
            dict(zip(children.columns, r[width:], strict=True))
            for r in rows
            if r[present] is not None
        ]

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
            if self.is_postgres:
                # One array parameter: the same statement text for any number of values
                # (prepared once), not a placeholder each to parse and dump.
                clauses.append(f"{within[0]} = ANY(?)")
                params.append(values)
            else:
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


class Transaction:
    def __init__(self, store: SqlStore, conn: Any, safe_text: bool = False) -> None:
        self.store = store
        self.conn = conn
        # Only PostgreSQL refuses NUL in text; SQLite stores what it is given.
        self.safe_text = safe_text and store.is_postgres

    def execute(self, text: str, params: Sequence[Any] = ()) -> int:
        if self.safe_text:
            params = safe_row(params)
        cur = self.conn.execute(self.store.sql(text), tuple(params))
        return int(cur.rowcount)

    def executemany(self, text: str, params: list[tuple[Any, ...]]) -> None:
        if self.safe_text:
            params = [safe_row(row) for row in params]
        if self.store.is_postgres:
            with self.conn.cursor() as cur:
                cur.executemany(self.store.sql(text), params)
        else:
            self.conn.executemany(text, params)

    def upsert_many(self, table: Table, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Insert or replace whole rows: on PostgreSQL by COPY into a temporary table and one
        INSERT … ON CONFLICT (a few µs a row); on SQLite by ``executemany``."""
        if not self.store.is_postgres or len(rows) < 64:
            self.executemany(self.store.sql(_upsert_sql(table, name)), rows)
            return
        columns = ", ".join(table.columns)
        staging = f"staging_{name}"
        with self.conn.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {name}) ON COMMIT DELETE ROWS"
            )
            _copy(cur, staging, table, [safe_row(r) for r in rows] if self.safe_text else rows)
            updates = ", ".join(f"{c} = excluded.{c}" for c in table.columns if c not in table.key)
            cur.execute(
                f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {staging} "
                f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
            )

    def insert_many(self, table: Table, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows whose keys are new (``created_once`` tables): on PostgreSQL by COPY
        straight into the table, no staging (a key that exists fails the batch); a few
        rows, or on SQLite, by the upsert."""
        if not self.store.is_postgres or len(rows) < 64:
            self.executemany(self.store.sql(_upsert_sql(table, name)), rows)
            return
        with self.conn.cursor() as cur:
            _copy(cur, name, table, [safe_row(r) for r in rows] if self.safe_text else rows)

    def claim(self, projection: str, position: int, generation: int) -> None:
        """Lock the projection's tracking row first (the order a rebuild takes its locks in)
        and check that nobody moved it since we read it."""
        lock = " FOR UPDATE" if self.store.is_postgres else ""
        row = self.conn.execute(
            self.store.sql(
                f"SELECT position, generation FROM rm_tracking WHERE projection = ?{lock}"
            ),
            (projection,),
        ).fetchone()
        if row is None or (int(row[0]), int(row[1])) != (position, generation):
            raise TrackingMoved(
                f"projection {projection!r} moved from position {position} meanwhile"
            )

    def claim_all(self, claims: Sequence[tuple[str, int, int]]) -> None:
        """``claim`` for several projections (name, position, generation) in one statement,
        their rows locked in name order."""
        lock = " FOR UPDATE" if self.store.is_postgres else ""
        marks = ", ".join("?" * len(claims))
        found = {
            str(name): (int(position), int(generation))
            for name, position, generation in self.conn.execute(
                self.store.sql(
                    f"SELECT projection, position, generation FROM rm_tracking "
                    f"WHERE projection IN ({marks}) ORDER BY projection{lock}"
                ),
                tuple(name for name, _, _ in claims),
            ).fetchall()
        }
        for name, position, generation in claims:
            if found.get(name) != (position, generation):
                raise TrackingMoved(f"projection {name!r} moved from position {position} meanwhile")

    def advance_all(self, moves: Sequence[tuple[str, int, int, int]]) -> None:
        """``advance`` for several projections (name, old, new, generation) in one round trip.
        Only after ``claim_all`` in the same transaction: the rows are locked (PostgreSQL) or
        the database is (SQLite), so nobody can have moved them since."""
        now = _now()
        self.executemany(
            self.store.sql(
                "UPDATE rm_tracking SET position = ?, error = NULL, updated_at = ? "
                "WHERE projection = ? AND position = ? AND generation = ?"
            ),
            [(new, now, name, old, generation) for name, old, new, generation in moves],
        )

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
        sql = self.tx.store.sql
        for table, values in self.added.values():
            self.tx.insert_many(table, f"{table.name}{self.suffix}", values)
        self.added.clear()
        for table, rows in self.pending.values():
            name = f"{table.name}{self.suffix}"
            where = " AND ".join(f"{c} = ?" for c in table.key)
            deletes = [key for key, (op, _) in rows.items() if op == "delete"]
            if deletes:
                self.tx.executemany(sql(f"DELETE FROM {name} WHERE {where}"), deletes)
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
                    # The mirror holds the whole row: write it whole, with the others.
                    upserts.append(tuple(map(mirror[key].get, columns)))
                    rows[key] = ["written", None]
            if inserts:
                self.tx.insert_many(table, name, inserts)
            if upserts:
                self.tx.upsert_many(table, name, upserts)
            updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            for key, (op, changes) in rows.items():
                if op == "update":
                    changed = tuple(sorted(changes))
                    updates.setdefault(changed, []).append((*(changes[c] for c in changed), *key))
            for changed, params in updates.items():
                assignments = ", ".join(f"{c} = ?" for c in changed)
                self.tx.executemany(sql(f"UPDATE {name} SET {assignments} WHERE {where}"), params)
        self.pending.clear()

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


# What a NUL in stored text becomes in a PostgreSQL read model, which cannot hold one:
# U+FFFD REPLACEMENT CHARACTER, Unicode's sign for "a character that could not be shown".
# Commands refuse NUL since the text rules (domain.values.check_text); events stored
# before them may hold one, and their projections must not stop for ever on it.
NUL_REPLACEMENT = "\ufffd"


def safe_text(value: str) -> str:
    """``value`` with each NUL replaced by :data:`NUL_REPLACEMENT`."""
    return value.replace("\x00", NUL_REPLACEMENT)


def safe_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(safe_text(v) if isinstance(v, str) and "\x00" in v else v for v in row)


_UPSERTS: dict[tuple[str, str], str] = {}
_GET_WITH: dict[tuple[str, ...], str] = {}


def _copy(cur: Any, name: str, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """COPY ``rows`` into ``name`` in the binary format, each column as the type the table
    gives it (BIGINT or TEXT): no text to escape on our side nor to parse on the server's
    (half the client's CPU of the text format, measured on audit rows)."""
    types = ["int8" if table.is_int(c) else "text" for c in table.columns]
    with cur.copy(f"COPY {name} ({', '.join(table.columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _upsert_sql(table: Table, name: str) -> str:
    text = _UPSERTS.get((table.name, name))
    if text is None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in table.columns if c not in table.key)
        text = _UPSERTS[(table.name, name)] = (
            f"INSERT INTO {name} ({', '.join(table.columns)}) "
            f"VALUES ({', '.join('?' * len(table.columns))}) "
            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
        )
    return text


def _now() -> str:
    return datetime.now(UTC).isoformat()
