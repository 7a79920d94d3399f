"""The registers from the command line: stations, needs and projects, and the everyday
operations on volunteers and teams (the same use cases as the HTTP API, recorded as the local user, as an admin)."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from application.errors import NotFound, UnknownReference
from application.ledger import VolunteerLedger
from application.results import Recorded
from domain.errors import DomainError
from domain.values import Actor, BeneficiaryType, Category, Role, StationLevel
from interfaces.cli.common import DatabaseUrl, console, errors, opened

stations = typer.Typer(help="The stations register: add, rename and close stations.")
volunteers = typer.Typer(help="Everyday operations on registered volunteers.")
teams = typer.Typer(help="Everyday operations on teams.")
needs = typer.Typer(help="Needs raised at stations (需求清单): raise, close when met, decline.")
projects = typer.Typer(help="The project library (项目库): draft, activate, close projects.")

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
            RegisterStation(name=name, level=level, township=township, parent_id=parent_id),
            actor=_actor(),
        ),
    )


@stations.command("rename")
def rename_station(station_id: UUID, name: str, database_url: DatabaseUrl = None) -> None:
    """Rename a station."""
    _run(
        database_url,
        "station",
        lambda ledger: ledger.rename_station(
            RenameStation(station_id=station_id, name=name), actor=_actor()
        ),
    )


@stations.command("close")
def close_station(station_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Close a station: no new team or activity may name it."""
    _run(
        database_url,
        "station",
        lambda ledger: ledger.close_station(
            CloseStation(station_id=station_id, reason=reason), actor=_actor()
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
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.update_profile(
            UpdateProfile(volunteer_id=volunteer_id, phone=phone, township=township, skills=skill),
            actor=_actor(),
        ),
    )


@volunteers.command("claim-ids")
def claim_ids(database_url: DatabaseUrl = None) -> None:
    """Claim the national ids of volunteers registered before ids were claimed (once, after
    upgrading a store): each id goes to the volunteer registered first with it. Later
    registrations of the same person are listed for the office to settle; then it exits 1."""
    with _ledger(database_url) as ledger:
        done = ledger.claim_unclaimed_national_ids(actor=_actor())
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
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.suspend_volunteer(
            SuspendVolunteer(volunteer_id=volunteer_id, reason=reason), actor=_actor()
        ),
    )


@volunteers.command("reinstate")
def reinstate(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Reinstate a suspended volunteer."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.reinstate_volunteer(
            ReinstateVolunteer(volunteer_id=volunteer_id, reason=reason), actor=_actor()
        ),
    )


@volunteers.command("withdraw")
def withdraw(volunteer_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Withdraw a volunteer from the programme (the record and its points stay)."""
    _run(
        database_url,
        "volunteer",
        lambda ledger: ledger.withdraw_volunteer(
            WithdrawVolunteer(volunteer_id=volunteer_id, reason=reason), actor=_actor()
        ),
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
            CancelInsurance(volunteer_id=volunteer_id, policy_number=policy_number, reason=reason),
            actor=_actor(),
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
            RevokeCommendation(
                volunteer_id=volunteer_id, commendation_id=commendation_id, reason=reason
            ),
            actor=_actor(),
        ),
    )


@teams.command("dissolve")
def dissolve(team_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Dissolve a team: it takes no new members or activities."""
    _run(
        database_url,
        "team",
        lambda ledger: ledger.dissolve_team(
            DissolveTeam(team_id=team_id, reason=reason), actor=_actor()
        ),
    )


@needs.command("add")
def raise_need(
    township: Annotated[str, typer.Option(help="The township the need is in.")],
    station: Annotated[UUID, typer.Option(help="The station it was raised at (its id).")],
    beneficiary_type: Annotated[BeneficiaryType, typer.Option(help="Who is served.")],
    category: Annotated[
        str,
        typer.Option(
            help="life_difficulty, education_difficulty, employment_difficulty, or a "
            "service category of the rulebook."
        ),
    ],
    description: Annotated[str, typer.Option(help="What is needed.")],
    raised_by: Annotated[str, typer.Option(help="Who raised it.")],
    contact: Annotated[str, typer.Option(help="How to reach them (masked on reads).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Record a need raised at a station and print its id."""
    _run(
        database_url,
        "need",
        lambda ledger: ledger.raise_need(
            township=township,
            station_id=station,
            beneficiary_type=beneficiary_type,
            category=category,
            description=description,
            raised_by_name=raised_by,
            raised_by_contact=contact,
            actor=_actor(),
        ),
    )


@needs.command("close")
def close_need(
    need_id: UUID,
    activity: Annotated[UUID, typer.Option(help="The verified activity that met it.")],
    outcome: Annotated[str, typer.Option(help="What came of it.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Close a need as met by a verified activity."""
    _run(
        database_url,
        "need",
        lambda ledger: ledger.close_need(
            need_id, activity_id=activity, outcome=outcome, actor=_actor()
        ),
    )


@needs.command("decline")
def decline_need(need_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Decline a need, with the reason."""
    _run(
        database_url,
        "need",
        lambda ledger: ledger.decline_need(need_id, reason=reason, actor=_actor()),
    )


@projects.command("add")
def draft_project(
    title: str,
    category: Annotated[str, typer.Option(help="A service category of the rulebook.")],
    description: Annotated[str, typer.Option(help="What the project does.")],
    team: Annotated[UUID, typer.Option(help="The owning team (its id).")],
    beneficiary: Annotated[
        list[BeneficiaryType], typer.Option(help="Repeat for each target beneficiary type.")
    ],
    need: Annotated[
        list[UUID] | None, typer.Option(help="Repeat for each need the project answers.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Enter a project in the library (as a draft) and print its id."""
    _run(
        database_url,
        "project",
        lambda ledger: ledger.draft_project(
            title=title,
            category=Category(category),
            description=description,
            team_id=team,
            need_ids=list(need or []),
            target_beneficiaries=list(beneficiary),
            actor=_actor(),
        ),
    )


@projects.command("activate")
def activate_project(project_id: UUID, database_url: DatabaseUrl = None) -> None:
    """Put a drafted project on the service menu."""
    _run(
        database_url,
        "project",
        lambda ledger: ledger.activate_project(project_id, actor=_actor()),
    )


@projects.command("close")
def close_project(project_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Close a project: it leaves the service menu."""
    _run(
        database_url,
        "project",
        lambda ledger: ledger.close_project(project_id, reason=reason, actor=_actor()),
    )
