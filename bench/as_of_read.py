"""How a time-travel read's cost grows with the log, on SQLite.

For each history (``--sizes``; made once and cached by ``bench.history``, then copied so
the cache stays events-only):

(a) the whole-log replay from position 0 that every as-of read used to make (all six read
    models, in memory), at the head — its cost grows with the log;
(b) a volunteer's ledger as of a cut from that volunteer's own events (the audit trail's
    index, then the event store's primary key), for ``--volunteers`` volunteers at the
    head and at half of it: median and slowest, in ms;
(c) a kept replay read again (by cut).

``--tiles N`` measures a log of N copies of the largest history instead of making a
bigger one (a million generated events took hours here): each copy's aggregates get fresh
ids (uuid5 of the copy and the id), so every copy is a self-consistent history and the
log, the audit trail and the event store's index are N times as long.

The audit trail is caught up first (the projection worker keeps it so in service); its
time is shown, not counted. Target: an as-of ledger read over 1,000,000 events ≤ 2 s.
Sizes whose history is not cached are made (about 12 minutes for 100,000 events on a
loaded two-core machine); ``--no-replay`` skips (a) for the largest logs.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import StoredEvent

from application.readmodel.replay import read_notifications
from application.readmodel.tables import AUDIT_EVENT
from bench.history import CACHE, cached_history, ledger_for
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings

TARGET_SECONDS = 2.0


def _events(path: Path) -> int:
    with sqlite3.connect(path) as db:
        (events,) = db.execute("SELECT max(rowid) FROM stored_events").fetchone()
    return int(events)


def tiled(path: Path, copies: int) -> Path:
    """``copies`` copies of the history at ``path`` in one log (made once, then cached)."""
    target_path = CACHE / f"{path.stem}-x{copies}.sqlite3"
    if target_path.exists():
        return target_path
    partial = target_path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    source = ledger_for(Settings(database_url=f"sqlite:///{path}"))
    target = ledger_for(Settings(database_url=f"sqlite:///{partial}", aggregate_cache_size=0))
    try:
        for copy in range(copies):
            started = time.perf_counter()
            for notifications in read_notifications(source, batch=20_000):
                target.recorder.insert_events(
                    [
                        StoredEvent(
                            n.originator_id
                            if copy == 0
                            else uuid5(NAMESPACE_URL, f"{copy}:{n.originator_id}"),
                            n.originator_version,
                            n.topic,
                            n.state,
                        )
                        for n in notifications
                    ]
                )
            print(
                f"  copy {copy + 1}/{copies} in {time.perf_counter() - started:.1f} s "
                f"(head {target.current_position():,})",
                flush=True,
            )
    finally:
        source.close()
        target.close()
    partial.rename(target_path)
    return target_path


def measure(path: Path, *, volunteers: int, full_replay: bool, seed: int = 3) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ledger.sqlite3"
        shutil.copyfile(path, copy)
        container = bootstrap(
            Settings(database_url=f"sqlite:///{copy}", replay_cache_size=1, max_replays=1)
        )
        try:
            started = time.perf_counter()
            container.runner(only=frozenset({"audit"})).catch_up()
            figures = {"events": float(_events(copy)), "audit_s": time.perf_counter() - started}
            head = container.ledger.current_position()
            registered = container.store.select(
                AUDIT_EVENT, {"aggregate_type": "Volunteer", "event_type": "Registered"}
            )
            chosen = random.Random(seed).sample(registered, min(volunteers, len(registered)))
            timings: list[float] = []
            for row in chosen:
                for cut in (head, head // 2):
                    started = time.perf_counter()
                    container.as_of.ledger_at(container.store, UUID(row["aggregate_id"]), cut)
                    timings.append(time.perf_counter() - started)
            figures["ledger_median_ms"] = statistics.median(timings) * 1000
            figures["ledger_max_ms"] = max(timings) * 1000
            if full_replay:
                started = time.perf_counter()
                container.as_of.read_models_at(head)
                figures["replay_s"] = time.perf_counter() - started
                started = time.perf_counter()
                container.as_of.read_models_at(head)
                figures["kept_ms"] = (time.perf_counter() - started) * 1000
            return figures
        finally:
            container.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench as_of_read", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated, in events")
    parser.add_argument("--volunteers", type=int, default=20)
    parser.add_argument("--no-replay", action="store_true", help="skip the whole-log replay")
    parser.add_argument("--tiles", type=int, default=0, help="also N copies of the largest")
    args = parser.parse_args(argv)
    paths = [cached_history(events=int(s)) for s in args.sizes.split(",")]
    if args.tiles > 1:
        paths.append(tiled(paths[-1], args.tiles))
    rows = []
    for path in paths:
        last = path == paths[-1] and args.tiles > 1
        full = not args.no_replay and not last
        rows.append(measure(path, volunteers=args.volunteers, full_replay=full))
    print(
        f"{'events':>10}{'audit s':>9}{'replay s':>10}{'ev/s':>9}{'kept ms':>9}"
        f"{'ledger med ms':>15}{'ledger max ms':>15}"
    )
    for f in rows:
        replay = f.get("replay_s")
        replayed = (
            (f"{replay:.1f}", f"{f['events'] / replay:,.0f}", f"{f['kept_ms']:.2f}")
            if replay
            else ("-", "-", "-")
        )
        print(
            f"{f['events']:>10,.0f}{f['audit_s']:>9.1f}"
            f"{replayed[0]:>10}{replayed[1]:>9}{replayed[2]:>9}"
            f"{f['ledger_median_ms']:>15.1f}{f['ledger_max_ms']:>15.1f}"
        )
    replays = [f for f in rows if "replay_s" in f]
    if replays:
        rate = max(replays, key=lambda f: f["events"])
        per_event = rate["replay_s"] / rate["events"]
        print(
            f"a whole-log replay of 1,000,000 events at the largest measured rate: "
            f"≈ {per_event * 1_000_000:,.0f} s (linear in the log)"
        )
    worst = max(f["ledger_max_ms"] for f in rows) / 1000
    print(
        f"as-of ledger, slowest: {worst:.3f} s; target ≤ {TARGET_SECONDS} s at 1,000,000 events "
        f"({'met at the sizes measured' if worst <= TARGET_SECONDS else 'NOT met'})"
    )
    return 0
