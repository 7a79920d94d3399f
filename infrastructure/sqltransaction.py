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

    def params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """``values`` as a statement's parameters (NUL in text made safe if asked)."""
        return safe_row(values) if self.safe_text else tuple(values)

    def rows(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``rows`` to be written (NUL in text made safe if asked)."""
        return [safe_row(row) for row in rows] if self.safe_text else rows

    def execute(self, text: str, params: Sequence[Any] = ()) -> int:
        cur = self.conn.execute(self.store.sql(text), self.params(params))
        return int(cur.rowcount)

    def executemany(self, text: str, params: list[tuple[Any, ...]]) -> None:
        params = self.rows(params)
        if self.store.is_postgres:
            with self.conn.cursor() as cur:
                cur.executemany(self.store.sql(text), params)
        else:
            self.conn.executemany(text, params)

    def _copies(self, rows: list[tuple[Any, ...]]) -> bool:
        """Whether ``rows`` go in by COPY: on PostgreSQL, from 64 rows (fewer, or on SQLite,
        by ``executemany``)."""
        return self.store.is_postgres and len(rows) >= 64

    def upsert_many(self, table: Table, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Insert or replace whole rows: on PostgreSQL by COPY into a temporary table and one
        INSERT … ON CONFLICT (a few µs a row); on SQLite by ``executemany``."""
        if not self._copies(rows):
            self.executemany(self.store.sql(upsert_sql(table, name)), rows)
            return
        columns = ", ".join(table.columns)
        staging = f"staging_{name}"
        with self.conn.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {name}) ON COMMIT DELETE ROWS"
            )
            _copy(cur, staging, table, self.rows(rows))
            cur.execute(
                f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {staging} "
                f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {_replaced(table)}"
            )

    def insert_many(self, table: Table, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows whose keys are new (``created_once`` tables): on PostgreSQL by COPY
        straight into the table, no staging (a key that exists fails the batch); a few
        rows, or on SQLite, by the upsert."""
        if not self._copies(rows):
            self.executemany(self.store.sql(upsert_sql(table, name)), rows)
            return
        with self.conn.cursor() as cur:
            _copy(cur, name, table, self.rows(rows))

    @property
    def row_lock(self) -> str:
        """What a SELECT ends with to lock the rows it reads (PostgreSQL; SQLite's write
        transaction holds the whole database)."""
        return " FOR UPDATE" if self.store.is_postgres else ""

    def claim(self, projection: str, position: int, generation: int) -> None:
        """Lock the projection's tracking row first (the order a rebuild takes its locks in)
        and check that nobody moved it since we read it."""
        self.claim_all([(projection, position, generation)])

    def claim_all(self, claims: Sequence[tuple[str, int, int]]) -> None:
        """``claim`` for several projections (name, position, generation) in one statement,
        their rows locked in name order."""
        _check_unmoved(claims, self._tracked([name for name, _, _ in claims]))

    def _tracked(self, names: list[str]) -> dict[str, tuple[int, int]]:
        """(position, generation) of each named projection that has a tracking row, its row
        locked (in name order)."""
        marks = ", ".join("?" * len(names))
        rows = self.conn.execute(
            self.store.sql(
                f"SELECT projection, position, generation FROM rm_tracking "
                f"WHERE projection IN ({marks}) ORDER BY projection{self.row_lock}"
            ),
            tuple(names),
        ).fetchall()
        return {str(name): (int(position), int(generation)) for name, position, generation in rows}

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


def _check_unmoved(
    claims: Sequence[tuple[str, int, int]], found: dict[str, tuple[int, int]]
) -> None:
    """Raise :class:`TrackingMoved` for the first claim not at the (position, generation)
    ``found`` for it."""
    for name, position, generation in claims:
        if found.get(name) != (position, generation):
            raise TrackingMoved(f"projection {name!r} moved from position {position} meanwhile")


# What a NUL in stored text becomes in a PostgreSQL read model, which cannot hold one:
# U+FFFD REPLACEMENT CHARACTER, Unicode's sign for "a character that could not be shown".
# Commands refuse NUL since the text rules (domain.values.check_text); events stored
# before them may hold one, and their projections must not stop for ever on it.
NUL_REPLACEMENT = "\ufffd"


def safe_text(value: str) -> str:
    """``value`` with each NUL replaced by :data:`NUL_REPLACEMENT`."""
    return value.replace("\x00", NUL_REPLACEMENT)


def safe_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """``row`` with each text value made safe (:func:`safe_text`, inlined: it runs per field)."""
    return tuple(v.replace("\x00", NUL_REPLACEMENT) if isinstance(v, str) else v for v in row)


_UPSERTS: dict[tuple[str, str], str] = {}


def _copy(cur: Any, name: str, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """COPY ``rows`` into ``name`` in the binary format, each column as the type the table
    gives it (BIGINT or TEXT): no text to escape on our side nor to parse on the server's."""
    with cur.copy(f"COPY {name} ({', '.join(table.columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_copy_types(table))
        for row in rows:
            copy.write_row(row)


def _copy_types(table: Table) -> list[str]:
    """The binary COPY type of each column: BIGINT or TEXT, as the table gives it."""
    return ["int8" if table.is_int(c) else "text" for c in table.columns]


def _replaced(table: Table) -> str:
    """The SET of an upsert: every column but the key's, from the row that conflicted."""
    return ", ".join(f"{c} = excluded.{c}" for c in table.columns if c not in table.key)


def upsert_sql(table: Table, name: str) -> str:
    text = _UPSERTS.get((table.name, name))
    if text is None:
        text = _UPSERTS[(table.name, name)] = (
            f"INSERT INTO {name} ({', '.join(table.columns)}) "
            f"VALUES ({', '.join('?' * len(table.columns))}) "
            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {_replaced(table)}"
        )
    return text


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
