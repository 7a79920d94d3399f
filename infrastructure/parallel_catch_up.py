"""Catching up the read models in several processes: the projections shared out by
weight, the heaviest share run here, the others in forked (or spawned) workers.

Each worker reads the log and keeps its own projections' tracking rows, so exactly-once
holds per projection as with one runner.

On Linux the workers are forked, so they do not import again what this process has
already imported. A forked worker touches nothing it inherits — it opens its own
connections, and leaves with ``os._exit`` (as every forked ``multiprocessing`` process
does), so no inherited connection is closed from there. The connection pools' threads
are not copied; a lock one of them held at the fork, in a library the worker then uses,
would hang the worker, so the pools are first waited for until full, their threads
idle. Elsewhere they are spawned, so a script calling this needs the
``if __name__ == "__main__":`` guard (``python -m bench`` has it).
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import combinations, pairwise
from typing import TYPE_CHECKING, Any

from application.readmodel.base import Projection
from infrastructure.settings import Settings

if TYPE_CHECKING:
    from infrastructure.bootstrap import Container

# How catch-up workers start (see the module's docstring).
WORKER_START = "fork" if sys.platform == "linux" else "spawn"


def catch_up_in_parallel(
    container: Container, projections: list[Projection], *, batch_size: int, workers: int
) -> tuple[int, dict[str, float]]:
    """Catch ``projections`` up in ``workers`` processes, this one included (it takes the
    heaviest share, being started already, so one fewer start-up lies on the wall clock).
    The most events a share read, and each share's seconds under its projections' names."""
    here, elsewhere = _split_heaviest(share_out(projections, workers), projections)
    if WORKER_START == "fork":
        container.settle_connections()
    with ProcessPoolExecutor(
        max_workers=max(1, len(elsewhere)),
        mp_context=multiprocessing.get_context(WORKER_START),
    ) as pool:
        futures = _submit_shares(pool, container.settings, elsewhere, batch_size)
        read, seconds = timed(lambda: container.runner(batch_size=batch_size, only=here).catch_up())
        shares = {_label(here) + " (this process)": seconds}
        for names, future in zip(elsewhere, futures, strict=True):
            share_read, shares[_label(names)] = future.result()
            read = max(read, share_read)
    return read, shares


def share_out(projections: list[Projection], workers: int) -> list[frozenset[str]]:
    """Projections in at most ``workers`` groups of about equal work (``Projection.weight``).

    Those that ignore the most event types go together, so their worker can skip decoding
    what all of them ignore: the groups are runs of the projections ranked by how many
    types they ignore, cut where the heaviest group is lightest.
    """
    ranked = sorted(projections, key=lambda p: len(p.ignored_topics()))
    parts = max(1, min(workers, len(ranked)))
    cuttings = (_cut(ranked, cuts) for cuts in combinations(range(1, len(ranked)), parts - 1))
    best = min(cuttings, key=_heaviest_load)  # the first of the lightest
    return [frozenset(p.name for p in g) for g in best]


def _cut(ranked: list[Projection], cuts: tuple[int, ...]) -> list[list[Projection]]:
    """``ranked`` cut into runs before each index of ``cuts``."""
    bounds = (0, *cuts, len(ranked))
    return [ranked[a:b] for a, b in pairwise(bounds)]


def _heaviest_load(groups: list[list[Projection]]) -> float:
    """The weight of the heaviest of ``groups``."""
    return max(sum(p.weight for p in g) for g in groups)


def _split_heaviest(
    groups: list[frozenset[str]], projections: list[Projection]
) -> tuple[frozenset[str], list[frozenset[str]]]:
    """The heaviest group, and the others."""
    weights = {p.name: p.weight for p in projections}
    here = max(groups, key=lambda g: sum(weights[n] for n in g))
    return here, [g for g in groups if g is not here]


def _submit_shares(
    pool: ProcessPoolExecutor,
    settings: Settings,
    shares: list[frozenset[str]],
    batch_size: int,
) -> list[Future[tuple[int, float]]]:
    dumped = settings.model_dump()
    return [pool.submit(_catch_up_share, dumped, names, batch_size) for names in shares]


def _label(names: frozenset[str]) -> str:
    return ", ".join(sorted(names))


def timed(catch_up: Callable[[], int]) -> tuple[int, float]:
    """What ``catch_up()`` returns, and the seconds it took."""
    started = time.perf_counter()
    read = catch_up()
    return read, time.perf_counter() - started


def _catch_up_share(
    settings: dict[str, Any], names: frozenset[str], batch_size: int
) -> tuple[int, float]:
    """In a worker process: catch up the projections ``names``; events read and seconds taken."""
    from infrastructure.bootstrap import bootstrap  # which imports this module

    container = bootstrap(Settings(**settings))
    try:
        return timed(lambda: container.runner(batch_size=batch_size, only=names).catch_up())
    finally:
        container.close()
