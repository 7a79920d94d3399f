"""Rebuild a projection from position 0 alongside the live tables, then switch in one transaction.

Readers never see a half-built table: the shadow tables are filled first, caught up to
the live position under the tracking row's lock, and renamed into place atomically.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from application.ledger import VolunteerLedger
from application.readmodel.base import Projection
from application.readmodel.replay import read_events
from application.readmodel.store import Row
from application.readmodel.tables import Table
from infrastructure.checkpoint_format import checkpoints_ddl
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
    _fresh_shadows(store, tables)
    store.register(projection.name)
    mirrors: dict[str, dict[tuple[Any, ...], Row]] = {t.name: {} for t in tables if t.mirrored}
    replay = _Replay(ledger, projection, mirrors, batch_size)
    position = replay.to_head(store)
    return _switch_in(store, projection, replay, position)


def _fresh_shadows(store: SqlStore, tables: Sequence[Table]) -> None:
    """Empty shadow tables for ``tables``, unindexed (any a failed rebuild left dropped)."""
    with store.transaction() as tx:
        for table in tables:
            tx.execute(f"DROP TABLE IF EXISTS {table.name}{SHADOW}")
    store.create_tables(tables, suffix=SHADOW, indexes=False)


class _Replay:
    """The log applied to the shadow tables, batch by batch, from a position on."""

    def __init__(
        self,
        ledger: VolunteerLedger,
        projection: Projection,
        mirrors: dict[str, dict[tuple[Any, ...], Row]],
        batch_size: int,
    ) -> None:
        self.ledger = ledger
        self.projection = projection
        self.mirrors = mirrors
        self.batch_size = batch_size
        self.decoder = FastDecoder(ledger.mapper)

    def batches(self, after: int, upto: int) -> Iterator[list[tuple[int, Any]]]:
        return read_events(
            self.ledger, after=after, upto=upto, batch=self.batch_size, decoder=self.decoder
        )

    def to_head(self, store: SqlStore) -> int:
        """Until the log's head stays put, one short transaction per batch (on SQLite,
        writers wait only that long); the position reached."""
        position = 0
        head = self.ledger.current_position()
        while position < head:
            position = self._each_apart(store, position, head)
            head = self.ledger.current_position()
        return position

    def _each_apart(self, store: SqlStore, after: int, upto: int) -> int:
        """The events after ``after`` up to ``upto`` applied, a transaction per batch; the
        position reached."""
        for events in self.batches(after, upto):
            # NUL in text (events stored before commands refused it) is written in its
            # safe form, as the runner does, rather than failing the rebuild.
            with store.transaction(safe_text=True) as tx:
                _apply(tx, self.projection, self.mirrors, events)
            after = events[-1][0]
        return after

    def in_one(self, tx: Transaction, after: int, upto: int) -> int:
        """The events after ``after`` up to ``upto`` applied in ``tx``; the position reached."""
        for events in self.batches(after, upto):
            _apply(tx, self.projection, self.mirrors, events)
            after = events[-1][0]
        return after


def _replace_live_table(tx: Transaction, table: Table, *, postgres: bool) -> None:
    """The live table dropped, its shadow renamed into its place and indexed."""
    tx.execute(f"DROP TABLE IF EXISTS {table.name}")
    tx.execute(f"ALTER TABLE {table.name}{SHADOW} RENAME TO {table.name}")
    if postgres:
        tx.execute(f"ALTER INDEX {table.name}{SHADOW}_pkey RENAME TO {table.name}_pkey")
    for ddl in index_ddl(table):
        tx.execute(ddl)


def _switch_in(store: SqlStore, projection: Projection, replay: _Replay, position: int) -> int:
    """Catch the shadow tables up to the live projection's position and put them in its
    place, in one transaction; the position they were switched in at.

    The switch is a schema change: it waits for (and holds off) index builds and table
    creation in other processes, which could otherwise race it for the same names."""
    with store.transaction(ddl=True, safe_text=True) as tx:
        live = tx.conn.execute(
            store.sql(f"SELECT position FROM rm_tracking WHERE projection = ?{tx.row_lock}"),
            (projection.name,),
        ).fetchone()[0]
        position = replay.in_one(tx, position, int(live))
        for table in projection.tables:
            _replace_live_table(tx, table, postgres=store.is_postgres)
        tx.execute(
            "UPDATE rm_tracking SET position = ?, generation = generation + 1, error = NULL "
            "WHERE projection = ?",
            (position, projection.name),
        )
        # A rebuild means the projection's code changed: checkpoints of the read models
        # made by the old code would start time-travel reads from what it built.
        tx.execute(checkpoints_ddl(is_postgres=store.is_postgres))
        tx.execute("DELETE FROM rm_checkpoint")
    return position
