"""One PostgreSQL LISTEN connection per process, for the caches that must hear of changes.

An API process remembers things it would otherwise ask the store for on every request:
the users behind bearer tokens (``users revoke`` notifies :data:`REVOKED_CHANNEL`) and
the read-model positions its cached answers were computed at (every change of
``rm_tracking`` notifies :data:`TRACKING_CHANNEL`, by a trigger). A cache may trust what
it remembers only while :attr:`Listener.listening` is set; each subscriber's ``forget``
runs on every notification of its channel and whenever the connection is made, lost or
found dead (anything could have been missed meanwhile). SQLite has no notifications:
there is no listener and the caches fall back to asking (or to a short time to live).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

from infrastructure.pgbounds import Bounds
from infrastructure.settings import Settings

REVOKED_CHANNEL = "vl_user_revoked"
TRACKING_CHANNEL = "vl_tracking_moved"
log = logging.getLogger("volunteer_ledger.listening")


class Listener:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.database_url
        self._bounds = Bounds.of(settings)
        self._channels: dict[str, list[Callable[[], None]]] = {}
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> Listener | None:
        """A listener on PostgreSQL; None on SQLite."""
        return cls(settings) if settings.is_postgres else None

    def subscribe(self, channel: str, forget: Callable[[], None]) -> None:
        """Call ``forget`` on each notification of ``channel`` (subscribe before start)."""
        assert self._thread is None, "subscribe before the listener starts"
        self._channels.setdefault(channel, []).append(forget)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen, name="listener", daemon=True)
        self._thread.start()

    def _forget(self, channels: Iterable[str] | None = None) -> None:
        """The subscribers of ``channels`` (of every channel without) forget."""
        for channel in self._channels if channels is None else channels:
            for forget in self._channels.get(channel, ()):
                forget()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                self._connect_and_hear()
            except psycopg.Error as e:
                log.warning("notifications unheard (%s); caches ask the store meanwhile", e)
            finally:
                self.listening.clear()
                self._forget()
            self._stop.wait(1.0)

    def _connect_and_hear(self) -> None:
        """Connect, LISTEN on every channel, forget what may have been missed meanwhile, and
        hear until stopped (or the connection fails)."""
        with self._bounds.connect(self._url, autocommit=True) as conn:
            for channel in self._channels:
                conn.execute(f"LISTEN {channel}")
            self._forget()
            self.listening.set()
            self._hear(conn)

    def _hear(self, conn: psycopg.Connection[Any]) -> None:
        """Until stopped: each notification makes its channel's caches forget."""
        while not self._stop.is_set():
            heard = _heard(conn)
            if heard:
                self._forget(heard)
            else:
                # A dead or silent connection fails here, within the bounds.
                conn.execute("SELECT 1")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _heard(conn: psycopg.Connection[Any]) -> set[str]:
    """The channel of a notification heard within a second (none: an empty set)."""
    return {n.channel for n in conn.notifies(timeout=1.0, stop_after=1)}
