"""Large histories for the benchmarks, recorded through the real use cases.

The demo generator runs on the library's in-memory store (fast, nothing but our own
code in the loop), then the stored events are copied into the target store in large
transactions — the "bulk path" for setting up. The result is cached as a SQLite file
under ``bench/.cache`` (ignored by git) so later runs start at once.
"""

from __future__ import annotations

import time
from pathlib import Path

from eventsourcing.persistence import StoredEvent

from application.ledger import VolunteerLedger
from application.readmodel.replay import read_notifications
from demo import generate_year
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings

CACHE = Path(__file__).parent / ".cache"


def ledger_for(settings: Settings) -> VolunteerLedger:
    return VolunteerLedger(
        rulebook=load_rulebook(settings.rulebook_path),
        env=event_store_env(settings),
        transcodings=ledger_transcodings(),
    )


def generate(*, years: range, volunteers: int, activities: int, seed: int = 7) -> VolunteerLedger:
    """Record ``years`` demo years into an in-memory ledger."""
    memory = VolunteerLedger(
        rulebook=load_rulebook(),
        env={"PERSISTENCE_MODULE": "eventsourcing.popo", "AGGREGATE_CACHE_MAXSIZE": "1000000"},
        transcodings=ledger_transcodings(),
    )
    for year in years:
        started = time.perf_counter()
        summary = generate_year(
            memory, year=year, seed=seed + year, volunteers=volunteers, activities=activities
        )
        print(
            f"  generated {year}: {summary.events:,} events "
            f"in {time.perf_counter() - started:.1f} s (head {memory.current_position():,})",
            flush=True,
        )
    return memory


def copy_events(source: VolunteerLedger, target: VolunteerLedger, *, batch: int = 1000) -> int:
    """Copy every stored event, in log order, in transactions of ``batch`` events."""
    copied = 0
    for notifications in read_notifications(source, batch=batch):
        target.recorder.insert_events(
            [
                StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
                for n in notifications
            ]
        )
        copied += len(notifications)
    return copied


def history_path(events: int, seed: int = 7) -> Path:
    """Where the history of ``events`` events is cached."""
    return CACHE / f"history-{events}-{seed}.sqlite3"


def cached_history(*, events: int, seed: int = 7) -> Path:
    """A SQLite file holding at least ``events`` events (made once, then reused).

    Six demo years (2020–2025); a default year is about 11,300 events, so each year is
    scaled up to carry its sixth of the total.
    """
    CACHE.mkdir(exist_ok=True)
    path = history_path(events, seed)
    if path.exists():
        return path
    years = 6 if events > 30_000 else 2
    scale = max(1, -(-events // (years * 11_000)))
    print(f"  making a history of ≥ {events:,} events (cached in {path})", flush=True)
    memory = generate(
        years=range(2020, 2020 + years),
        volunteers=300 * scale,
        activities=240 * scale,
        seed=seed,
    )
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    target = ledger_for(Settings(database_url=f"sqlite:///{partial}", aggregate_cache_size=0))
    try:
        copy_events(memory, target, batch=20_000)
    finally:
        target.close()
    partial.rename(path)
    return path
