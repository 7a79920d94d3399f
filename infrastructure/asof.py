"""Bounds on the reads that can cost a worker seconds: waiting for the read models, and
time travel (as-of reads, open to every role).

Each kind has a per-process :class:`Gate`: a request that finds it full is refused at once
(:class:`Busy`, answered 503 with ``Retry-After``) instead of queueing behind the others,
where it would hold up the normal reads queued behind it too. Whole-log replays
are kept by cut (the log below a cut never changes), and a volunteer's ledger at a cut is
built from that volunteer's events alone (:func:`volunteer_ledger_at`), not from position 0.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import UUID

from application.ledger import VolunteerLedger
from application.readmodel.audit.asof import volunteer_ledger_at
from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.store import Row, RowReader
from domain.rulebook import Rulebook
from infrastructure.checkpoints import Checkpoints, replay_from_checkpoint
from infrastructure.runtime import cycle_collector_paused
from infrastructure.sqlstore import SqlStore


class Busy(Exception):
    """Every slot of a gate is taken: try again shortly."""

    def __init__(self, what: str, size: int) -> None:
        super().__init__(f"{size} {what} already running in this process; try again shortly")
        self.what = what
        self.size = size


class Gate:
    """At most ``size`` holders at once; one more is refused, never queued."""

    def __init__(self, what: str, size: int) -> None:
        self.what = what
        self.size = size
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise Busy(self.what, self.size)
        try:
            yield
        finally:
            self._slots.release()


class AsOfReads:
    """Time travel for one process: bounded, cached by cut, from a volunteer's own events
    where the answer needs no more."""

    def __init__(
        self,
        ledger: VolunteerLedger,
        rulebook: Rulebook,
        store: Callable[[], SqlStore],
        *,
        replays: int,
        cached: int,
    ) -> None:
        self.ledger = ledger
        self.rulebook = rulebook
        self._store = store
        self._checkpoints: Checkpoints | None = None
        self.gate = Gate("time-travel replays", replays)
        self.cached = cached
        self._replays: OrderedDict[int, ReadModels] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def checkpoints(self) -> Checkpoints:
        """The read-model store's checkpoints, for every projection in the catalogue."""
        if self._checkpoints is None:
            self._checkpoints = Checkpoints(
                self._store(), all_projections(self.rulebook), self.rulebook
            )
        return self._checkpoints

    @contextmanager
    def _held(self) -> Iterator[None]:
        with self.gate.held(), cycle_collector_paused():
            yield

    def read_models_at(self, cut: int) -> ReadModels:
        """Every read model as it stood at ``cut`` (a position the log has reached)."""
        with self._lock:
            found = self._replays.get(cut)
            if found is not None:
                self._replays.move_to_end(cut)
                return found
        with self.gate.held():  # finding the checkpoint; each read model is built under it too
            memory, _ = replay_from_checkpoint(self.ledger, self.checkpoints, cut, guard=self._held)
        reads = ReadModels(memory, self.rulebook)
        self._keep(cut, reads)
        return reads

    def _keep(self, cut: int, reads: ReadModels) -> None:
        """Keep the replay at ``cut``, dropping the least recently used beyond ``cached``."""
        with self._lock:
            self._replays[cut] = reads
            while len(self._replays) > self.cached:
                self._replays.popitem(last=False)

    def forget(self) -> None:
        """Drop the replays kept by cut (a benchmark's fresh reads)."""
        with self._lock:
            self._replays.clear()

    def ledger_at(self, live: RowReader, volunteer_id: UUID, cut: int) -> Row | None:
        """A volunteer's ledger at ``cut``; ``live`` holds the audit trail up to ``cut``."""
        with self.gate.held():
            return volunteer_ledger_at(self.ledger, live, self.rulebook, volunteer_id, cut)
