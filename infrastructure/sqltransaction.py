"""One write transaction on a read-model store, and the tracking rows moved in it.

A batch's rows and the projection's new position commit together: ``claim`` (or
``claim_all``) locks the tracking row and checks nobody moved it since it was read,
``advance`` moves it. Rows go in by ``executemany``, or on PostgreSQL by binary COPY.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from application.readmodel.tables import Table

if TYPE_CHECKING:
    from infrastructure.sqlstore import SqlStore


class TrackingMoved(Exception):
    """Another runner or a rebuild moved this projection's position: reload and go on."""


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
            self.executemany(self.store.sql(upsert_sql(table, name)), rows)
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
            self.executemany(self.store.sql(upsert_sql(table, name)), rows)
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
        at = now_iso()
        self.executemany(
            self.store.sql(
                "UPDATE rm_tracking SET position = ?, error = NULL, updated_at = ? "
                "WHERE projection = ? AND position = ? AND generation = ?"
            ),
            [(new, at, name, old, generation) for name, old, new, generation in moves],
        )

    def advance(
        self, projection: str, old: int, new: int, generation: int, error: str | None = None
    ) -> None:
        """Move the tracking position, only if nobody else moved it since we read it."""
        moved = self.execute(
            "UPDATE rm_tracking SET position = ?, error = ?, updated_at = ? "
            "WHERE projection = ? AND position = ? AND generation = ?",
            (new, error, now_iso(), projection, old, generation),
        )
        if moved != 1:
            raise TrackingMoved(f"projection {projection!r} moved from position {old} meanwhile")


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


def _copy(cur: Any, name: str, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """COPY ``rows`` into ``name`` in the binary format, each column as the type the table
    gives it (BIGINT or TEXT): no text to escape on our side nor to parse on the server's."""
    types = ["int8" if table.is_int(c) else "text" for c in table.columns]
    with cur.copy(f"COPY {name} ({', '.join(table.columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def upsert_sql(table: Table, name: str) -> str:
    text = _UPSERTS.get((table.name, name))
    if text is None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in table.columns if c not in table.key)
        text = _UPSERTS[(table.name, name)] = (
            f"INSERT INTO {name} ({', '.join(table.columns)}) "
            f"VALUES ({', '.join('?' * len(table.columns))}) "
            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
        )
    return text


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
