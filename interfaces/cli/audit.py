"""``volunteer-ledger audit``: keys, seals, chain verification and offline bundles."""

from __future__ import annotations

import getpass
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from domain.errors import DomainError
from domain.values import Actor, Role
from infrastructure.audit import ChainReport, chained, verify_chain
from infrastructure.bundle import BundleError, export_bundle, verify_bundle
from infrastructure.seal_head import seal_chain
from infrastructure.sealing import (
    SealKeyError,
    generate_key,
    key_id,
    load_private_key,
    public_pem,
    trusted_keys,
)
from interfaces.cli.common import DatabaseUrl, console, errors, opened, settings_from

app = typer.Typer(help="Prove the log: seal it, verify it, export it for offline checking.")


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@app.command()
def keygen(
    force: Annotated[bool, typer.Option(help="Replace an existing key.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create the Ed25519 seal key at $VL_SEAL_KEY_PATH (default var/seal-key.pem)."""
    settings = settings_from(database_url)
    try:
        key = generate_key(settings.seal_key_path, force=force)
    except SealKeyError as e:
        raise _fail(str(e), 2) from None
    console.print(f"seal key {key_id(key.public_key())} written to {settings.seal_key_path}")
    console.print("publish its public key: volunteer-ledger audit public-key > seal-public.pem")


@app.command(name="public-key")
def public_key(database_url: DatabaseUrl = None) -> None:
    """Print the seal key's public half (PEM), for auditors and bundles."""
    settings = settings_from(database_url)
    try:
        key = load_private_key(settings.seal_key_path)
    except SealKeyError as e:
        raise _fail(str(e), 2) from None
    typer.echo(public_pem(key.public_key()).decode(), nl=False)


@app.command()
def seal(
    position: Annotated[
        int | None,
        typer.Option(min=1, help="Seal the chain at this position; the head if omitted."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Check the chain since the last seal, sign its head and record the seal as an event."""
    with opened(database_url) as container:
        try:
            key = load_private_key(container.settings.seal_key_path)
            actor = Actor(f"cli:{getpass.getuser()}", Role.ADMIN, f"cli-{uuid.uuid4()}")
            result = seal_chain(
                container.ledger,
                key,
                actor,
                position=position,
                trusted=trusted_keys(container.settings),
            )
        except (SealKeyError, DomainError) as e:
            raise _fail(str(e)) from None
        console.print(
            f"sealed position {result.sealed_position} (head {result.head_hash[:16]}…) with key "
            f"{result.key_id}; the seal is event {result.recorded.position}"
        )


@app.command()
def verify(
    from_last_seal: Annotated[
        bool, typer.Option(help="Trust the last seal whose signature holds; check after it.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Recompute the hash chain and check every seal; exit 1 naming the first broken position."""
    with opened(database_url) as container:
        try:
            keys = trusted_keys(container.settings)
        except SealKeyError as e:
            raise _fail(str(e), 2) from None
        report = verify_chain(chained(container.ledger), keys, from_last_seal=from_last_seal)
    _show(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="The bundle file to write (a zip).")],
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The year whose totals to state.")],
    through_position: Annotated[
        int | None, typer.Option(min=1, help="Last position to include; the head if omitted.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the events, links, seals, public keys and rulebook an auditor needs offline."""
    with opened(database_url) as container:
        try:
            manifest = export_bundle(container, year, file, through=through_position)
        except BundleError as e:
            raise _fail(str(e)) from None
    sealed = manifest["sealed_through"]
    console.print(
        f"wrote {file}: {manifest['events']:,} events through position "
        f"{manifest['through_position']}, "
        + (f"sealed through position {sealed}" if sealed else "no seal yet")
        + f"; {year} points total {manifest['totals']['points']}"
    )


@app.command(name="verify-bundle")
def verify_bundle_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A bundle file.")],
    public_key: Annotated[
        list[Path] | None,
        typer.Option(help="Trust only this public key (PEM); repeatable. Default: the bundle's."),
    ] = None,
) -> None:
    """Check a bundle with no server or database and report the year's recomputed totals."""
    try:
        report = verify_bundle(file, public_keys=public_key or [])
    except (BundleError, SealKeyError) as e:
        raise _fail(str(e), 2) from None
    _show(report.chain)
    console.print(
        f"keys trusted: {', '.join(report.key_ids) or 'none'} (from {report.trusted_key_source}); "
        f"sealed through position {report.sealed_through}"
    )
    if report.chain.head != report.through_position:
        errors.print(
            f"[red]the bundle ends at {report.chain.head}, not at position "
            f"{report.through_position} as its manifest says[/red]"
        )
    table = Table(title=f"{report.year} totals recomputed from the bundle")
    for column in ("figure", "recomputed", "stated by the exporter"):
        table.add_column(column)
    for name, value in report.totals.items():
        table.add_row(name, str(value), str(report.exported_totals.get(name)))
    console.print(table)
    if not report.ok:
        raise typer.Exit(1)


def _show(report: ChainReport) -> None:
    if report.ok:
        console.print(
            f"[green]intact[/green]: {report.checked:,} events checked after position "
            f"{report.started_after}, head {report.head} ({report.head_hash[:16]}…), "
            f"{sum(s.ok for s in report.seals)} seals hold, {report.seconds:.2f} s"
        )
    else:
        console.print(
            f"[red]BROKEN at position {report.first_broken_position}[/red]: {report.problem}"
        )
    for check in report.seals:
        if not check.ok:
            console.print(f"  seal at {check.position}: {check.problem}")
