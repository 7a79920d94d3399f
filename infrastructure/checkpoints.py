"""Checkpoints of the read models: their whole state at log positions, kept in the
read-model store, so a read at a cut replays only the events after the latest checkpoint
at or below it instead of the whole log from position 0.

A checkpoint is built the way a time-travel read is — every projection applied in memory
to the log up to its position — so reading from it is the same computation resumed, not
a copy of the live tables (which stand at other positions, and hold what the store's
types made of the values). Every table of every projection in the catalogue is kept,
without a list to maintain: a new read model is checkpointed because it is in
:func:`all_projections`. A checkpoint is only used by the catalogue and rulebook it was
made with (its ``shape``), so one made before a read model was added, a table changed or
the rulebook replaced is ignored, and a rebuild (which means a projection's code changed)
drops them all.

Tables whose rows are only ever added (``append_only``: the audit trail, a row per event)
are not copied: a checkpoint is taken only at a position those projections' live tables
have reached, and a read takes their rows up to the checkpoint from there.

What a checkpoint's rows are — the table, the shape, each table's rows encoded — is
:mod:`infrastructure.checkpoint_format`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from application.ledger import VolunteerLedger
from application.readmodel.base import Projection
from application.readmodel.replay import read_events
from application.readmodel.store import CutStore, LayeredStore, Row
from application.readmodel.tables import Table
from domain.rulebook import Rulebook
from infrastructure.checkpoint_format import (
    MARKER,
    appends,
    checkpoints_ddl,
    copied_and_appended,
    decode_rows,
    encode_rows,
    shape,
)
from infrastructure.decoding import FastDecoder
from infrastructure.sqlstore import SqlStore


@dataclass(frozen=True)
class Taken:
    position: int
    tables: int
    rows: int
    stored_bytes: int
    replayed: int  # events applied to reach it from the checkpoint before
    seconds: float


class Checkpoints:
    """The checkpoints in one read-model store, for one catalogue of projections."""

    def __init__(
        self, store: SqlStore, projections: Sequence[Projection], rulebook: Rulebook
    ) -> None:
        self.store = store
        self.projections = list(projections)
        self.copied, self.appended = copied_and_appended(self.projections)
        # The projections whose append-only tables a read fills in from the live ones.
        self.appenders = [p.name for p in self.projections if appends(p)]
        self.shape = shape(self.projections, rulebook)
        self._ready = False

    def _ensure(self) -> None:
        if self._ready:
            return
        with self.store.transaction(ddl=True) as tx:
            tx.execute(checkpoints_ddl(is_postgres=self.store.is_postgres))
        self._ready = True

    # ------------------------------------------------------------------ reading

    def latest(self, cut: int) -> int:
        """The position of the latest whole checkpoint at or below ``cut`` that the live
        append-only tables still cover (0: none, start from an empty store)."""
        self._ensure()
        position = self._latest_whole(cut)
        if position and self._appended_short_of(position):
            return 0  # the live tables were reset: they cannot fill it in
        return position

    def _latest_whole(self, cut: int) -> int:
        """The position of the latest whole checkpoint of this shape at or below ``cut``
        (0: none; the aggregate answers one row, NULL for none)."""
        found = self.store.execute(
            "SELECT max(position) FROM rm_checkpoint "
            "WHERE shape = ? AND table_name = ? AND position <= ?",
            (self.shape, MARKER, cut),
        )
        return int(found[0][0] or 0)

    def _appended_short_of(self, position: int) -> bool:
        """Whether the live append-only tables have not reached ``position``."""
        reached = self._appended_reached()
        return reached is not None and reached < position

    def _appended_reached(self) -> int | None:
        """The position the live append-only tables have reached (their slowest
        projection's, 0 for one not tracked yet); None without such tables."""
        if not self.appenders:
            return None
        return min(position for position, _ in self.store.positions(self.appenders))

    def loader(self, position: int) -> Callable[[Table], list[Row]] | None:
        """Each table's rows at the checkpoint at ``position``, one table at a time (None
        at 0: no checkpoint, every table starts empty)."""
        if not position:
            return None

        def load(table: Table) -> list[Row]:
            if table.append_only:
                return self.store.select(table, between=("position", 1, position + 1))
            found = self.store.execute(
                "SELECT body FROM rm_checkpoint "
                "WHERE shape = ? AND position = ? AND table_name = ?",
                (self.shape, position, table.name),
            )
            if not found:  # cannot happen for a whole checkpoint of this shape
                raise LookupError(f"checkpoint {position} has no table {table.name}")
            return decode_rows(table, bytes(found[0][0]))

        return load

    def store_at(self, position: int) -> LayeredStore:
        """A store holding the read models at the checkpoint at ``position`` (0: empty),
        to be checkpointed again: what goes to the append-only tables is discarded."""
        return LayeredStore(self.loader(position), discard=[t.name for t in self.appended])

    def positions(self) -> list[int]:
        self._ensure()
        return [
            int(r[0])
            for r in self.store.execute(
                "SELECT position FROM rm_checkpoint WHERE shape = ? AND table_name = ? "
                "ORDER BY position",
                (self.shape, MARKER),
            )
        ]

    # ------------------------------------------------------------------ writing

    def _save(self, position: int, memory: LayeredStore) -> tuple[int, int]:
        """The copied tables of ``memory`` saved as the checkpoint at ``position`` (and its
        marker); the rows it holds and the bytes stored."""
        rows = self._encoded(position, memory)
        self._replace(position, rows)
        return rows[-1][3], sum(len(r[4]) for r in rows)

    def _encoded(
        self, position: int, memory: LayeredStore
    ) -> list[tuple[str, int, str, int, bytes]]:
        """The checkpoint's rows: each copied table's, encoded, then the marker (holding
        the total of rows)."""
        rows = []
        total = 0
        for table in self.copied:
            found = memory.rows(table)
            total += len(found)
            rows.append((self.shape, position, table.name, len(found), encode_rows(table, found)))
        rows.append((self.shape, position, MARKER, total, b""))
        return rows

    def _replace(self, position: int, rows: list[tuple[str, int, str, int, bytes]]) -> None:
        """The checkpoint at ``position`` replaced by ``rows``, in one transaction."""
        taken_at = datetime.now(UTC).isoformat()
        with self.store.transaction() as tx:
            tx.execute(
                "DELETE FROM rm_checkpoint WHERE shape = ? AND position = ?",
                (self.shape, position),
            )
            tx.executemany(
                "INSERT INTO rm_checkpoint "
                "(shape, position, table_name, row_count, body, taken_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(*r, taken_at) for r in rows],
            )

    def ceiling(self, ledger: VolunteerLedger) -> int:
        """The highest position a checkpoint may be taken at now: the head, and no further
        than the live append-only tables have reached (a read fills those in from them)."""
        head = ledger.current_position()
        reached = self._appended_reached()
        return head if reached is None else min(head, reached)

    def take(self, ledger: VolunteerLedger, *, every: int, upto: int | None = None) -> list[Taken]:
        """Checkpoints at every multiple of ``every`` after the latest one, up to ``upto``
        (else :meth:`ceiling`), each resumed from the one before."""
        self._ensure()
        ceiling = self.ceiling(ledger)
        limit = ceiling if upto is None else min(upto, ceiling)
        start = self.latest(limit)
        targets = list(range((start // every + 1) * every, limit + 1, every))
        if not targets:
            return []
        return self._take_each(ledger, start, targets)

    def _take_each(self, ledger: VolunteerLedger, start: int, targets: list[int]) -> list[Taken]:
        """A checkpoint at each of ``targets``, the log replayed from ``start`` (the one
        before) to each in turn."""
        memory = self.store_at(start)
        decoder = FastDecoder(ledger.mapper)
        taken: list[Taken] = []
        began, replayed = time.perf_counter(), 0
        position = start
        for target in targets:
            replayed += self._replay(ledger, memory, decoder, after=position, upto=target)
            position = target
            rows, stored = self._save(target, memory)
            now = time.perf_counter()
            taken.append(Taken(target, len(self.copied), rows, stored, replayed, now - began))
            began, replayed = now, 0
        return taken

    def _replay(
        self,
        ledger: VolunteerLedger,
        memory: LayeredStore,
        decoder: FastDecoder,
        *,
        after: int,
        upto: int,
    ) -> int:
        """The events after ``after`` up to ``upto`` applied to ``memory``; how many."""
        replayed = 0
        for events in read_events(ledger, after=after, upto=upto, decoder=decoder):
            self._apply(memory, events)
            replayed += len(events)
        return replayed

    def _apply(self, memory: LayeredStore, events: list[tuple[int, Any]]) -> None:
        """``events`` applied to every projection in ``memory``, in log order."""
        for at, event in events:
            for projection in self.projections:
                projection.apply(memory, event, at)

    def drop(self) -> int:
        """Forget every checkpoint (after a rebuild: a projection's code has changed)."""
        self._ensure()
        with self.store.transaction() as tx:
            return tx.execute("DELETE FROM rm_checkpoint")


def replay_from_checkpoint(
    ledger: VolunteerLedger,
    checkpoints: Checkpoints,
    cut: int,
    *,
    guard: Callable[[], AbstractContextManager[Any]] = nullcontext,
    eager: bool = False,
) -> tuple[CutStore, int]:
    """The read models at ``cut``: the latest checkpoint at or below it, then the events
    after it, each read model built on its first use (all at once with ``eager``) while
    holding ``guard``. Returns the store and the checkpoint's position (0: none, the
    events from the start)."""
    start = checkpoints.latest(cut)
    decoder = FastDecoder(ledger.mapper)
    decoded: list[list[tuple[int, Any]]] = []

    def events() -> list[tuple[int, Any]]:
        if not decoded:  # the store calls this under its lock
            found: list[tuple[int, Any]] = []
            for batch in read_events(ledger, after=start, upto=cut, decoder=decoder):
                found.extend(batch)
            decoded.append(found)
        return decoded[0]

    memory = CutStore(
        checkpoints.projections,
        events,
        checkpoints.loader(start),
        guard=guard,
    )
    if eager:
        memory.build_all()
    return memory, start
