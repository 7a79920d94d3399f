"""The registers from the command line: stations, and the everyday operations on volunteers
and teams (the same use cases as the HTTP API, recorded as the local user, as an admin)."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated
from uuid import UUID

import typer

from application.errors import NotFound, UnknownReference
from application.ledger import VolunteerLedger
from application.results import Recorded
from domain.errors import DomainError
from domain.values import Actor, Role, StationLevel
from interfaces.cli.common import DatabaseUrl, console, errors, opened

stations = typer.Typer(help="The stations register: add, rename and close stations.")
volunteers = typer.Typer(help="Everyday operations on registered volunteers.")
teams = typer.Typer(help="Everyday operations on teams.")

Reason = Annotated[
    str, typer.Option("--reason", help="Why: kept in the event and the audit trail.")
]


def _actor() -> Actor:
    return Actor(f"cli:{getpass.getuser()}", Role.ADMIN, f"cli-{uuid.uuid4()}")


@contextmanager
def _ledger(database_url: str | None) -> Iterator[VolunteerLedger]:
    """The ledger; a refused command exits 1 saying why (nothing was recorded)."""
    with opened(database_url) as container:
        try:
            yield container.ledger
        except (DomainError, NotFound, UnknownReference) as e:
            errors.print(f"[red]refused:[/red] {e}")
            raise typer.Exit(1) from None


def _run(
    database_url: str | None, what: str, command: Callable[[VolunteerLedger], Recorded]
) -> None:
    with _ledger(database_url) as ledger:
        recorded = command(ledger)
    console.print(f"{what} {recorded.id}: version {recorded.version}, position {recorded.position}")


@stations.command("add")
def add_station(
    name: str,
    level: Annotated[StationLevel, typer.Option(help="banner_centre, township or village.")],
    township: Annotated[str, typer.Option(help="Its township (not for the banner centre).")] = "",
    parent: Annotated[
        str | None, typer.Option(help="A village station's township station (its id).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Register a station and print its id."""
    parent_id = UUID(parent) if parent else None
    _run(
        database_url,
        "station",
        lambda ledger: ledger.register_station(
            name=name, level=level, township=township, parent_id=parent_id, actor=_actor()
        ),
    )


@stations.command("rename")
def rename_station(station_id: UUID, name: str, database_url: DatabaseUrl = None) -> None:
    """Rename a station."""
    _run(
        database_url,
        "station",
        lambda ledger: ledger.rename_station(station_id, name=name, actor=_actor()),
    )


@stations.command("close")
def close_station(station_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Close a station: no new team or activity may name it."""
    _run(
        database_url,
        "station",
        lambda ledger: ledger.close_station(station_id, reason=reason, actor=_actor()),
    )


@volunteers.command("update")
def update_profile(
    volunteer_id: UUID,
    phone: Annotated[str | None, typer.Option()] = None,
    township: Annotated[str | None, typer.Option()] = None,
    skill: Annotated[
        list[str] | None, typer.Option(help="Repeat for each skill; replaces the list.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change any of a volunteer's phone, township and skills."""
    if phone is None and township is None and skill is None:
        errors.print("[red]error:[/red] name at least one of --phone, --township and --skill")
        raise typer.Exit(2)
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.update_profile(
            volunteer_id, phone=phone, township=township, skills=skill, actor=_actor()
        ),
    )


@volunteers.command("suspend")
def suspend(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Suspend an active volunteer."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.suspend_volunteer(volunteer_id, reason=reason, actor=_actor()),
    )


@volunteers.command("reinstate")
def reinstate(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Reinstate a suspended volunteer."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.reinstate_volunteer(volunteer_id, reason=reason, actor=_actor()),
    )


@volunteers.command("withdraw")
def withdraw(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Withdraw a volunteer from the programme (the record and its points stay)."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.withdraw_volunteer(volunteer_id, reason=reason, actor=_actor()),
    )


@volunteers.command("cancel-insurance")
def cancel_insurance(
    volunteer_id: UUID, policy_number: str, reason: Reason, database_url: DatabaseUrl = None
) -> None:
    """Cancel one of a volunteer's policies."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.cancel_insurance(
            volunteer_id, policy_number=policy_number, reason=reason, actor=_actor()
        ),
    )


@volunteers.command("revoke-commendation")
def revoke_commendation(
    volunteer_id: UUID, commendation_id: UUID, reason: Reason, database_url: DatabaseUrl = None
) -> None:
    """Revoke a volunteer's commendation."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.revoke_commendation(
            volunteer_id, commendation_id=commendation_id, reason=reason, actor=_actor()
        ),
    )


@teams.command("dissolve")
def dissolve(team_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Dissolve a team: it takes no new members or activities."""
    _run(
        database_url,
        "team",
        lambda ledger: ledger.dissolve_team(team_id, reason=reason, actor=_actor()),
    )
