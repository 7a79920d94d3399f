"""Group commit: concurrent inserts from one process's threads share one transaction.

Writers to the event store are serialised (a transaction-scoped lock, so notification ids
are issued in commit order and readers never pass a gap that fills later). Each insert
then pays for the lock, the chain-head read, its round trips and a WAL flush on its own,
and under load the lock's queue, not the work, sets the pace. Here, while one thread's
transaction is running, the threads that arrive meanwhile queue up; when it finishes,
one of them (the leader) takes the whole queue and inserts all of their events in one
transaction: one lock, one head read, one insert, one flush. Each caller still gets its
own notification ids, in the order the batch was written (its events stay contiguous).

A batch either commits whole or not at all. If it fails — one member's aggregate version
already taken (an optimistic-concurrency conflict), or anything else — its members are
inserted again one by one, each in its own transaction, so each caller gets exactly the
result or the error it would have got alone. Except when the store is unreachable (or the
write lock's timeout passed): then each member gets that error at once, as it would have
alone, instead of every member trying the store again in turn (a dead store must fail a
request in seconds, see :mod:`infrastructure.pgrecorder`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent

# Errors that say the store cannot be written now (not that this insert is wrong).
UNAVAILABLE = (OperationalError, InterfaceError)

Insert = Callable[[Sequence[StoredEvent]], Sequence[int] | None]

# A batch stops growing at this many events (the queue's remainder goes next): bounds the
# time the store's write lock is held by one transaction.
MAX_BATCH_EVENTS = 5_000


@dataclass(eq=False)
class _Member:
    events: Sequence[StoredEvent]
    ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass(eq=False)
class GroupCommit:
    """Calls ``insert`` with the events of every waiting caller at once.

    ``insert`` must write the events it is given in one transaction, in order, and return
    their notification ids in the same order (all of them, or raise and write none).
    """

    insert: Insert
    max_batch_events: int = MAX_BATCH_EVENTS
    _queue: list[_Member] = field(default_factory=list)
    _leading: bool = False
    _turn: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, events: Sequence[StoredEvent]) -> Sequence[int] | None:
        mine = _Member(events)
        batch = self._queue_up(mine)
        if batch:
            self._lead(batch)
        return _result(mine)

    def _queue_up(self, mine: _Member) -> list[_Member]:
        """Queue ``mine`` and wait while another thread leads: [] when a leader did it,
        else the batch to lead (``mine`` in it), this thread now the leader."""
        with self._turn:
            self._queue.append(mine)
            self._wait_for_turn(mine)
            if mine.done:
                return []
            self._leading = True
            return self._take()

    def _wait_for_turn(self, mine: _Member) -> None:
        """Holding the condition: wait while another thread leads and ``mine`` is not done."""
        while self._leading and not mine.done:
            self._turn.wait()

    def _lead(self, batch: list[_Member]) -> None:
        """Commit ``batch``, then let the next leader go."""
        try:
            self._commit(batch)
        finally:
            with self._turn:
                self._leading = False
                self._turn.notify_all()

    def _take(self) -> list[_Member]:
        """The queue's oldest members, up to the batch size (at least one)."""
        count = _fitting(self._queue, self.max_batch_events)
        batch, self._queue = self._queue[:count], self._queue[count:]
        return batch

    def _commit(self, batch: list[_Member]) -> None:
        try:
            if len(batch) == 1 or not self._settled_together(batch):
                self._commit_each(batch)
        finally:
            _tell_interrupted(batch)

    def _settled_together(self, batch: list[_Member]) -> bool:
        """Every member's events in one transaction; False when it rolled back for a reason
        that may be one member's (each then gets its own answer, alone)."""
        try:
            ids = self.insert(_all_events(batch))
        except UNAVAILABLE as e:
            _fail(batch, e)
            return True
        except Exception:
            return False
        _hand_out(batch, ids)
        return True

    def _commit_each(self, batch: list[_Member]) -> None:
        for n, member in enumerate(batch):
            try:
                member.ids = self.insert(member.events)
            except UNAVAILABLE as e:
                _fail(batch[n:], e)
                return
            except Exception as e:
                member.error = e
            member.done = True


def _fitting(queue: list[_Member], limit: int) -> int:
    """How many of the oldest members of ``queue`` fit in ``limit`` events (at least one)."""
    count, size = 0, 0
    for member in queue:
        if count and size + len(member.events) > limit:
            break
        count, size = count + 1, size + len(member.events)
    return count


def _all_events(batch: list[_Member]) -> list[StoredEvent]:
    """Every member's events, in the batch's order."""
    return [e for member in batch for e in member.events]


def _result(member: _Member) -> Sequence[int] | None:
    """The member's ids, or its error raised (once it is done)."""
    if member.error is not None:
        raise member.error
    return member.ids


def _hand_out(batch: list[_Member], ids: Sequence[int] | None) -> None:
    """Each member its own ids, in the order the batch was written."""
    assert ids is not None and len(ids) == sum(len(m.events) for m in batch)
    start = 0
    for member in batch:
        member.ids = ids[start : start + len(member.events)]
        member.done = True
        start += len(member.events)


def _tell_interrupted(batch: list[_Member]) -> None:
    """Members left undone were interrupted (a BaseException): their waiters are told so."""
    for member in batch:
        if not member.done:
            member.error = RuntimeError("the group commit was interrupted")
            member.done = True


def _fail(members: list[_Member], error: Exception) -> None:
    """Each member gets the error (its own copy, so threads never share one traceback)."""
    for member in members:
        member.error = _own_copy(error)
        member.done = True


def _own_copy(error: Exception) -> Exception:
    """A copy of ``error`` caused by it (``error`` itself if its type cannot be rebuilt
    from its args)."""
    try:
        copy = type(error)(*error.args)
    except Exception:
        return error
    copy.__cause__ = error
    return copy
