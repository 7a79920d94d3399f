"""Verifying the hash chain: events/s over a history of at least a million events.

One run: the cached generated history (a SQLite file, see ``bench.history``) is copied
to a temporary file; opening it builds the chain over its events the first time (timed:
"existing stores get their chain built on first start"); then ``verify_chain`` recomputes
every link from the start, twice. On PostgreSQL (a fresh database, dropped afterwards)
the same events are copied in through the chaining recorder, then verified the same
way. Target: ≥ 100,000 events/s.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.catch_up import fresh_database
from bench.history import cached_history, copy_events, ledger_for
from infrastructure.audit import chained, verify_chain
from infrastructure.settings import Settings

TARGET = 100_000


def _verify_twice(settings: Settings, label: str) -> list[str]:
    lines = []
    opened = time.perf_counter()
    ledger = ledger_for(settings)  # builds a missing chain
    built = time.perf_counter() - opened
    try:
        lines.append(f"{label:<10} opened (chain built if missing) in {built:.1f} s")
        for run in ("first", "second"):
            report = verify_chain(chained(ledger), {})
            rate = report.checked / report.seconds
            verdict = "met" if rate >= TARGET else "NOT met"
            lines.append(
                f"{label:<10} {run:<7} {report.checked:>10,} events {report.seconds:>7.1f} s "
                f"{rate:>10,.0f} events/s  ok={report.ok}  target ≥ {TARGET:,}: {verdict}"
            )
            print(lines[-1], flush=True)
    finally:
        ledger.close()
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench verify_chain", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args(argv)
    source = cached_history(events=args.events)
    with sqlite3.connect(source) as db:
        (events,) = db.execute("SELECT count(*) FROM stored_events").fetchone()
    print(f"history: {events:,} events ({source})")
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "history.sqlite3"
        shutil.copy(source, copy)
        with sqlite3.connect(copy) as db:  # so that opening it builds the chain, timed
            db.execute("DROP TABLE IF EXISTS stored_events_chain")
        sqlite = Settings(database_url=f"sqlite:///{copy}")
        if "sqlite" in args.stores:
            lines += _verify_twice(sqlite, "sqlite")
        if "postgres" in args.stores:
            with fresh_database() as url:
                target = ledger_for(Settings(database_url=url))
                from_sqlite = ledger_for(sqlite)
                started = time.perf_counter()
                # (one insert of 20,000 events hangs in psycopg's pipeline, ours or the library's)
                copied = copy_events(from_sqlite, target, batch=5_000)
                print(
                    f"copied {copied:,} events into PostgreSQL in {time.perf_counter() - started:.0f} s"
                )
                target.close()
                from_sqlite.close()
                lines += _verify_twice(Settings(database_url=url), "postgres")
    print()
    print("verify_chain: recompute every link from the start")
    print("\n".join(lines))
    return 0
