"""The projection runner: reads the log in batches and keeps every read model up to date.

Each batch's rows and the projection's position commit in one transaction (exactly
once, resumable after any crash). At the head it waits for the log to grow
(:mod:`infrastructure.log_wakeups`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from application.ledger import VolunteerLedger
from application.readmodel.base import Projection, UnhandledEvent
from infrastructure.lanes import (
    EVENT_FAULTS,
    Lane,
    claims,
    moves,
    rows_after,
    rows_between,
    stopped_at,
    undecoded_topics,
    write_lanes,
)
from infrastructure.log_wakeups import LogWakeups
from infrastructure.logreader import LogReader
from infrastructure.logreader import Row as LogRow
from infrastructure.pgbounds import Bounds
from infrastructure.runtime import cycle_collector_paused
from infrastructure.sqlstore import SqlStore
from infrastructure.sqltransaction import TrackingMoved

log = logging.getLogger("volunteer_ledger.projections")


class ProjectionRunner:
    def __init__(
        self,
        ledger: VolunteerLedger,
        store: SqlStore,
        projections: list[Projection],
        *,
        batch_size: int = 2000,
        poll_interval: float = 0.5,
        listen_url: str | None = None,
        listen_bounds: Bounds | None = None,
        gather: float = 0.0,
    ) -> None:
        self.ledger = ledger
        self.gather = gather
        self.batches = 0  # batches applied: what a gather window saves
        self.store = store
        self.lanes = [Lane(p) for p in projections]
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.listen_url = listen_url
        self.listen_bounds = listen_bounds
        self.skipped, headers = undecoded_topics(self.lanes)
        self.reader = LogReader(ledger, batch_size, self.skipped, headers=headers)
        for lane in self.lanes:
            self._open(lane)

    def _open(self, lane: Lane) -> None:
        """The lane's tracking row and tables created if new, its position and mirrors read."""
        self.store.register(lane.name)
        fresh = self.store.positions([lane.name])[0][0] == 0
        # A projection with rows (position > 0) gets any index it lacks now: one
        # interrupted while catching up from 0 is indexed before it goes on.
        self.store.create_tables(lane.projection.tables, indexes=not fresh)
        lane.indexes_pending = fresh
        lane.reload(self.store)

    def create_pending_indexes(self) -> None:
        """Index the tables of projections that caught up from position 0 (once each)."""
        for lane in self.lanes:
            if lane.indexes_pending:
                self.store.create_indexes(lane.projection.tables)
                lane.indexes_pending = False

    @property
    def active(self) -> list[Lane]:
        return [lane for lane in self.lanes if lane.error is None]

    def _apply_batch(self, batch: list[LogRow], after: int) -> None:
        """Apply ``batch``, the log's rows after position ``after``, to the lanes it covers."""
        work = self._work(batch, after)
        if len(work) > 1 and self._apply_together(work):
            return
        # Lane by lane, each from its position as it is now (re-read if together failed).
        for lane, todo in self._work(batch, after):
            self._apply(lane, todo)

    def _work(self, batch: list[LogRow], after: int) -> list[tuple[Lane, list[LogRow]]]:
        """Each active lane with the rows of the batch after its position (each row begins
        with its position).

        A lane re-read below ``after`` is left for the next batch, read from its position:
        the rows between are not in this one. That happens when the store's tracking row
        went back — a read-model commit (``synchronous_commit = off``) lost by a crash or
        a failover to a standby that had not received it — and applying this batch would
        have skipped the events between for good."""
        work = []
        for lane in self.active:
            if lane.position < after:
                continue
            todo = rows_after(batch, lane.position)
            if todo:
                work.append((lane, todo))
        return work

    def _apply_together(self, work: list[tuple[Lane, list[LogRow]]]) -> bool:
        """Every lane's rows and position in one transaction: one commit a batch instead of
        one per projection (the live runner applies a few events at a time, so commits and
        their round trips were most of its work). Tracking rows are claimed first, together
        and in name order, and moved together at the end. If any lane fails — an event it cannot handle, a position moved by another
        runner, a database error — the transaction is rolled back, every lane's mirrors are
        re-read, and False tells the caller to apply the batch lane by lane, where a failing
        lane stops (or raises) alone and the others go on."""
        try:
            with self._reloaded_on_failure([lane for lane, _ in work]):
                self._write_together(work)
        except Exception:
            return False
        return True

    def _write_together(self, work: list[tuple[Lane, list[LogRow]]]) -> None:
        """Claim every lane's tracking row, write its rows, move it: one transaction."""
        with self.store.transaction(replayable=True) as tx:
            tx.claim_all(claims(work))
            write_lanes(tx, work, self.reader.decode)
            tx.advance_all(moves(work))
        for lane, todo in work:
            lane.position = todo[-1][0]

    @contextmanager
    def _reloaded_on_failure(self, lanes: list[Lane]) -> Iterator[None]:
        """On any failure (the transaction rolled back), the lanes' positions and mirrors
        re-read from the store before the failure goes on up."""
        try:
            yield
        except BaseException:
            for lane in lanes:
                lane.reload(self.store)
            raise

    def step(self) -> int:
        """Apply one batch of the log to every active projection; return how many events were read."""
        after = self._slowest_position()
        if after is None:
            return 0
        batch = self.reader.fetch(after)
        self._apply_batch(batch, after)
        self.batches += bool(batch)
        return len(batch)

    def catch_up(self) -> int:
        """Run batches until every active projection is at the head; return events read.

        The next batch is fetched in a second thread while this one is decoded, applied and
        written, so fetching overlaps the work.
        """
        read = self._catch_up()
        self.create_pending_indexes()
        return read

    def _catch_up(self) -> int:
        total = 0
        with cycle_collector_paused(), ThreadPoolExecutor(max_workers=1) as reader:
            after = self._slowest_position()
            if after is None:
                return 0
            ahead = reader.submit(self.reader.fetch, after)
            while batch := ahead.result():
                last = batch[-1][0]
                ahead = reader.submit(self.reader.fetch, last)
                self._apply_batch(batch, after)
                total += len(batch)
                after = self._slowest_position()
                if after is None:
                    return total
                ahead = self._read_again_if_short(reader, ahead, after, last)
        return total

    def _read_again_if_short(
        self, reader: ThreadPoolExecutor, ahead: Future[list[LogRow]], after: int, last: int
    ) -> Future[list[LogRow]]:
        """The fetch ahead (from ``last``, the batch's end), unless the slowest lane is
        now at ``after`` short of it (it stopped, or another runner moved it): then the
        log read again from there."""
        if after == last:
            return ahead
        ahead.result()
        return reader.submit(self.reader.fetch, after)

    def _slowest_position(self) -> int | None:
        """The lowest position of the active lanes; None when none is active."""
        return min((lane.position for lane in self.active), default=None)

    def _apply(self, lane: Lane, todo: list[LogRow], *, one_by_one: bool = False) -> None:
        """``todo`` applied to ``lane`` in one transaction; on a failure, the lane reloaded
        and what can be applied applied (an event's own failure stops the lane there)."""
        try:
            with self._reloaded_on_failure([lane]):
                self._write(lane, todo, safe_text=one_by_one)
        except UnhandledEvent as stop:
            self._stop_at_unhandled(lane, todo, stop)
        except TrackingMoved:
            pass  # reloaded: the lane goes on from where the store says it is
        except EVENT_FAULTS as error:
            self._find_faulty_event(lane, todo, error, one_by_one=one_by_one)

    def _write(self, lane: Lane, todo: list[LogRow], *, safe_text: bool) -> None:
        """Claim the lane's tracking row, write its rows, move it: one transaction."""
        with self.store.transaction(replayable=True, safe_text=safe_text) as tx:
            tx.claim(lane.name, lane.position, lane.generation)
            write_lanes(tx, [(lane, todo)], self.reader.decode)
            tx.advance(lane.name, lane.position, todo[-1][0], lane.generation)
        lane.position = todo[-1][0]

    def _find_faulty_event(
        self, lane: Lane, todo: list[LogRow], error: BaseException, *, one_by_one: bool
    ) -> None:
        """After an event's own failure (``EVENT_FAULTS``): ``todo`` applied one by one to
        find the event, or, when ``todo`` was that one event, the lane stopped at it."""
        if not one_by_one:
            self._apply_one_by_one(lane, todo)
            return
        (row,) = todo
        self._stop(lane, stopped_at(lane.name, row[0], row[3], error))

    def _stop_at_unhandled(self, lane: Lane, todo: list[LogRow], stop: UnhandledEvent) -> None:
        """The events before the one ``lane`` cannot handle applied, then the lane stopped."""
        before = rows_between(todo, lane.position, stop.position)
        if before:
            self._apply(lane, before)
        self._stop(lane, str(stop))

    def _apply_one_by_one(self, lane: Lane, todo: list[LogRow]) -> None:
        """Find the event that failed: each on its own, NUL in text made safe (the one
        failure of an event's own that a read model can take in another form)."""
        for row in todo:
            if lane.error is not None:
                return
            if row[0] > lane.position:
                self._apply(lane, [row], one_by_one=True)
        # The mirrors hold what the events said; the tables, the safe form: read it back.
        lane.reload(self.store)

    def _stop(self, lane: Lane, error: str) -> None:
        """Stop ``lane`` at its position with ``error`` (shown by status and /readyz); the
        other projections go on. A rebuild of it clears the error."""
        with self.store.transaction(safe_text=True) as tx:  # the error may quote a NUL
            tx.advance(lane.name, lane.position, lane.position, lane.generation, error)
        lane.error = error
        log.error("%s", error)

    # ----------------------------------------------------------------- running for ever

    def run(self, stop: threading.Event) -> None:
        """Keep the read models caught up until ``stop`` is set."""
        wakeups = LogWakeups(
            listen_url=self.listen_url,
            listen_bounds=self.listen_bounds,
            channel=getattr(self.ledger.recorder, "channel_name", None),
            poll_interval=self.poll_interval,
            gather=self.gather,
        )
        try:
            while not stop.is_set():
                if self._live_step(stop) == 0:
                    wakeups.wait(stop)
        finally:
            wakeups.close()

    def _live_step(self, stop: threading.Event) -> int | None:
        """One step, and the pending indexes built once at the head; None when it failed
        (logged, and the poll interval waited before the next)."""
        try:
            with cycle_collector_paused():
                read = self.step()
            if read < self.batch_size:  # at the head for now
                self.create_pending_indexes()
        except Exception:
            log.exception("projection batch failed; retrying after %ss", self.poll_interval)
            stop.wait(self.poll_interval)
            return None
        return read
