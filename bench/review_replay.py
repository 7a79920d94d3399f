"""The annual review replayed over a history of ≥ 1,000,000 events on SQLite.

Runs ``volunteer-ledger review 2022`` as a separate process (as an auditor would), twice,
measuring wall time and peak resident memory of each run, and checks the two outputs
are byte-identical. Targets: ≤ 60 s and ≤ 1 GB peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sqlite3
import subprocess
import sys
import time

from bench.history import cached_history

TARGET_SECONDS, TARGET_BYTES = 60, 1024**3


def run_review(path: str, year: int) -> tuple[float, int, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "interfaces.cli",
            "review",
            str(year),
            "--database-url",
            f"sqlite:///{path}",
        ],
        capture_output=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: a second run only shows if larger.
    return seconds, max(peak_kib, before) * 1024, hashlib.sha256(done.stdout).hexdigest()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench review_replay", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2022)
    args = parser.parse_args(argv)
    path = cached_history(events=args.events)
    with sqlite3.connect(path) as db:
        (events,) = db.execute("SELECT max(rowid) FROM stored_events").fetchone()
    first = run_review(str(path), args.year)
    second = run_review(str(path), args.year)
    print(f"history: {events:,} events in {path}")
    print(f"{'run':<8}{'seconds':>10}{'events/s':>12}{'peak MiB':>10}  sha256 of output")
    for name, (seconds, peak, digest) in (("first", first), ("second", second)):
        print(
            f"{name:<8}{seconds:>10.1f}{events / seconds:>12,.0f}{peak / 1024**2:>10,.0f}  {digest[:16]}"
        )
    print(
        f"byte-identical: {first[2] == second[2]}; targets ≤ {TARGET_SECONDS} s and ≤ 1 GiB "
        f"peak: {'met' if max(first[0], second[0]) <= TARGET_SECONDS and max(first[1], second[1]) <= TARGET_BYTES else 'NOT met'}"
    )
    return 0
