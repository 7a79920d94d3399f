"""Rebuild a projection from position 0 alongside the live tables, then switch in one transaction.

Readers never see a half-built table: the shadow tables are filled first, caught up to
the live position under the tracking row's lock, and renamed into place atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.ledger import VolunteerLedger
from application.readmodel.base import Projection
from application.readmodel.replay import read_events
from application.readmodel.store import Row
from infrastructure.checkpoints import CHECKPOINTS_DDL_PG, CHECKPOINTS_DDL_SQLITE
from infrastructure.decoding import FastDecoder
from infrastructure.sqlbatch import Batch
from infrastructure.sqlschema import index_ddl
from infrastructure.sqlstore import SqlStore
from infrastructure.sqltransaction import Transaction

SHADOW = "__rebuild"


@dataclass(frozen=True)
class Status:
    projection: str
    position: int
    head: int
    lag: int
    generation: int
    error: str | None
    updated_at: str | None


def status(ledger: VolunteerLedger, store: SqlStore) -> list[Status]:
    head = ledger.current_position()
    return [
        Status(
            name,
            t["position"],
            head,
            head - t["position"],
            t["generation"],
            t["error"],
            t["updated_at"],
        )
        for name, t in sorted(store.tracking().items())
    ]


def _apply(
    tx: Transaction,
    projection: Projection,
    mirrors: dict[str, dict[tuple[Any, ...], Row]],
    events: list[tuple[int, Any]],
) -> None:
    batch = Batch(tx, mirrors, SHADOW)
    for position, event in events:
        projection.apply(batch, event, position)
    batch.flush()


def rebuild(
    ledger: VolunteerLedger, store: SqlStore, projection: Projection, *, batch_size: int = 5000
) -> int:
    """Rebuild ``projection`` from position 0; return the position it was switched in at."""
    tables = projection.tables
    with store.transaction() as tx:
        for table in tables:
            tx.execute(f"DROP TABLE IF EXISTS {table.name}{SHADOW}")
    store.create_tables(tables, suffix=SHADOW, indexes=False)
    store.register(projection.name)
    mirrors: dict[str, dict[tuple[Any, ...], Row]] = {t.name: {} for t in tables if t.mirrored}
    decoder = FastDecoder(ledger.mapper)
    position = 0
    head = ledger.current_position()
    while position < head:
        # One short transaction per batch: on SQLite, writers wait only that long.
        for events in read_events(
            ledger, after=position, upto=head, batch=batch_size, decoder=decoder
        ):
            # NUL in text (events stored before commands refused it) is written in its
            # safe form, as the runner does, rather than failing the rebuild.
            with store.transaction(safe_text=True) as tx:
                _apply(tx, projection, mirrors, events)
            position = events[-1][0]
        head = ledger.current_position()

    # The switch is a schema change: it waits for (and holds off) index builds and table
    # creation in other processes, which could otherwise race it for the same names.
    with store.transaction(ddl=True, safe_text=True) as tx:
        lock = " FOR UPDATE" if store.is_postgres else ""
        live = tx.conn.execute(
            store.sql(f"SELECT position FROM rm_tracking WHERE projection = ?{lock}"),
            (projection.name,),
        ).fetchone()[0]
        for events in read_events(
            ledger, after=position, upto=int(live), batch=batch_size, decoder=decoder
        ):
            _apply(tx, projection, mirrors, events)
            position = events[-1][0]
        for table in tables:
            tx.execute(f"DROP TABLE IF EXISTS {table.name}")
            tx.execute(f"ALTER TABLE {table.name}{SHADOW} RENAME TO {table.name}")
            if store.is_postgres:
                tx.execute(f"ALTER INDEX {table.name}{SHADOW}_pkey RENAME TO {table.name}_pkey")
            for ddl in index_ddl(table):
                tx.execute(ddl)
        tx.execute(
            "UPDATE rm_tracking SET position = ?, generation = generation + 1, error = NULL "
            "WHERE projection = ?",
            (position, projection.name),
        )
        # A rebuild means the projection's code changed: checkpoints of the read models
        # made by the old code would start time-travel reads from what it built.
        tx.execute(CHECKPOINTS_DDL_SQLITE if not store.is_postgres else CHECKPOINTS_DDL_PG)
        tx.execute("DELETE FROM rm_checkpoint")
    return position
