"""Process-wide runtime tuning for the long-running API processes.

CPython's cyclic collector runs a young collection every 700 net container allocations
and, every hundred of those, a full one over every tracked object — in an API process,
that is the aggregate cache (thousands of aggregates). A 2,000-row sign-in sheet makes
hundreds of thousands of objects: its request paid for 50 collections, one of them full
(about 0.15 s of a 0.5 s request); hours requests paid the same in latency spikes. The
service makes few reference cycles, so collecting rarely costs little memory: the young
generation's threshold goes up, and what exists once the service has started (modules,
the rulebook, the app) is frozen out of every later collection.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def tune_collector() -> None:
    """Collect rarely; leave what exists now out of every later collection."""
    _, older, oldest = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
