"""``volunteer-ledger db``: create the event store's tables; back the store up, restore it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from infrastructure.audit import chained
from infrastructure.backup import (
    BackupError,
    Proof,
    backup_postgres,
    backup_sqlite,
    prove,
    restore_postgres,
    restore_sqlite,
)
from infrastructure.sealing import SealKeyError, trusted_keys
from interfaces.cli.common import DatabaseUrl, console, errors, exits_on, opened, settings_from


def init(database_url: DatabaseUrl = None) -> None:
    """Create the event and hash-chain tables (and their immutability triggers), then exit.

    Run it as the owning role; the service itself can then run as a role that may only
    INSERT and SELECT events (deploy/postgres/service-role.sql).
    """
    with opened(database_url) as container:
        recorder = chained(container.ledger)
        head = recorder.chain_head()
        console.print(
            f"event store ready: {container.ledger.current_position():,} events, chain table "
            f"{recorder.chain_table_name}, head {head.position if head else 0}"
        )


def backup(
    directory: Annotated[Path, typer.Argument(help="A new (or empty) folder for the backup.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Back the store up while the service runs: SQLite through its online backup API,
    PostgreSQL through pg_basebackup (the whole cluster, with the WAL it needs)."""
    settings = settings_from(database_url)
    with exits_on(BackupError, code=1):
        if settings.is_postgres:
            backup_postgres(settings, directory)
        else:
            backup_sqlite(settings, directory)
    console.print(f"backup written to {directory}; prove it: volunteer-ledger db restore")


def restore(
    directory: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="A `db backup` folder.")
    ],
    pgdata: Annotated[
        Path | None,
        typer.Option(help="PostgreSQL: a new data directory for the restored cluster."),
    ] = None,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="PostgreSQL: the restored cluster's port.")
    ] = 5432,
    wal_archive: Annotated[
        Path | None,
        typer.Option(help="PostgreSQL: replay the archived WAL after the backup (PITR)."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%dT%H:%M:%S%z"],
            help="PostgreSQL: stop the replay at this time (with --wal-archive).",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Put a backup back, then prove it: the whole chain is recomputed and every seal checked
    (as `audit verify`); prints the restored head, the seal it matches and the events since.

    SQLite: restores to the store's path (which must be gone). PostgreSQL: a new cluster in
    --pgdata on --port, started and out of recovery; the store URL must then name it.
    """
    settings = settings_from(database_url)
    with exits_on(BackupError, code=1):
        if not settings.is_postgres:
            restore_sqlite(directory, settings)
        elif pgdata is None:
            raise BackupError("--pgdata is required to restore a PostgreSQL backup")
        else:
            restore_postgres(directory, pgdata, port=port, wal_archive=wal_archive, until=until)
    _report_proof(_prove_restored(database_url))


def _prove_restored(database_url: str | None) -> Proof:
    """The restored chain recomputed and its seals checked against the trusted keys."""
    with opened(database_url) as container:
        with exits_on(SealKeyError, code=2):
            keys = trusted_keys(container.settings)
        return prove(container.ledger, keys)


def _report_proof(proof: Proof) -> None:
    report = proof.report
    if not report.ok:
        errors.print(
            f"[red]restored, but the chain is BROKEN at position "
            f"{report.first_broken_position}[/red]: {report.problem}"
        )
        raise typer.Exit(1)
    console.print(
        f"restored head position {report.head}; {_last_seal(proof)}; {proof.events_since_seal} "
        f"events since; chain intact ({report.checked:,} events checked)"
    )


def _last_seal(proof: Proof) -> str:
    seal = proof.seal
    if seal is None:
        return "no seal yet: the chain is checked from its start only"
    return (
        f"last seal at position {seal.position} (sealed through {seal.sealed_position}, "
        f"key {seal.key_id}) holds"
    )
