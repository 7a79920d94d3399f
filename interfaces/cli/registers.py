"""The registers from the command line: stations, and the everyday operations on
volunteers and teams (the same use cases as the HTTP API, recorded as the local user, as
an admin)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from application.commands.people import (
    CancelInsurance,
    DissolveTeam,
    ReinstateVolunteer,
    RevokeCommendation,
    SuspendVolunteer,
    UpdateProfile,
    WithdrawVolunteer,
)
from application.commands.stations import CloseStation, RegisterStation, RenameStation
from domain.values import StationLevel
from interfaces.cli.common import DatabaseUrl, console, errors
from interfaces.cli.recording import Reason, local_actor, opened_ledger, record

stations = typer.Typer(help="The stations register: add, rename and close stations.")
volunteers = typer.Typer(help="Everyday operations on registered volunteers.")
teams = typer.Typer(help="Everyday operations on teams.")


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
    record(
        database_url,
        "station",
        lambda ledger: ledger.register_station(
            RegisterStation(name=name, level=level, township=township, parent_id=parent_id),
            actor=local_actor(),
        ),
    )


@stations.command("rename")
def rename_station(station_id: UUID, name: str, database_url: DatabaseUrl = None) -> None:
    """Rename a station."""
    record(
        database_url,
        "station",
        lambda ledger: ledger.rename_station(
            RenameStation(station_id=station_id, name=name), actor=local_actor()
        ),
    )


@stations.command("close")
def close_station(station_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Close a station: no new team or activity may name it."""
    record(
        database_url,
        "station",
        lambda ledger: ledger.close_station(
            CloseStation(station_id=station_id, reason=reason), actor=local_actor()
        ),
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
    record(
        database_url,
        "volunteer",
        lambda ledger: ledger.update_profile(
            UpdateProfile(volunteer_id=volunteer_id, phone=phone, township=township, skills=skill),
            actor=local_actor(),
        ),
    )


@volunteers.command("claim-ids")
def claim_ids(database_url: DatabaseUrl = None) -> None:
    """Claim the national ids of volunteers registered before ids were claimed (once, after
    upgrading a store): each id goes to the volunteer registered first with it. Later
    registrations of the same person are listed for the office to settle; then it exits 1."""
    with opened_ledger(database_url) as ledger:
        done = ledger.claim_unclaimed_national_ids(actor=local_actor())
    console.print(
        f"national ids claimed now: {len(done.claimed)}; claimed before: {done.already}; "
        f"duplicate registrations: {len(done.duplicates)}"
    )
    for later, first in done.duplicates:
        console.print(
            f"duplicate: volunteer {later} has the national id of volunteer {first}",
            soft_wrap=True,
        )
    if done.duplicates:
        errors.print(
            "[red]duplicates:[/red] the same person is registered more than once; "
            "withdraw the record that should not earn credit (volunteers withdraw)"
        )
        raise typer.Exit(1)


@volunteers.command("suspend")
def suspend(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Suspend an active volunteer."""
    record(
        database_url,
        "volunteer",
        lambda ledger: ledger.suspend_volunteer(
            SuspendVolunteer(volunteer_id=volunteer_id, reason=reason), actor=local_actor()
        ),
    )


@volunteers.command("reinstate")
def reinstate(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Reinstate a suspended volunteer."""
    record(
        database_url,
        "volunteer",
        lambda ledger: ledger.reinstate_volunteer(
            ReinstateVolunteer(volunteer_id=volunteer_id, reason=reason), actor=local_actor()
        ),
    )


@volunteers.command("withdraw")
def withdraw(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Withdraw a volunteer from the programme (the record and its points stay)."""
    record(
        database_url,
        "volunteer",
        lambda ledger: ledger.withdraw_volunteer(
            WithdrawVolunteer(volunteer_id=volunteer_id, reason=reason), actor=local_actor()
        ),
    )


@volunteers.command("cancel-insurance")
def cancel_insurance(
    volunteer_id: UUID, policy_number: str, reason: Reason, database_url: DatabaseUrl = None
) -> None:
    """Cancel one of a volunteer's policies."""
    record(
        database_url,
        "volunteer",
        lambda ledger: ledger.cancel_insurance(
            CancelInsurance(volunteer_id=volunteer_id, policy_number=policy_number, reason=reason),
            actor=local_actor(),
        ),
    )


@volunteers.command("revoke-commendation")
def revoke_commendation(
    volunteer_id: UUID, commendation_id: UUID, reason: Reason, database_url: DatabaseUrl = None
) -> None:
    """Revoke a volunteer's commendation."""
    record(
        database_url,
        "volunteer",
        lambda ledger: ledger.revoke_commendation(
            RevokeCommendation(
                volunteer_id=volunteer_id, commendation_id=commendation_id, reason=reason
            ),
            actor=local_actor(),
        ),
    )


@teams.command("dissolve")
def dissolve(team_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Dissolve a team: it takes no new members or activities."""
    record(
        database_url,
        "team",
        lambda ledger: ledger.dissolve_team(
            DissolveTeam(team_id=team_id, reason=reason), actor=local_actor()
        ),
    )
