"""The library's PostgreSQL recorder with its retries bounded, so an unreachable store fails fast.

eventsourcing 9.5.6 retries every recorder call ten times on an operational error, each
attempt waiting up to the connect timeout for a pooled connection: a store that stops
answering held a request for 10 × (timeout + 0.2 s) (52 s with the default 5 s) before
it could become a 503. One retry is what the retries are for — a pooled connection that
died with its server is replaced by a fresh one — so we keep exactly one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

ATTEMPTS = 2


def _bounded(method: Callable[..., Any]) -> Callable[..., Any]:
    unwrapped = getattr(method, "__wrapped__", method)  # the library's own retry, removed
    bounded: Callable[..., Any] = retry(
        (InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=0.1
    )(unwrapped)
    return bounded


class BoundedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """Reads and writes of the event store, each tried at most twice."""

    insert_events = _bounded(PostgresApplicationRecorder.insert_events)
    select_events = _bounded(PostgresApplicationRecorder.select_events)
    select_notifications = _bounded(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _bounded(PostgresApplicationRecorder.max_notification_id)
