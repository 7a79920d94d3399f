"""The SQL of the read-model schema: the tracking table, each table's DDL, its indexes,
the columns a table gained since it was made.

:class:`~infrastructure.sqlstore.SqlStore` runs these under the schema lock; they say
what the tables look like on each store.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from application.readmodel.tables import Table
from infrastructure.listening import TRACKING_CHANNEL

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

TRACKING_TRIGGER_EXISTS = (
    "SELECT 1 FROM pg_trigger WHERE tgname = 'vl_tracking_moved' "
    "AND tgrelid = 'rm_tracking'::regclass"
)

DDL_LOCK = 0x564C5F444444  # "VL_DDL": serialises schema changes across processes


def column_type(table: Table, column: str, *, is_postgres: bool) -> str:
    # Text compares bytewise on both stores (PostgreSQL's default collation follows the
    # locale), so ISO times, cursors and ids order the same everywhere and in memory.
    if table.is_int(column):
        return "BIGINT"
    return 'TEXT COLLATE "C"' if is_postgres else "TEXT"


def table_ddl(table: Table, suffix: str = "", *, is_postgres: bool) -> str:
    columns = ", ".join(
        f"{c} {column_type(table, c, is_postgres=is_postgres)}" for c in table.columns
    )
    return (
        f"CREATE TABLE IF NOT EXISTS {table.name}{suffix} "
        f"({columns}, PRIMARY KEY ({', '.join(table.key)}))"
    )


def index_ddl(table: Table, suffix: str = "") -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS ix_{table.name}{suffix}_{'_'.join(cols)} "
        f"ON {table.name}{suffix} ({', '.join(cols)})"
        for cols in table.indexes
    ]


def indexes_ddl(tables: Iterable[Table]) -> list[str]:
    """The secondary indexes of every table of ``tables``."""
    return [ddl for table in tables for ddl in index_ddl(table)]


def _pg_columns(conn: Any, name: str) -> set[str]:
    """The columns the table ``name`` has on PostgreSQL (in the current schema)."""
    found = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        (name,),
    ).fetchall()
    return {r[0] for r in found}


def _sqlite_columns(conn: Any, name: str) -> set[str]:
    """The columns the table ``name`` has on SQLite."""
    return {r[1] for r in conn.execute(f"PRAGMA table_info({name})").fetchall()}


def added_columns_ddl(conn: Any, table: Table, name: str, *, is_postgres: bool) -> list[str]:
    """The ALTERs adding the columns ``table`` gained after the store created it as
    ``name`` (empty, at its end: a column is only ever appended to a table's description,
    so the order stays the description's)."""
    have = (_pg_columns if is_postgres else _sqlite_columns)(conn, name)
    return [
        f"ALTER TABLE {name} ADD COLUMN {column} "
        f"{column_type(table, column, is_postgres=is_postgres)}"
        for column in table.columns
        if column not in have
    ]
