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
from infrastructure.bundle import BundleError, BundleReport, export_bundle, verify_bundle
from infrastructure.seal_head import seal_chain
from infrastructure.sealing import (
    SealKeyError,
    generate_key,
    key_id,
    load_private_key,
    public_pem,
    trusted_keys,
)
from interfaces.cli.common import DatabaseUrl, console, errors, exits_on, opened, settings_from

app = typer.Typer(help="Prove the log: seal it, verify it, export it for offline checking.")


@app.command()
def keygen(
    force: Annotated[bool, typer.Option(help="Replace an existing key.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create the Ed25519 seal key at $VL_SEAL_KEY_PATH (default var/seal-key.pem)."""
    settings = settings_from(database_url)
    with exits_on(SealKeyError, code=2):
        key = generate_key(settings.seal_key_path, force=force)
    console.print(f"seal key {key_id(key.public_key())} written to {settings.seal_key_path}")
    console.print("publish its public key: volunteer-ledger audit public-key > seal-public.pem")


@app.command(name="public-key")
def public_key(database_url: DatabaseUrl = None) -> None:
    """Print the seal key's public half (PEM), for auditors and bundles."""
    settings = settings_from(database_url)
    with exits_on(SealKeyError, code=2):
        key = load_private_key(settings.seal_key_path)
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
    with opened(database_url) as container, exits_on(SealKeyError, DomainError, code=1):
        key = load_private_key(container.settings.seal_key_path)
        actor = Actor(f"cli:{getpass.getuser()}", Role.ADMIN, f"cli-{uuid.uuid4()}")
        result = seal_chain(
            container.ledger,
            key,
            actor,
            position=position,
            trusted=trusted_keys(container.settings),
        )
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
        with exits_on(SealKeyError, code=2):
            keys = trusted_keys(container.settings)
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
    with opened(database_url) as container, exits_on(BundleError, code=1):
        manifest = export_bundle(container, year, file, through=through_position)
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
    with exits_on(BundleError, SealKeyError, code=2):
        report = verify_bundle(file, public_keys=public_key or [])
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
    console.print(_totals_table(report))
    if not report.ok:
        raise typer.Exit(1)


def _totals_table(report: BundleReport) -> Table:
    """The year's totals recomputed from the bundle beside those its exporter stated."""
    table = Table(
        "figure",
        "recomputed",
        "stated by the exporter",
        title=f"{report.year} totals recomputed from the bundle",
    )
    for name, value in report.totals.items():
        table.add_row(name, str(value), str(report.exported_totals.get(name)))
    return table


def _show(report: ChainReport) -> None:
    """The chain's verdict, then each seal that does not hold."""
    console.print(_verdict(report))
    for check in report.seals:
        if not check.ok:
            console.print(f"  seal at {check.position}: {check.problem}")


def _verdict(report: ChainReport) -> str:
    if not report.ok:
        return f"[red]BROKEN at position {report.first_broken_position}[/red]: {report.problem}"
    return (
        f"[green]intact[/green]: {report.checked:,} events checked after position "
        f"{report.started_after}, head {report.head} ({report.head_hash[:16]}…), "
        f"{sum(s.ok for s in report.seals)} seals hold, {report.seconds:.2f} s"
    )
