"""Answers of live projection reads, kept per API process for as long as they are true.

An answer is stored under the (position, generation) of the projections it was read
from, read *before* the answer is computed: once a projection moves on (or is rebuilt),
later requests look under the new position and compute afresh, so a cached answer is
never older than the read models it came from. Rankings recompute every unit's
metrics from the facts of two periods; a ledger reads all of a volunteer's entries —
between two writes, each is computed once instead of once per request. Time-travel
reads (``as_of_position``, ``known_at``) are replays and never cached.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from fastapi.encoders import jsonable_encoder

from application.readmodel.queries import ReadModels
from infrastructure.bootstrap import Container


class ReadCache:
    def __init__(self, container: Container, size: int) -> None:
        self.container = container
        self.size = size
        self._answers: OrderedDict[Hashable, bytes | None] = OrderedDict()
        self._lock = threading.Lock()

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
        if not self.size or reads.store is not self.container.store:  # a replay: not cached
            value = compute()
            return None if value is None else encoder(value)
        full = (key, self.container.store.positions(projections))
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
