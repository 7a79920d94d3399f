"""Failed authentication, throttled: per client address and per user name, in process.

Each API process counts the failures it saw in a sliding window (``VL_AUTH_FAILURE_LIMIT``
failures per ``VL_AUTH_FAILURE_WINDOW_SECONDS``); past the limit, a further attempt that
is not already known good is answered 429 with ``Retry-After`` (the seconds until the
oldest counted failure leaves the window), without asking the store. A bearer token
names no user, so bad tokens count against their address; a sign-in that names a user
(a password sign-in) counts against both. With N API processes an address gets up to N
times the limit; the store is not asked to share the count, so a flood of bad tokens
costs the database nothing once an address is throttled.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 100_000  # addresses and names remembered at once (stale ones are dropped first)


class FailureThrottle:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> int | None:
        """Seconds to wait if any of ``keys`` has used up its failures, else None."""
        now = self.clock()
        with self._lock:
            waits = [w for key in keys if (w := self._wait(key, now)) is not None]
        return max(waits, default=None)

    def _wait(self, key: str, now: float) -> int | None:
        """Seconds until ``key``'s oldest failure in the window drops out of it, if ``key``
        has used up its failures (those out of the window are forgotten); else None."""
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(failures) < self.limit:
            return None
        return max(1, math.ceil(failures[0] + self.window - now))

    def failed(self, *keys: str) -> None:
        """Count one failed attempt against each of ``keys``."""
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._forget_stale(now)
            for key in keys:
                failures = self._failures.setdefault(key, deque(maxlen=self.limit))
                failures.append(now)

    def _forget_stale(self, now: float) -> None:
        stale = [k for k, f in self._failures.items() if not f or f[-1] <= now - self.window]
        for key in stale or list(self._failures)[: MAX_KEYS // 10]:
            del self._failures[key]


def address_key(host: str | None) -> str:
    return f"address:{host or 'unknown'}"


def user_key(name: str) -> str:
    return f"user:{name}"
