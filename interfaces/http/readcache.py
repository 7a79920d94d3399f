"""Answers of live projection reads, kept per API process for as long as they are true.

An answer is stored under the (position, generation) of the projections it was read
from, read *before* the answer is computed: once a projection moves on (or is rebuilt),
later requests look under the new position and compute afresh. The positions themselves
are remembered for :data:`POSITIONS_TTL` seconds, so a hit needs neither a query nor a
thread: an answer can then lag the read models by that much, no more (they lag the
log anyway). A read with ``min_position`` always asks the store for the positions. Rankings recompute every unit's
metrics from the facts of two periods; a ledger reads all of a volunteer's entries —
between two writes, each is computed once instead of once per request. Time-travel
reads (``as_of_position``, ``known_at``) are replays and never cached.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from fastapi.encoders import jsonable_encoder

from application.readmodel.queries import ReadModels
from infrastructure.bootstrap import Container

POSITIONS_TTL = 0.05
Positions = tuple[tuple[int, int], ...]


class Miss:
    """:meth:`ReadCache.peek` found nothing it may answer from memory."""


MISS = Miss()


class ReadCache:
    def __init__(self, container: Container, size: int) -> None:
        self.container = container
        self.size = size
        self._answers: OrderedDict[Hashable, bytes | None] = OrderedDict()
        self._positions: dict[tuple[str, ...], tuple[float, Positions]] = {}
        self._lock = threading.Lock()

    def _live(self, reads: ReadModels) -> bool:
        return bool(self.size) and reads.store is self.container.store

    def peek(
        self, reads: ReadModels, projections: Sequence[str], key: Hashable
    ) -> bytes | Miss | None:
        """The cached answer, if the remembered positions are recent enough (no I/O)."""
        if not self._live(reads):
            return MISS
        remembered = self._positions.get(tuple(projections))
        if remembered is None or time.monotonic() - remembered[0] > POSITIONS_TTL:
            return MISS
        with self._lock:
            return self._answers.get((key, remembered[1]), MISS)

    def answer(
        self,
        reads: ReadModels,
        projections: Sequence[str],
        key: Hashable,
        compute: Callable[[], Any],
        encode: Callable[[Any], bytes] | None = None,
    ) -> bytes | None:
        """``compute()`` encoded (JSON unless ``encode`` is given); None when it is None."""
        encoder = encode or _json
        if not self._live(reads):  # a replay (or no cache): computed every time
            value = compute()
            return None if value is None else encoder(value)
        positions = self.container.store.positions(projections)
        self._positions[tuple(projections)] = (time.monotonic(), positions)
        full = (key, positions)
        with self._lock:
            if full in self._answers:
                self._answers.move_to_end(full)
                return self._answers[full]
        value = compute()
        body = None if value is None else encoder(value)
        with self._lock:
            self._answers[full] = body
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return body


def _json(value: Any) -> bytes:
    """What FastAPI's JSONResponse would send for ``value``."""
    return json.dumps(
        jsonable_encoder(value), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    ).encode("utf-8")
