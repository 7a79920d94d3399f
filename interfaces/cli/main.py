"""The ``volunteer-ledger`` command line: load a demo programme year, show the version."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated

import typer

from demo import TOWNSHIPS, generate_year
from interfaces.cli import (
    audit,
    benefits,
    bulletin,
    certificate,
    db,
    needs_and_projects,
    projections,
    registers,
    review,
    serve,
    users,
)
from interfaces.cli.common import DatabaseUrl, console, exits_on, opened
from interfaces.cli.progress import progress_line
from interfaces.cli.render import (
    demo_table,
    existing_store_table,
    fresh_store_hint,
    store_location,
)

app = typer.Typer(
    name="volunteer-ledger",
    help="Volunteer Ledger: the event-sourced audit ledger of a veterans' volunteer programme.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(projections.app, name="projections")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(registers.stations, name="stations")
app.add_typer(registers.volunteers, name="volunteers")
app.add_typer(registers.teams, name="teams")
app.add_typer(needs_and_projects.needs, name="needs")
app.add_typer(needs_and_projects.projects, name="projects")
app.add_typer(benefits.app, name="benefits")
db_app = typer.Typer(help="The event store itself: create, back up, restore.")
db_app.command(name="init")(db.init)
db_app.command(name="backup")(db.backup)
db_app.command(name="restore")(db.restore)
app.add_typer(db_app, name="db")
app.command(name="serve")(serve.serve)
app.command(name="review")(review.review)
app.command(name="bulletin")(bulletin.bulletin)
app.command(name="certificate")(certificate.certificate)


@app.command()
def demo(
    year: Annotated[int, typer.Option(help="Service year to record.")] = 2022,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same history.")] = 7,
    townships: Annotated[
        int, typer.Option(min=1, max=len(TOWNSHIPS), help="Township stations and teams.")
    ] = 6,
    volunteers: Annotated[int, typer.Option(min=2, help="Volunteers to register.")] = 300,
    activities: Annotated[int, typer.Option(min=1, help="Activities to plan in the year.")] = 240,
    database_url: DatabaseUrl = None,
) -> None:
    """Record a realistic demo programme year into an empty store and summarise it."""
    with opened(database_url) as container:
        settings = container.settings
        location = store_location(settings)
        head = container.ledger.current_position()
        if head:
            console.print(
                f"The store already holds {head:,} events; the demo is only loaded into an "
                f"empty store: {fresh_store_hint(settings)}."
            )
            console.print(existing_store_table(head, location))
            return
        with exits_on(ValueError, code=2), progress_line(console) as progress:
            summary = generate_year(
                container.ledger,
                year=year,
                seed=seed,
                townships=townships,
                volunteers=volunteers,
                activities=activities,
                progress=progress,
            )
        console.print(demo_table(summary, location))


@app.command()
def version() -> None:
    """Print the installed version."""
    try:
        ours = metadata.version("volunteer-ledger")
    except metadata.PackageNotFoundError:
        ours = "unknown (not installed)"
    console.print(f"volunteer-ledger {ours} (eventsourcing {metadata.version('eventsourcing')})")
