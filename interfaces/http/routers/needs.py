"""Needs (需求清单) and the project library (项目库); active projects are the service menu
(服务清单)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from application.commands import needs as commands
from domain.need import Need
from domain.project import Project
from domain.ranking import Period
from domain.team import VolunteerTeam
from domain.values import Category
from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.need_schemas import (
    CloseNeed,
    DraftProject,
    NeedPage,
    NeedRow,
    NeedsMet,
    NeedStatus,
    ProjectDetail,
    ProjectPage,
    ProjectStatus,
    RaiseNeed,
)
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import Reason
from interfaces.http.routers.volunteers import mask_phone, township_in_scope
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["needs and projects"])


def today(container: Container) -> date:
    """Today in the banner's time (Asia/Shanghai): how long a need has waited."""
    return (container.ledger.clock() + container.rulebook.latest.utc_offset).date()


def shown(row: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Who raised a need and how to reach them: in full for admins and the station staff
    of the need's township (who call back); masked for everyone else."""
    if caller.role == "admin" or (
        caller.role == "station_staff" and caller.user.scope == row["township"]
    ):
        return row
    contact = mask_phone(row["raised_by_contact"])
    return {
        **row,
        "raised_by_contact": contact,
        "raised_by": {**row["raised_by"], "contact": contact},
    }


def _may_write_project(caller: Caller, team: VolunteerTeam, what: str) -> None:
    """A project is its team's: admin, the team's township station staff, or its leader."""
    caller.require_activity(team.township, str(team.id), what)


@router.post("/needs", status_code=status.HTTP_201_CREATED)
def raise_need(body: RaiseNeed, caller: CallerDep, container: ContainerDep) -> WriteResult:
    """Record a need raised at a station (station staff of the township, or an admin)."""
    caller.require_township(body.township.strip(), "needs")
    return WriteResult.of(
        container.ledger.raise_need(
            commands.RaiseNeed(
                township=body.township,
                station_id=body.station_id,
                beneficiary_type=body.beneficiary_type,
                category=body.category,
                description=body.description,
                raised_by_name=body.raised_by.name,
                raised_by_contact=body.raised_by.contact,
            ),
            actor=caller.actor,
        )
    )


@router.post("/needs/{need_id}/close")
def close_need(
    need_id: UUID,
    body: CloseNeed,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Close a need as met, naming the verified activity that met it and the outcome."""
    need = container.ledger.load(Need, need_id, read_only=True)
    caller.require_township(need.township, "needs")
    return WriteResult.of(
        container.ledger.close_need(
            commands.CloseNeed(
                need_id=need_id,
                activity_id=body.activity_id,
                outcome=body.outcome,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/needs/{need_id}/decline")
def decline_need(
    need_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Decline a need, with the reason (kept and shown to whoever reads the need)."""
    need = container.ledger.load(Need, need_id, read_only=True)
    caller.require_township(need.township, "needs")
    return WriteResult.of(
        container.ledger.decline_need(
            commands.DeclineNeed(need_id=need_id, reason=body.reason, expected_version=if_match),
            actor=caller.actor,
        )
    )


@router.get("/needs", response_model=NeedPage)
def list_needs(
    caller: CallerDep,
    reads: Reads,
    container: ContainerDep,
    status: NeedStatus | None = None,
    township: str | None = None,
    category: str | None = None,
    station_id: UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Needs, oldest first, each with ``age_days``: how long it has waited (open) or waited
    until it was closed. Contacts masked except for admins and the township's staff.
    Station staff list their own township's needs only (another township asked for: 403)."""
    township = township_in_scope(caller, township, "needs", "服务需求")
    found = reads.needs(
        today=today(container),
        status=status,
        township=township,
        category=category,
        station_id=None if station_id is None else str(station_id),
        limit=limit,
        cursor=cursor,
    )
    return {
        "items": [shown(r, caller) for r in found["items"]],
        "next_cursor": found["next_cursor"],
    }


@router.get("/needs/met", response_model=NeedsMet)
def needs_met(_: CallerDep, reads: Reads, period: str | None = None) -> dict[str, Any]:
    """Needs met per station (with those raised, declined and open) and per project;
    ``period`` (``2022``, ``2022-Q3``, ``2022-07``) counts needs closed in it."""
    return reads.needs_met(None if period is None else Period.parse(period))


@router.get("/needs/{need_id}", response_model=NeedRow)
def get_need(
    need_id: UUID, caller: CallerDep, reads: Reads, container: ContainerDep
) -> dict[str, Any]:
    """One need, with its age and, once closed, the activity and outcome or the reason."""
    row = reads.need(str(need_id), today(container))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"need {need_id} not found")
    return shown(row, caller)


@router.post("/projects", status_code=status.HTTP_201_CREATED)
def draft_project(body: DraftProject, caller: CallerDep, container: ContainerDep) -> WriteResult:
    """Enter a project in the library as a draft, owned by a team, answering needs."""
    team = container.ledger.load(VolunteerTeam, body.team_id, read_only=True)
    _may_write_project(caller, team, "projects")
    return WriteResult.of(
        container.ledger.draft_project(
            commands.DraftProject(
                title=body.title,
                category=Category(body.category),
                description=body.description,
                team_id=body.team_id,
                need_ids=list(body.need_ids),
                target_beneficiaries=list(body.target_beneficiaries),
            ),
            actor=caller.actor,
        )
    )


def _project_team(container: Container, project_id: UUID) -> VolunteerTeam:
    project = container.ledger.load(Project, project_id, read_only=True)
    return container.ledger.load(VolunteerTeam, project.team_id, read_only=True)


@router.post("/projects/{project_id}/activate")
def activate_project(
    project_id: UUID, caller: CallerDep, container: ContainerDep, if_match: IfMatch
) -> WriteResult:
    """Put a drafted project on the service menu."""
    _may_write_project(caller, _project_team(container, project_id), "projects")
    return WriteResult.of(
        container.ledger.activate_project(
            commands.ActivateProject(project_id=project_id, expected_version=if_match),
            actor=caller.actor,
        )
    )


@router.post("/projects/{project_id}/close")
def close_project(
    project_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Close a project, with the reason: it leaves the service menu, no new activity names it."""
    _may_write_project(caller, _project_team(container, project_id), "projects")
    return WriteResult.of(
        container.ledger.close_project(
            commands.CloseProject(
                project_id=project_id, reason=body.reason, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.get("/projects", response_model=ProjectPage)
def list_projects(
    _: CallerDep,
    reads: Reads,
    status: ProjectStatus | None = None,
    category: str | None = None,
    township: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The project library; ``status=active`` is the service menu. Each project gives its
    needs met and activities; a banner-level team's project is listed under every township."""
    return reads.projects(
        status=status, category=category, township=township, limit=limit, cursor=cursor
    )


@router.get("/projects/{project_id}", response_model=ProjectDetail)
def get_project(project_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """One project, with the needs its activities met and its activities."""
    row = reads.project(str(project_id))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"project {project_id} not found")
    return row
