"""Teams: form, enrol members; list and read them from the directory projection."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from application.commands import people as commands
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.people_answers import Team, TeamPage
from interfaces.http.people_schemas import Commend, EnrolMember, FormTeam, LeaveTeam
from interfaces.http.problems import Problem
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["teams"])


@router.post("/teams", status_code=status.HTTP_201_CREATED)
def form_team(body: FormTeam, caller: CallerDep, container: ContainerDep) -> WriteResult:
    """Form a volunteer service team at banner or township level."""
    caller.require_township(body.township, "teams")
    return WriteResult.of(
        container.ledger.form_team(
            commands.FormTeam(
                name=body.name,
                level=body.level,
                township=body.township,
                station_id=body.station_id,
            ),
            actor=caller.actor,
        )
    )


@router.post("/teams/{team_id}/members")
def enrol_member(
    team_id: UUID,
    body: EnrolMember,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Enrol a registered, active volunteer as member, leader or deputy."""
    team = container.ledger.load(VolunteerTeam, team_id)
    caller.require_township(team.township, "team members")
    volunteer = container.ledger.load(Volunteer, body.volunteer_id, read_only=True)
    caller.require_member(team.township, volunteer.township)
    return WriteResult.of(
        container.ledger.enrol_member(
            commands.EnrolMember(
                team_id=team_id,
                volunteer_id=body.volunteer_id,
                role=body.role,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/teams/{team_id}/members/{volunteer_id}/leave")
def member_leaves(
    team_id: UUID,
    volunteer_id: UUID,
    body: LeaveTeam,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """A member leaves the team, with the reason."""
    team = container.ledger.load(VolunteerTeam, team_id)
    caller.require_township(team.township, "team members")
    return WriteResult.of(
        container.ledger.member_leaves(
            commands.MemberLeaves(
                team_id=team_id,
                volunteer_id=volunteer_id,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/teams/{team_id}/commendations")
def commend_team(
    team_id: UUID,
    body: Commend,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Commend a team (admin); ``basis_position`` is the log position its eligibility was
    read at. The new ``commendation_id`` is in ``created``."""
    caller.require_admin("commend a team")
    return WriteResult.of(
        container.ledger.commend_team(
            commands.CommendTeam(
                team_id=team_id,
                title=body.title,
                period=body.period,
                basis_position=body.basis_position,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.get("/teams")
def list_teams(_: CallerDep, reads: Reads, limit: Limit = 50, cursor: Cursor = None) -> TeamPage:
    """Teams, in id order."""
    return TeamPage.model_validate(reads.teams(limit=limit, cursor=cursor))


@router.get("/teams/{team_id}", response_model=Team)
def get_team(team_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """One team with its members."""
    team = reads.team(str(team_id))
    if team is None:
        raise Problem(404, "not-found", "Not found", f"team {team_id} not found")
    return team
