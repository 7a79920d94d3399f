"""Process-wide runtime tuning for the long-running API processes.

CPython's cyclic collector runs a young collection every 700 net container allocations
and, every hundred of those, a full one over every tracked object — in an API process,
that is the aggregate cache (thousands of aggregates), scanned again and again while a
large request (a sign-in sheet) allocates. The service makes few reference cycles, so
collecting rarely costs little memory: the young generation's threshold goes up, and
what exists once the service has started (modules, the rulebook, the app) is frozen out
of every later collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000


def tune_collector() -> None:
    """Collect rarely; leave what exists now out of every later collection."""
    _, older, oldest = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while batches are read, decoded and applied.

    A batch allocates hundreds of thousands of short-lived container objects (parsed JSON,
    events, rows), and every 700 allocations the collector runs, scanning young objects
    and, ever more often as they pile up, the mirrors and caches too. None of these objects form reference cycles (they are
    freed by reference counting), so pausing loses nothing; whatever cyclic garbage
    does appear (an exception's traceback) is collected when the collector resumes.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
