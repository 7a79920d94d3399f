"""Taking the read models' checkpoints (:mod:`infrastructure.checkpoints`) as the log
grows, in a thread of the projection worker's process."""

from __future__ import annotations

import logging
import threading

from application.ledger import VolunteerLedger
from infrastructure.checkpoints import Checkpoints

log = logging.getLogger(__name__)


class Checkpointer:
    """Takes the due checkpoints in a thread of the projection worker's process, beside the
    runner (never in its way: a checkpoint is built in memory from the log and written in
    one short transaction), every ``interval`` seconds until stopped."""

    def __init__(
        self,
        ledger: VolunteerLedger,
        checkpoints: Checkpoints,
        *,
        every: int,
        interval: float = 5.0,
    ) -> None:
        self.ledger = ledger
        self.checkpoints = checkpoints
        self.every = every
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="checkpoints", daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self._take_due()
            except Exception:
                log.exception("taking a checkpoint of the read models failed; retrying later")

    def _take_due(self) -> None:
        """The checkpoints due now, each logged; none after ``stop`` is set."""
        for taken in self.checkpoints.take(self.ledger, every=self.every):
            log.info(
                "checkpoint of the read models at %d: %d rows, %d bytes, %.1f s",
                taken.position,
                taken.rows,
                taken.stored_bytes,
                taken.seconds,
            )
            if self.stop.is_set():
                return

    def start(self) -> None:
        self.thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.thread.join(timeout)
