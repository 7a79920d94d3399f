"""Backups of the store and restores that are proven, with each store's own tools.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
snapshot while the service writes. PostgreSQL: ``pg_basebackup`` (tar, compressed, with
the WAL it needs streamed alongside) taken while the service writes; with WAL archiving
(docs/operations.md) a restore replays the archive after it, to its end or to a point in
time. A restore is not done until :func:`prove` has checked the chain against its seals
and said where the restored log ends.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.ledger import VolunteerLedger
from infrastructure.audit import ChainReport, chained, verify_chain
from infrastructure.seal_events import SealCheck
from infrastructure.settings import Settings

MANIFEST = "volunteer-ledger-backup.json"
SQLITE_FILE = "ledger.sqlite3"
PG_BIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))


class BackupError(Exception):
    """A backup or restore that cannot go on, said so a person can act on it."""


@dataclass(frozen=True)
class Proof:
    """What a restored store holds: its head, the last seal that holds, the events after
    that seal (counted: positions can skip numbers, e.g. after a failover), and the check."""

    report: ChainReport
    seal: SealCheck | None
    events_since_seal: int

    @property
    def head(self) -> int:
        return self.report.head


def prove(ledger: VolunteerLedger, keys: dict[str, Ed25519PublicKey]) -> Proof:
    """Recompute the whole chain of ``ledger``'s store and check every seal (``audit verify``)."""
    report = verify_chain(chained(ledger), keys)
    seal = report.last_holding_seal
    return Proof(report, seal, _events_after(ledger, seal.position if seal else 0))


def _events_after(ledger: VolunteerLedger, position: int) -> int:
    events = 0
    while batch := ledger.recorder.select_notifications(position + 1, 10_000):
        events += len(batch)
        position = batch[-1].id
    return events


# ---------------------------------------------------------------------------- SQLite


