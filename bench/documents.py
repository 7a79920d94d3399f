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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.history import cached_history, copy_events, ledger_for
from bench.record_hours import postgres_store
from infrastructure.settings import Settings

TARGET_SECONDS, TARGET_BYTES = 10, 500 * 1024**2
ADMIN_URL = os.environ.get("VL_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


# The command line, run so that it writes its own peak resident size (VmHWM) on exit.
# wait4's ru_maxrss would not do: Linux carries the parent's peak across fork and exec
# into the child's, so a bench that has just built a million-event history in memory
# reported its own 2 GiB for every child.
_PEAK_AT_EXIT = (
    "import atexit, os, runpy\n"
    "def peak():\n"
    "    with open('/proc/self/status') as s, open(os.environ['VL_BENCH_PEAK_FILE'], 'w') as f:\n"
    "        f.write(next(l for l in s if l.startswith('VmHWM:')).split()[1])\n"
    "atexit.register(peak)\n"
    "runpy.run_module('interfaces.cli', run_name='__main__', alter_sys=True)\n"
)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", _PEAK_AT_EXIT, *args]


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and the child's own peak resident bytes (its VmHWM at exit)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        env = {**os.environ, "VL_BENCH_PEAK_FILE": peak.name}
        child = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=err, env=env, check=False)
        if child.returncode != 0:
            err.seek(0)
            print(err.read().decode(errors="replace"), file=sys.stderr)
            raise SystemExit(1)
        kib = int(Path(peak.name).read_text() or 0)
    return time.perf_counter() - started, kib * 1024


@contextmanager
def _postgres_copy(history: Path) -> Iterator[str]:
    """A fresh PostgreSQL database holding the cached history (dropped afterwards)."""
    with postgres_store(ADMIN_URL) as settings:
        source = ledger_for(Settings(database_url=f"sqlite:///{history}"))
        target = ledger_for(settings.model_copy(update={"aggregate_cache_size": 0}))
        started = time.perf_counter()
        try:
            copied = copy_events(source, target, batch=20_000)
        finally:
            source.close()
            target.close()
        print(
            f"documents: {copied:,} events copied into PostgreSQL in "
            f"{time.perf_counter() - started:.0f} s"
        )
        yield settings.database_url


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench documents")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--database-url", help="a store already holding a history")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="copy the history into a fresh PostgreSQL database (VL_BENCH_POSTGRES_URL) first",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp, ExitStack() as stack:
        url = args.database_url
        if url is None and args.postgres:
            url = stack.enter_context(_postgres_copy(cached_history(events=args.events)))
        elif url is None:
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
