"""When the projection runner, at the head of the log, looks at it again: woken by the
event store's NOTIFY on PostgreSQL (the recorder's channel), with polling as the
fallback when listening is not possible or the connection is lost; on SQLite it polls."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg

from infrastructure.pgbounds import Bounds

log = logging.getLogger("volunteer_ledger.projections")


class LogWakeups:
    """``wait(stop)`` returns when the log may have grown, or ``stop`` is set.

    ``gather``: woken by a write, let the writes that follow it arrive too (that many
    seconds), so a busy log is applied in batches of many events instead of one batch
    per commit (each batch is a transaction over every projection). Read-your-writes
    waits that much longer; the notifications heard meanwhile are spent."""

    def __init__(
        self,
        *,
        listen_url: str | None,
        listen_bounds: Bounds | None,
        channel: str | None,
        poll_interval: float,
        gather: float,
    ) -> None:
        self.listen_url = listen_url
        self.listen_bounds = listen_bounds
        self.channel = channel
        self.poll_interval = poll_interval
        self.gather = gather
        self._listener = self._listen()

    def wait(self, stop: threading.Event) -> None:
        self._listener = self._wait(self._listener, stop)
        if self._listener is not None and self.gather:
            self._listener = self._gather(self._listener, stop)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()

    def _listen(self) -> psycopg.Connection[Any] | None:
        if not self.listen_url:
            return None
        try:
            return self._subscribed(self._connect(self.listen_url))
        except psycopg.Error:
            log.warning("LISTEN unavailable; polling every %ss", self.poll_interval)
            return None

    def _connect(self, url: str) -> psycopg.Connection[Any]:
        """The LISTEN connection, bounded as the pools' are (if bounds were given)."""
        if self.listen_bounds is None:
            return psycopg.connect(url, autocommit=True, connect_timeout=5)
        return self.listen_bounds.connect(url, autocommit=True)

    def _subscribed(self, conn: psycopg.Connection[Any]) -> psycopg.Connection[Any] | None:
        """``conn`` listening on the recorder's channel (closed, None, without one)."""
        if self.channel is None:
            conn.close()
            return None
        conn.execute(f'LISTEN "{self.channel}"')
        return conn

    def _gather(
        self, listener: psycopg.Connection[Any], stop: threading.Event
    ) -> psycopg.Connection[Any] | None:
        stop.wait(self.gather)
        try:
            for _ in listener.notifies(timeout=0.0):
                pass
            return listener
        except psycopg.Error:
            _lost(listener)
            return None

    def _wait(
        self, listener: psycopg.Connection[Any] | None, stop: threading.Event
    ) -> psycopg.Connection[Any] | None:
        if listener is None:
            stop.wait(self.poll_interval)
            return self._listen()  # None without a URL: polling
        try:
            self._until_notified(listener, stop)
            return listener
        except psycopg.Error:
            _lost(listener)
            return None

    def _until_notified(self, listener: psycopg.Connection[Any], stop: threading.Event) -> None:
        """Wait for a notification, ``stop`` or the poll interval, whichever comes first:
        in short waits, so a stop request is honoured promptly."""
        deadline = time.monotonic() + self.poll_interval
        while not stop.is_set() and time.monotonic() < deadline:
            timeout = min(0.25, max(0.0, deadline - time.monotonic()))
            if _notified(listener, timeout):
                return


def _notified(listener: psycopg.Connection[Any], timeout: float) -> bool:
    """Whether a notification came within ``timeout`` seconds."""
    return any(True for _ in listener.notifies(timeout=timeout, stop_after=1))


def _lost(listener: psycopg.Connection[Any]) -> None:
    """The LISTEN connection failed: closed (polling until it is back)."""
    log.warning("LISTEN connection lost; polling until it is back")
    listener.close()
