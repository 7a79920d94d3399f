"""What a checkpoint of the read models (:mod:`infrastructure.checkpoints`) is in the
store: its table, its shape (what its rows mean), and each table's rows encoded.

Each table's rows are one zlib-compressed JSON array of value lists in column order: the
read models hold text, integers and NULL only, so the rows come back exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence

from application.readmodel.base import Projection
from application.readmodel.store import Row
from application.readmodel.tables import Table
from domain.rulebook import Rulebook

FORMAT = 1
_DDL = (
    "CREATE TABLE IF NOT EXISTS rm_checkpoint ("
    "shape TEXT NOT NULL, position BIGINT NOT NULL, table_name TEXT NOT NULL, "
    "row_count BIGINT NOT NULL, body {blob} NOT NULL, taken_at TEXT NOT NULL, "
    "PRIMARY KEY (shape, position, table_name))"
)
CHECKPOINTS_DDL_PG = _DDL.format(blob="BYTEA")
CHECKPOINTS_DDL_SQLITE = _DDL.format(blob="BLOB")
MARKER = ""  # the row every checkpoint has: its existence says the checkpoint is whole


def checkpoints_ddl(*, is_postgres: bool) -> str:
    """The checkpoints' table, made if missing, on either store."""
    return CHECKPOINTS_DDL_PG if is_postgres else CHECKPOINTS_DDL_SQLITE


def shape(projections: Sequence[Projection], rulebook: Rulebook) -> str:
    """What a checkpoint's rows mean: the format, the rulebook and every table's layout."""
    described = [
        FORMAT,
        rulebook.file_hash,
        [
            [p.name, [[t.name, t.columns, t.key, t.append_only] for t in p.tables]]
            for p in projections
        ],
    ]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()[:32]


def encode_rows(table: Table, rows: Iterable[Row]) -> bytes:
    body = json.dumps(
        [[row[c] for c in table.columns] for row in rows],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return zlib.compress(body.encode("utf-8"), 1)


def decode_rows(table: Table, body: bytes) -> list[Row]:
    columns = table.columns
    return [dict(zip(columns, values, strict=True)) for values in json.loads(zlib.decompress(body))]


def appends(projection: Projection) -> bool:
    """Whether ``projection`` has an append-only table."""
    return any(t.append_only for t in projection.tables)


def copied_and_appended(projections: Sequence[Projection]) -> tuple[list[Table], list[Table]]:
    """Every table of ``projections``: those a checkpoint copies, and the append-only ones
    a read takes from the live tables instead."""
    copied: list[Table] = []
    appended: list[Table] = []
    for projection in projections:
        for table in projection.tables:
            (appended if table.append_only else copied).append(table)
    return copied, appended
