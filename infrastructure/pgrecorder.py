"""The library's PostgreSQL recorder with its retries bounded, so an unreachable store fails fast.

eventsourcing 9.5.6 retries every recorder call ten times on an operational error, each
attempt waiting up to the connect timeout for a pooled connection: a store that stops
answering held a request for 10 × (timeout + 0.2 s) (52 s with the default 5 s) before
it could become a 503. One retry is what the retries are for — a pooled connection that
died with its server is replaced by a fresh one — so we keep exactly one, and none after
a wait that ran out its bound (no answer in time, no connection in time) or a failure
that was slow to come (an answer that timed out closes its connection, and what surfaces
may be the commit failing on it): trying again would only wait as long again
(:mod:`infrastructure.pgbounds`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg_pool import PoolTimeout

from infrastructure.pgbounds import AnswerTimeout

ATTEMPTS = 2
RETRY_WAIT = 0.1
# A connection that died with its server fails at once; a failure that took longer than
# this was a wait running out (whatever error surfaced after it), and is not retried.
QUICK_FAILURE_SECONDS = 1.0


def timed_out(error: BaseException) -> bool:
    """The error, or one it was raised from or while handling, is a bound running out (a
    wait that ran out closes its connection, so the transaction's rollback fails next)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        cause = pending.pop()
        if cause is None or id(cause) in seen:
            continue
        if isinstance(cause, (AnswerTimeout, PoolTimeout)):
            return True
        seen.add(id(cause))
        pending += [cause.__cause__, cause.__context__]
    return False


def _bounded(method: Callable[..., Any]) -> Callable[..., Any]:
    unwrapped = getattr(method, "__wrapped__", method)  # the library's own retry, removed

    @functools.wraps(unwrapped)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, ATTEMPTS + 1):
            started = time.monotonic()
            try:
                return unwrapped(*args, **kwargs)
            except (InterfaceError, OperationalError) as e:
                slow = time.monotonic() - started > QUICK_FAILURE_SECONDS
                if attempt == ATTEMPTS or slow or timed_out(e):
                    raise
            time.sleep(RETRY_WAIT)
        raise AssertionError("unreachable")

    return bounded


class BoundedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Reads and writes of the event store, each tried at most twice."""

    insert_events = _bounded(PostgresApplicationRecorder.insert_events)
    select_events = _bounded(PostgresApplicationRecorder.select_events)
    select_notifications = _bounded(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _bounded(PostgresApplicationRecorder.max_notification_id)
