"""How the command line shows stores and summaries (rich tables, no logic of its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict
from rich.table import Table

from demo import DemoSummary
from infrastructure.settings import Settings


def store_location(settings: Settings) -> str:
    """The store a person can find: an absolute file path, or a URL without its password."""
    if not settings.is_postgres:
        return str(settings.sqlite_path.resolve())
    # libpq's parse: a standby pair's URL lists hosts and ports (h1:p1,h2:p2).
    params = conninfo_to_dict(settings.database_url)
    user = f"{params['user']}@" if params.get("user") else ""
    return f"postgresql://{user}{_hosts_and_ports(params)}/{params.get('dbname') or ''}"


def _hosts_and_ports(params: dict[str, Any]) -> str:
    """``host:port`` for each host (one port given serves them all), comma separated."""
    hosts = str(params.get("host") or "").split(",")
    ports = str(params.get("port") or "").split(",")
    if len(ports) == 1:
        ports *= len(hosts)
    return ",".join(_address(h, p) for h, p in zip(hosts, ports, strict=False))


def _address(host: str, port: str) -> str:
    return f"{host}:{port}" if port else host


def fresh_store_hint(settings: Settings) -> str:
    """Where the demo could go instead of a store that already holds events."""
    if settings.is_postgres:
        return "pass --database-url naming an empty PostgreSQL database"
    existing = settings.sqlite_path
    folder = existing.parent
    n = 1
    while (folder / f"demo-{n}.sqlite3").exists():
        n += 1
    fresh = _shown(folder / f"demo-{n}.sqlite3")
    return f"use --database-url sqlite:///{fresh}, or delete {_shown(existing)}"


def _shown(path: Path) -> str:
    return path.as_posix() if path.is_absolute() else f"./{path.as_posix()}"


def demo_table(summary: DemoSummary, location: str) -> Table:
    table = Table(title="Demo programme year recorded", show_header=False, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    rows = [
        ("events", f"{summary.events:,}"),
        ("teams", f"{summary.teams:,}"),
        ("volunteers", f"{summary.volunteers:,}"),
        ("activities", f"{summary.activities:,} ({summary.cancelled} cancelled)"),
        ("verified", f"{summary.verified:,}"),
        ("awards", f"{summary.awards:,}"),
        ("points awarded", f"{summary.points_awarded:,}"),
        ("reversals", f"{summary.reversals} ({summary.corrections} by correction)"),
        ("uninsured flags", f"{summary.uninsured_flags}"),
        ("refused: uninsured", f"{summary.rejected_uninsured}"),
        ("elapsed", f"{summary.elapsed_seconds:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    table.add_row("store", location, style="dim")
    return table


def existing_store_table(head: int, location: str) -> Table:
    """The store's log head (the last position; positions count events from 1)."""
    table = Table(title="Store already in use", show_header=False, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    table.add_row("log head position", f"{head:,}")
    table.add_row("store", location, style="dim")
    return table
