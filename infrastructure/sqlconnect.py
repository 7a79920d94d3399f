"""The connections of a read-model store (:class:`~infrastructure.sqlstore.SqlStore`):
opening them, on PostgreSQL (a bounded pool) or SQLite (one file), and one write
transaction on each."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, Literal

from psycopg_pool import ConnectionPool

from infrastructure.pgbounds import BoundedConnection, BoundedPool, Bounds, unbounded
from infrastructure.settings import Settings
from infrastructure.sqlschema import DDL_LOCK

# The schema lock a ``transaction(ddl=...)`` takes on PostgreSQL: shared for changes that
# may run together (index builds), else exclusive.
_SCHEMA_LOCKS = {
    "shared": "SELECT pg_advisory_xact_lock_shared(%s)",
    True: "SELECT pg_advisory_xact_lock(%s)",
}


@contextmanager
def pg_transaction(conn: Any, *, ddl: bool | Literal["shared"], replayable: bool) -> Iterator[None]:
    """A PostgreSQL transaction as :meth:`SqlStore.transaction` describes it."""
    with conn.transaction(), unbounded(conn) if ddl else nullcontext():
        _lock_schema(conn, ddl)
        if replayable:
            conn.execute("SET LOCAL synchronous_commit = off")
        yield


def _lock_schema(conn: Any, ddl: bool | Literal["shared"]) -> None:
    """The schema lock a schema change takes (``ddl``: shared, exclusive, or none)."""
    lock = _SCHEMA_LOCKS.get(ddl)
    if lock is not None:
        conn.execute(lock, (DDL_LOCK,))


@contextmanager
def sqlite_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A SQLite write transaction: BEGIN IMMEDIATE waits for the write lock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def open_connections(
    settings: Settings, pool_size: int
) -> tuple[ConnectionPool[Any] | None, sqlite3.Connection | None]:
    """A store's connections: a pool of ``pool_size`` on PostgreSQL, else one SQLite
    connection."""
    if settings.is_postgres:
        return open_pool(settings, pool_size), None
    return None, open_sqlite(settings)


def open_pool(settings: Settings, pool_size: int) -> ConnectionPool[Any]:
    options = f"-c search_path={settings.postgres_schema}" if settings.postgres_schema else ""
    bounds = Bounds.of(settings)
    return BoundedPool(
        settings.database_url,
        connection_class=BoundedConnection,
        min_size=1,
        max_size=pool_size,
        kwargs={"autocommit": True, **bounds.kwargs(options)},
        configure=bounds.configure,
        timeout=bounds.pool_timeout,
        open=True,
    )


def open_sqlite(settings: Settings) -> sqlite3.Connection:
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        isolation_level=None,
        check_same_thread=False,
        timeout=settings.sqlite_lock_timeout_seconds,
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn
