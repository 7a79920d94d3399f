"""A projection's lane in the runner (its position, generation, error and mirrored
tables), which failures of an event stop a lane, and how a batch of the log is applied
to several lanes in one transaction (:func:`write_lanes`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from application.readmodel.base import EventHeader, Projection
from application.readmodel.store import Row
from domain.errors import DomainError
from infrastructure.logreader import SKIPPED
from infrastructure.logreader import Row as LogRow
from infrastructure.sqlbatch import Batch
from infrastructure.sqltransaction import Transaction

# Rows of the log -> (position, event) pairs (an event may be SKIPPED or a header).
Decode = Callable[[list[LogRow]], list[tuple[int, Any]]]
# A projection's ``apply``: (batch, event, position).
Apply = Callable[[Batch, Any, int], None]

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


def write_lanes(tx: Transaction, work: list[tuple[Lane, list[LogRow]]], decode: Decode) -> None:
    """Apply each lane's events and write its rows (its mirrors kept in step).

    Each lane's rows are a tail of the batch. They are decoded ``_DECODED_AT_ONCE`` at a
    time and each piece applied to every lane before the next is decoded: the objects
    of a piece are freed while the memory they took is still in the processor's
    caches, and the next piece takes it again, where decoding a whole batch first would
    put every object in memory not touched before."""
    rows = max((todo for _, todo in work), key=len)
    lanes = [
        (
            Batch(tx, lane.mirrors),
            lane.projection.apply,
            lane.projection.headers_only,
            len(rows) - len(todo),  # where the lane's events begin
        )
        for lane, todo in work
    ]
    for at in range(0, len(rows), _DECODED_AT_ONCE):
        events = decode(rows[at : at + _DECODED_AT_ONCE])
        for batch, apply, headers_only, begin in lanes:
            _apply(batch, apply, events if begin <= at else events[begin - at :], headers_only)
    for batch, _, _, _ in lanes:
        batch.flush()


def _apply(batch: Batch, apply: Apply, events: list[tuple[int, Any]], headers_only: bool) -> None:
    """A piece of one lane's events applied: a projection that reads only headers is
    handed every one; any other, the events decoded whole."""
    if headers_only:
        for position, event in events:
            apply(batch, event, position)
    else:
        for position, event in events:
            if event is not SKIPPED and type(event) is not EventHeader:
                apply(batch, event, position)
