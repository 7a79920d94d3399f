"""The annual review replayed over a history of ≥ 1,000,000 events on SQLite.

Runs ``volunteer-ledger review 2022`` as a separate process (as an auditor would), twice,
measuring wall time and peak resident memory of each run, and checks the two outputs
are byte-identical. Targets: ≤ 60 s and ≤ 1 GB peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

from bench.history import cached_history, history_path

TARGET_SECONDS, TARGET_BYTES = 60, 1024**3


def run_review(path: str, year: int) -> tuple[float, int, str]:
    """Wall seconds, peak resident bytes of the review process itself (``wait4`` gives that
    child's own figures; the children total would include, say, the history's generation)
    and the digest of its output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        review = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "interfaces.cli",
                "review",
                str(year),
                "--database-url",
                f"sqlite:///{path}",
            ],
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(review.pid, 0)
        review.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if review.returncode != 0:
            err.seek(0)
            raise subprocess.CalledProcessError(review.returncode, review.args, stderr=err.read())
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()
    return seconds, usage.ru_maxrss * 1024, digest


def history_made_elsewhere(events: int) -> str:
    """The cached history, made (if missing) by another process: a review process is forked
    from this one, and Linux counts the memory it held at the fork in its peak (kept across
    ``exec``). Generating a million events here took this process to 1.7 GB, and both
    reviews of that run reported it as their peak; reusing the cache, 650 MiB."""
    if history_path(events).exists():
        return str(history_path(events))
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from bench.history import cached_history; cached_history(events={events})",
        ],
        check=True,
    )
    return str(cached_history(events=events))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench review_replay", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2022)
    args = parser.parse_args(argv)
    path = history_made_elsewhere(args.events)
    with sqlite3.connect(path) as db:
        (events,) = db.execute("SELECT max(rowid) FROM stored_events").fetchone()
    first = run_review(path, args.year)
    second = run_review(path, args.year)
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
