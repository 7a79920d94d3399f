"""A projection's lane in the runner (its position, generation, error and mirrored
tables), which failures of an event stop a lane, and how a batch of the log is applied
to several lanes in one transaction (:func:`write_lanes`)."""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import psycopg

from application.readmodel.base import EventHeader, Projection
from application.readmodel.store import Row
from application.readmodel.tables import Table
from domain.errors import DomainError
from infrastructure.logreader import SKIPPED
from infrastructure.logreader import Row as LogRow
from infrastructure.sqlbatch import Batch
from infrastructure.sqlstore import SqlStore
from infrastructure.sqltransaction import Transaction

# Rows of the log -> (position, event) pairs (an event may be SKIPPED or a header).
Decode = Callable[[list[LogRow]], list[tuple[int, Any]]]
# A projection's ``apply``: (batch, event, position).
Apply = Callable[[Batch, Any, int], None]

# How a piece of a lane's events is handed to its projection (see ``_appliers``).
Hand = Callable[[Batch, Apply, list[tuple[int, Any]]], None]
# A lane in ``write_lanes``: its batch, its ``apply``, where its events begin, its ``Hand``.
_Applier = tuple[Batch, Apply, int, Hand]

# Events decoded at a time while a batch is applied (see ``write_lanes``).
_DECODED_AT_ONCE = 200

# Failures of a projection with an event: a value the database refuses (NUL in text on
# PostgreSQL, a number out of range) or a handler that cannot take the event's values.
# They would fail on every try, so the projection stops at the event, naming it, and the
# others go on. Any other failure (the store away or busy, an event this release cannot
# decode — also found when a handler first reads a field that cannot be converted —, a
# handler reading a field its event lacks — AttributeError, the code's fault rather than
# the event's —, a crash) is raised: the batch is tried again later, from where it was,
# by this release or the one that fixes it.
EVENT_FAULTS = (
    psycopg.DataError,
    sqlite3.DataError,
    DomainError,
    LookupError,
    TypeError,
    ValueError,
    ArithmeticError,
)


def stopped_at(projection: str, position: int, topic: str, error: BaseException) -> str:
    """What a projection that cannot apply an event says (its tracking row's error)."""
    return (
        f"projection {projection!r} cannot apply event {topic!r} at position {position} "
        f"({type(error).__name__}: {error}); it stopped there (nothing after it was applied)"
    )


@dataclass
class Lane:
    projection: Projection
    position: int = 0
    generation: int = 0
    error: str | None = None
    mirrors: dict[str, dict[tuple[Any, ...], Row]] = field(default_factory=dict)
    # Secondary indexes not built yet: a projection starting from position 0 fills its
    # tables first and indexes them once it reaches the head (one sort per index instead
    # of an index insert per row).
    indexes_pending: bool = False

    @property
    def name(self) -> str:
        return self.projection.name

    def reload(self, store: SqlStore) -> None:
        """Re-read the position and mirrors from ``store`` (after start, rollback or rebuild)."""
        state = store.tracking()[self.name]
        self.position, self.generation, self.error = (
            state["position"],
            state["generation"],
            state["error"],
        )
        self.mirrors = _mirrors(store, self.projection.tables)


def _mirrors(store: SqlStore, tables: Sequence[Table]) -> dict[str, dict[tuple[Any, ...], Row]]:
    """Each mirrored table of ``tables``, read whole from ``store``."""
    return {t.name: store.load_table(t) for t in tables if t.mirrored}


def claims(work: list[tuple[Lane, list[LogRow]]]) -> list[tuple[str, int, int]]:
    """The tracking row each lane claims: (name, position, generation)."""
    return [(lane.name, lane.position, lane.generation) for lane, _ in work]


def moves(work: list[tuple[Lane, list[LogRow]]]) -> list[tuple[str, int, int, int]]:
    """Each lane's tracking row moved past its rows: (name, old, new, generation)."""
    return [(lane.name, lane.position, todo[-1][0], lane.generation) for lane, todo in work]


def undecoded_topics(lanes: list[Lane]) -> tuple[frozenset[str], bool]:
    """The topics no projection here needs whole, which are not decoded: skipped, or read
    as headers if a projection reads only those (the others are handed no header); and
    whether one does."""
    whole = [lane for lane in lanes if not lane.projection.headers_only]
    return _ignored_by_all(whole or lanes), len(whole) < len(lanes)


def _ignored_by_all(lanes: list[Lane]) -> frozenset[str]:
    """The topics every projection of ``lanes`` ignores."""
    return frozenset.intersection(*(lane.projection.ignored_topics() for lane in lanes))


_position = itemgetter(0)


def rows_after(batch: list[LogRow], position: int) -> list[LogRow]:
    """The rows of ``batch`` (in log order, each beginning with its position) after
    ``position``: found by bisection, a tail of the batch."""
    return batch[bisect_right(batch, position, key=_position) :]


def rows_between(rows: list[LogRow], after: int, before: int) -> list[LogRow]:
    """The rows of ``rows`` (in log order) after position ``after`` and before ``before``."""
    return rows[bisect_right(rows, after, key=_position) : bisect_left(rows, before, key=_position)]


def write_lanes(tx: Transaction, work: list[tuple[Lane, list[LogRow]]], decode: Decode) -> None:
    """Apply each lane's events and write its rows (its mirrors kept in step).

    Each lane's rows are a tail of the batch. They are decoded ``_DECODED_AT_ONCE`` at a
    time and each piece applied to every lane before the next is decoded: the objects
    of a piece are freed while the memory they took is still in the processor's
    caches, and the next piece takes it again, where decoding a whole batch first would
    put every object in memory not touched before."""
    rows = max((todo for _, todo in work), key=len)
    lanes = _appliers(tx, work, len(rows))
    for at in range(0, len(rows), _DECODED_AT_ONCE):
        _apply_piece(lanes, decode(rows[at : at + _DECODED_AT_ONCE]), at)
    for batch, *_ in lanes:
        batch.flush()


def _appliers(
    tx: Transaction, work: list[tuple[Lane, list[LogRow]]], length: int
) -> list[_Applier]:
    """For each lane: its batch, its projection's ``apply``, where in the ``length`` rows
    its events begin, and how a piece of them is handed to it (:func:`_apply_every`,
    :func:`_apply_whole`)."""
    return [
        (
            Batch(tx, lane.mirrors),
            lane.projection.apply,
            length - len(todo),
            _apply_every if lane.projection.headers_only else _apply_whole,
        )
        for lane, todo in work
    ]


def _apply_piece(lanes: list[_Applier], events: list[tuple[int, Any]], at: int) -> None:
    """The ``events`` of the batch's rows from ``at`` on handed to each lane, from where
    its own begin."""
    for batch, apply, begin, handed in lanes:
        handed(batch, apply, events[max(begin - at, 0) :])


def _apply_every(batch: Batch, apply: Apply, events: list[tuple[int, Any]]) -> None:
    """A piece of the events of a projection that reads only headers: every one."""
    for position, event in events:
        apply(batch, event, position)


def _apply_whole(batch: Batch, apply: Apply, events: list[tuple[int, Any]]) -> None:
    """A piece of the events of any other projection: those decoded whole."""
    for position, event in events:
        if event is not SKIPPED and type(event) is not EventHeader:
            apply(batch, event, position)