def backup_sqlite(settings: Settings, directory: Path) -> Path:
    """A consistent copy of the SQLite store in ``directory`` (the online backup API)."""
    source_path = settings.sqlite_path
    if not source_path.exists():
        raise BackupError(f"there is no SQLite store at {source_path} to back up")
    target = _empty_directory(directory) / SQLITE_FILE
    source = sqlite3.connect(str(source_path), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        # One step (pages=-1): the copy is one read transaction's snapshot, whatever
        # the service commits meanwhile.
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    _write_manifest(directory, "sqlite", file=SQLITE_FILE)
    return target


def restore_sqlite(directory: Path, settings: Settings) -> None:
    """Put the backup in ``directory`` back as the store ``settings`` name (which must be
    gone: a restore never overwrites a store, nor pairs a copy with a stale ``-wal``)."""
    manifest = read_manifest(directory, "sqlite")
    target = settings.sqlite_path
    leftovers = [p for p in (target, Path(f"{target}-wal")) if p.exists()]
    if leftovers:
        raise BackupError(
            f"{leftovers[0]} exists: move the damaged store (and its -wal, -shm) aside first"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(directory / manifest["file"]))
    restored = sqlite3.connect(str(target))
    try:
        source.backup(restored)
    finally:
        restored.close()
        source.close()


# ---------------------------------------------------------------------------- PostgreSQL


def backup_postgres(settings: Settings, directory: Path) -> None:
    """``pg_basebackup`` of the whole cluster into ``directory``: base.tar.gz and
    pg_wal.tar.gz (the WAL from the backup's start to its end, streamed while it runs)."""
    _empty_directory(directory)
    started = datetime.now(UTC).isoformat()
    _run(
        [
            str(PG_BIN / "pg_basebackup"),
            "-d",
            settings.database_url,
            "-D",
            str(directory),
            "-Ft",
            "-z",
            "-X",
            "stream",
            "--checkpoint=fast",
            "-l",
            f"volunteer-ledger {started}",
        ],
        "pg_basebackup",
    )
    _write_manifest(directory, "postgresql", started=started)


def restore_postgres(
    directory: Path,
    pgdata: Path,
    *,
    port: int,
    wal_archive: Path | None = None,
    until: datetime | None = None,
    timeout: float = 300,
) -> None:
    """A new cluster in ``pgdata`` from the base backup in ``directory``, started on
    ``port`` and out of recovery.

    Without ``wal_archive`` it holds what was committed when the backup ended. With it,
    archive recovery replays every archived segment after that (or up to ``until``), then
    the server is promoted to a new timeline. The server runs as the owner of ``pgdata``'s
    parent folder (as root, the command becomes that user to start it: PostgreSQL
    refuses to run as root). No synchronous standby is expected of it, and it does not
    archive until given an archive of its own.
    """
    read_manifest(directory, "postgresql")
    _check_restorable(pgdata, wal_archive, until)
    _unpack_base_backup(directory, pgdata)
    _configure_restored(pgdata, port, wal_archive, until)
    _start_as_owner(pgdata, timeout)
    _wait_out_of_recovery(port, timeout)


def _check_restorable(pgdata: Path, wal_archive: Path | None, until: datetime | None) -> None:
    """A restore goes into a new data directory, and to a point in time only by WAL."""
    if _holds_files(pgdata):
        raise BackupError(f"{pgdata} is not empty: restore into a new data directory")
    if until is not None and wal_archive is None:
        raise BackupError(
            "--until needs --wal-archive: a point in time is reached by replaying WAL"
        )


def _unpack_base_backup(directory: Path, pgdata: Path) -> None:
    pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tarfile.open(directory / "base.tar.gz") as base:
        base.extractall(pgdata, filter="tar")
    with tarfile.open(directory / "pg_wal.tar.gz") as wal:
        wal.extractall(pgdata / "pg_wal", filter="tar")
    (pgdata / "standby.signal").unlink(missing_ok=True)


def _configure_restored(
    pgdata: Path, port: int, wal_archive: Path | None, until: datetime | None
) -> None:
    """The restored cluster's settings, and archive recovery when there is an archive."""
    # A restored cluster archives nothing until pointed at a new archive: its WAL would
    # otherwise land among the old history's segments, under names a later replay of that
    # archive would take for the old primary's (docs/operations.md, after a restore).
    settings = [f"port = {port}", "synchronous_standby_names = ''", "archive_mode = off"]
    if wal_archive is not None:
        settings += [
            f'restore_command = \'cp "{wal_archive}/%f" "%p"\'',
            "recovery_target_action = 'promote'",
            "recovery_target_timeline = 'latest'",
        ]
        if until is not None:
            settings.append(f"recovery_target_time = '{until.isoformat()}'")
        (pgdata / "recovery.signal").touch()
    with (pgdata / "postgresql.auto.conf").open("a") as conf:
        conf.write("# volunteer-ledger db restore\n" + "\n".join(settings) + "\n")


def _start_as_owner(pgdata: Path, timeout: float) -> None:
    """``pg_ctl start`` as the owner of ``pgdata``'s parent folder (the files given to
    them first when this runs as root: PostgreSQL refuses to run as root)."""
    _run(
        [
            *_as_owner(pgdata),
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(pgdata),
            "-l",
            str(pgdata / "server.log"),
            "-w",
            "-t",
            str(int(timeout)),
            "start",
        ],
        "pg_ctl start",
    )


def _as_owner(pgdata: Path) -> list[str]:
    """What runs a command as the owner of ``pgdata``'s parent folder: nothing, or (as
    root) ``runuser``, once ``pgdata``'s files are given to that owner."""
    owner = pgdata.parent.owner()
    if os.geteuid() != 0 or owner == "root":
        return []
    shutil.chown(pgdata, owner)
    for path in pgdata.rglob("*"):
        shutil.chown(path, owner)
    return ["runuser", "-u", owner, "--"]


def _wait_out_of_recovery(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=5"
    while _still_recovering(url):
        if time.monotonic() > deadline:
            raise BackupError(f"the restored server on port {port} is still recovering")
        time.sleep(0.2)


def _still_recovering(url: str) -> bool:
    """Whether the server at ``url`` is in recovery (or not answering yet)."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
    except psycopg.OperationalError:
        return True
    return row is None or bool(row[0])


# ---------------------------------------------------------------------------- shared


def read_manifest(directory: Path, store: str) -> dict[str, str]:
    path = directory / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} holds no volunteer-ledger backup ({MANIFEST} missing)")
    manifest: dict[str, str] = json.loads(path.read_text())
    if manifest.get("store") != store:
        raise BackupError(
            f"{directory} holds a {manifest.get('store')} backup; the store to restore is {store}"
        )
    return manifest


def _write_manifest(directory: Path, store: str, **fields: str) -> None:
    manifest = {"store": store, "finished": datetime.now(UTC).isoformat(), **fields}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _empty_directory(directory: Path) -> Path:
    if _holds_files(directory):
        raise BackupError(f"{directory} is not empty: back up into a new folder")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _holds_files(directory: Path) -> bool:
    return directory.exists() and any(directory.iterdir())


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        raise BackupError(f"{what}: {e.filename} not found (set PGBIN)") from None
    if done.returncode:
        raise BackupError(f"{what} failed ({done.returncode}): {done.stderr.strip()}")
