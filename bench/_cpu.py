"""CPU seconds used by processes (Linux ``/proc``), so a run shows where the machine's time went.

On a shared 2-core machine a throughput figure alone cannot tell a slower server from a
busier machine: CPU per request, by process, can.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU of the processes (those gone count nothing)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])
    return total / _TICK


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants now running."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, []))
    return tree


def server_cpu_seconds(admin_url: str) -> float | None:
    """User + system CPU of a local PostgreSQL server so far: the postmaster, its children
    now running, and those that have exited (reaped, so counted in the postmaster's
    children's time). None when the server's process cannot be read."""
    import psycopg

    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            (directory,) = conn.execute("SHOW data_directory").fetchall()[0]
        postmaster = int((Path(directory) / "postmaster.pid").read_text().split()[0])
    except (psycopg.Error, OSError, ValueError, IndexError):
        return None
    fields = _stat(postmaster)
    if fields is None:
        return None
    reaped = (int(fields[13]) + int(fields[14])) / _TICK
    return cpu_seconds(process_tree(postmaster)) + reaped


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"
