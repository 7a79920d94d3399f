"""Needs raised at stations (需求清单) and the project library (项目库) from the command
line, recorded as the local user, as an admin."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from application.commands.needs import (
    ActivateProject,
    CloseNeed,
    CloseProject,
    DeclineNeed,
    DraftProject,
    RaiseNeed,
)
from domain.values import BeneficiaryType, Category
from interfaces.cli.common import DatabaseUrl
from interfaces.cli.recording import Reason, local_actor, record

needs = typer.Typer(help="Needs raised at stations (需求清单): raise, close when met, decline.")
projects = typer.Typer(help="The project library (项目库): draft, activate, close projects.")


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
    record(
        database_url,
        "need",
        lambda ledger: ledger.raise_need(
            RaiseNeed(
                township=township,
                station_id=station,
                beneficiary_type=beneficiary_type,
                category=category,
                description=description,
                raised_by_name=raised_by,
                raised_by_contact=contact,
            ),
            actor=local_actor(),
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
    record(
        database_url,
        "need",
        lambda ledger: ledger.close_need(
            CloseNeed(need_id=need_id, activity_id=activity, outcome=outcome), actor=local_actor()
        ),
    )


@needs.command("decline")
def decline_need(need_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Decline a need, with the reason."""
    record(
        database_url,
        "need",
        lambda ledger: ledger.decline_need(
            DeclineNeed(need_id=need_id, reason=reason), actor=local_actor()
        ),
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
    record(
        database_url,
        "project",
        lambda ledger: ledger.draft_project(
            DraftProject(
                title=title,
                category=Category(category),
                description=description,
                team_id=team,
                need_ids=list(need or []),
                target_beneficiaries=list(beneficiary),
            ),
            actor=local_actor(),
        ),
    )


@projects.command("activate")
def activate_project(project_id: UUID, database_url: DatabaseUrl = None) -> None:
    """Put a drafted project on the service menu."""
    record(
        database_url,
        "project",
        lambda ledger: ledger.activate_project(
            ActivateProject(project_id=project_id), actor=local_actor()
        ),
    )


@projects.command("close")
def close_project(project_id: UUID, reason: Reason, database_url: DatabaseUrl = None) -> None:
    """Close a project: it leaves the service menu."""
    record(
        database_url,
        "project",
        lambda ledger: ledger.close_project(
            CloseProject(project_id=project_id, reason=reason), actor=local_actor()
        ),
    )
