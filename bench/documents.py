"""The supervision bulletin (PDF and XLSX) of a year over a long history: seconds and peak memory.

Copies the cached SQLite history (``bench.history``, six demo years) or uses
``--database-url`` (a PostgreSQL store holding a history), brings the read models to the
head with ``projections run --once``, then runs ``volunteer-ledger bulletin YEAR`` for
PDF and XLSX as separate processes, twice each, and reports wall time, the process's own
peak resident memory and whether the two outputs are byte-identical.
Targets: ≤ 10 s and ≤ 500 MB per document.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.history import cached_history

TARGET_SECONDS, TARGET_BYTES = 10, 500 * 1024**2


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "interfaces.cli", *args]


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and the child's own peak resident bytes (``wait4``)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            print(err.read().decode(errors="replace"), file=sys.stderr)
            raise SystemExit(1)
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench documents")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--database-url", help="a store already holding a history")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        url = args.database_url
        if url is None:
            copy = Path(tmp) / "ledger.sqlite3"
            shutil.copyfile(cached_history(events=args.events), copy)
            url = f"sqlite:///{copy}"
        seconds, _ = timed(_cli("projections", "run", "--once", "--database-url", url))
        print(f"documents: read models caught up in {seconds:.1f} s")
        failed = False
        for fmt in ("pdf", "xlsx"):
            digests, runs = [], []
            for i in range(2):
                out = Path(tmp) / f"bulletin-{i}.{fmt}"
                argv_ = _cli(
                    "bulletin",
                    str(args.year),
                    "--format",
                    fmt,
                    "--output",
                    str(out),
                    "--database-url",
                    url,
                )
                runs.append(timed(argv_))
                digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
            best = min(s for s, _ in runs)
            peak = max(m for _, m in runs)
            same = digests[0] == digests[1]
            ok = best <= TARGET_SECONDS and peak <= TARGET_BYTES and same
            failed |= not ok
            print(
                f"documents: bulletin {args.year} {fmt}: {best:.2f} s (runs "
                f"{', '.join(f'{s:.2f}' for s, _ in runs)}), peak {peak / 1024**2:.0f} MiB, "
                f"identical={same} [{'ok' if ok else 'MISSED'} ≤ {TARGET_SECONDS} s, ≤ 500 MB]"
            )
    return 1 if failed else 0
