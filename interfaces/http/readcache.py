"""Answers of live projection reads, kept per API process for as long as they are true.

A route asks through its dependency (``deps.CachedReads``): the answer is stored under the
(position, generation) of the projections it was read from, read *before* the answer is
computed: once a projection moves on (or is rebuilt), later requests look under the new
position and compute afresh. The positions themselves are remembered, so a hit needs
neither a query nor a thread: on PostgreSQL until a projection is heard to move (a
trigger on ``rm_tracking`` notifies; at most :data:`HEARD_POSITIONS_TTL`), elsewhere for
:data:`POSITIONS_TTL` seconds. An answer can lag the read models by that much, no more
(they lag the log anyway). A read with ``min_position`` always asks the store for the
positions. Rankings recompute every unit's metrics from the facts of two periods; a
ledger reads all of a volunteer's entries — between two writes, each is computed once
instead of once per request (by one thread; others asking for it meanwhile wait for its
answer). Time-travel reads (``as_of_position``, ``known_at``) are replays and never cached.

The outermost layer (:mod:`interfaces.http.sent_answers`) resends whole responses a
route answered through this cache while :meth:`ReadCache.remembered` still gives the
positions they were computed at.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import Any

from application.readmodel.queries.readmodels import ReadModels
from infrastructure.bootstrap import Container
from infrastructure.listening import TRACKING_CHANNEL, Listener
from interfaces.http.json_body import encode_json

COMPUTE_WAIT_SECONDS = 5.0  # waiting for another thread computing the same answer
POSITIONS_TTL = 0.05  # how long read positions are trusted when no change can be heard
HEARD_POSITIONS_TTL = 1.0  # … and while every change of them is announced (PostgreSQL)
Positions = tuple[tuple[int, int], ...]
ANSWERED = "answered_at"  # scope["state"] key: (projections, positions) a read was answered at


class Miss:
    """:meth:`ReadCache.peek` found nothing it may answer from memory."""


MISS = Miss()


class ReadCache:
    """``listener`` (PostgreSQL): positions stay trusted until a projection is heard to
    move (``rm_tracking``'s trigger notifies), up to :data:`HEARD_POSITIONS_TTL`."""

    def __init__(self, container: Container, size: int, listener: Listener | None) -> None:
        self.container = container
        self.size = size
        self._answers: OrderedDict[Hashable, bytes | None] = OrderedDict()
        self._positions: dict[tuple[str, ...], tuple[float, Positions]] = {}
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Event] = {}
        self._asking: dict[tuple[str, ...], threading.Event] = {}
        self._listener = listener
        self._generation = 0
        if listener is not None:
            listener.subscribe(TRACKING_CHANNEL, self._forget_positions)

    def _forget_positions(self) -> None:
        self._generation += 1
        self._positions = {}

    def _live(self, reads: ReadModels) -> bool:
        # Not with a read replica: the moves announced are the primary's, and a standby's
        # tables trail them (a standby takes no LISTEN either).
        return bool(self.size) and reads.store is self.container.store

    def remembered(self, projections: tuple[str, ...]) -> Positions | None:
        """The positions of ``projections`` if read from the store within the TTL (no I/O)."""
        found = self._positions.get(projections)
        if found is None or time.monotonic() > found[0]:
            return None
        return found[1]

    def _read_positions(self, projections: tuple[str, ...]) -> Positions:
        """The store's positions of ``projections``, remembered unless a move was
        announced while asking."""
        generation = self._generation
        heard = self._listener is not None and self._listener.listening.is_set()
        positions = self.container.store.positions(projections)
        if generation == self._generation:
            ttl = HEARD_POSITIONS_TTL if heard else POSITIONS_TTL
            self._positions[projections] = (time.monotonic() + ttl, positions)
        return positions

    def _recent_positions(self, projections: tuple[str, ...]) -> Positions | None:
        """Remembered positions; if there are none, one thread asks the store while the
        others asking at the same moment wait for its answer (not a query each)."""
        found = self.remembered(projections)
        if found is not None:
            return found
        with self._lock:
            asking = self._asking.get(projections)
            if asking is None:
                self._asking[projections] = threading.Event()
        if asking is not None:
            asking.wait(COMPUTE_WAIT_SECONDS)
            return self.remembered(projections)
        try:
            return self._read_positions(projections)
        finally:
            with self._lock:
                self._asking.pop(projections).set()

    def peek(
        self, reads: ReadModels, projections: Sequence[str], key: Hashable
    ) -> tuple[bytes | None, Positions] | Miss:
        """The cached answer and its positions, if the remembered positions are recent
        enough (no I/O)."""
        if not self._live(reads):
            return MISS
        positions = self.remembered(tuple(projections))
        if positions is None:
            return MISS
        with self._lock:
            found = self._answers.get((key, positions), MISS)
        return MISS if isinstance(found, Miss) else (found, positions)

    def answer(
        self,
        reads: ReadModels,
        projections: Sequence[str],
        key: Hashable,
        compute: Callable[[], Any],
        encode: Callable[[Any], bytes] | None = None,
        *,
        ask: bool = True,
    ) -> tuple[bytes | None, Positions | None]:
        """``compute()`` encoded (JSON unless ``encode`` is given; None when it is None),
        with the positions it was computed at (None for a replay: never cached).

        ``ask``: read the positions from the store even if recent ones are remembered
        (``min_position`` reads); otherwise remembered ones do, as for :meth:`peek`."""
        encoded = partial(_encoded, compute, encode or encode_json)
        if not self._live(reads):  # a replay (or no cache): computed every time
            return encoded(), None
        positions = None if ask else self._recent_positions(tuple(projections))
        if positions is None:
            positions = self._read_positions(tuple(projections))
        full = (key, positions)
        with self._lock:
            if full in self._answers:
                self._answers.move_to_end(full)
                return self._answers[full], positions
            computing = self._computing.get(full)
            if computing is None:  # this thread computes it; others asking meanwhile wait
                self._computing[full] = threading.Event()
        if computing is not None:
            return self._computed_by_another(full, computing, encoded), positions
        return self._compute_and_keep(full, encoded), positions

    def _computed_by_another(
        self, full: Hashable, computing: threading.Event, encoded: Callable[[], bytes | None]
    ) -> bytes | None:
        """The answer another thread is computing; our own if it fails or is too slow."""
        computing.wait(COMPUTE_WAIT_SECONDS)
        with self._lock:
            if full in self._answers:
                return self._answers[full]
        return encoded()

    def _compute_and_keep(
        self, full: Hashable, encoded: Callable[[], bytes | None]
    ) -> bytes | None:
        try:
            body = encoded()
            with self._lock:
                self._answers[full] = body
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        finally:
            with self._lock:
                self._computing.pop(full).set()
        return body


def _encoded(compute: Callable[[], Any], encode: Callable[[Any], bytes]) -> bytes | None:
    value = compute()
    return None if value is None else encode(value)
