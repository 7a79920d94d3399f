"""Activities: plan, sign-ups, complete, cancel, verify; list and read them.

Hours and sign-in sheets (``hours``), corrections (``corrections``) and outcomes
(``outcomes``: beneficiaries, feedback, media) have their own routers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from application.commands import activities as commands
from domain.team import VolunteerTeam
from domain.values import Category, Interval, TeamLevel
from interfaces.http.activity_reads import ActivityCover, ActivityDetail, ActivityPage
from interfaces.http.activity_schemas import (
    CancelActivity,
    PlanActivity,
    SignUp,
    VerifyResult,
    WithdrawSignup,
)
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.inputs import Day
from interfaces.http.problems import Problem
from interfaces.http.routers.activity_access import may_write
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["activities"])


@router.post("/activities", status_code=status.HTTP_201_CREATED)
def plan_activity(body: PlanActivity, caller: CallerDep, container: ContainerDep) -> WriteResult:
    """Plan an activity for an existing team, in a category the rulebook knows."""
    team = container.ledger.load(VolunteerTeam, body.team_id, read_only=True)
    caller.require_planning(
        body.township, str(body.team_id), team.township, team.level is TeamLevel.BANNER
    )
    return WriteResult.of(
        container.ledger.plan_activity(
            commands.PlanActivity(
                title=body.title,
                category=Category(body.category),
                team_id=body.team_id,
                township=body.township,
                station_id=body.station_id,
                location=body.location,
                window=Interval(body.starts_at, body.ends_at),
                beneficiary_types=list(body.beneficiary_types),
                capacity=body.capacity,
                project_id=body.project_id,
            ),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/signups")
def sign_up(
    activity_id: UUID,
    body: SignUp,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Sign an active volunteer up for the activity."""
    may_write(container, caller, activity_id, "sign-ups")
    return WriteResult.of(
        container.ledger.sign_up(
            commands.SignUp(
                activity_id=activity_id, volunteer_id=body.volunteer_id, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/signups/{volunteer_id}/withdraw")
def withdraw_signup(
    activity_id: UUID,
    volunteer_id: UUID,
    body: WithdrawSignup,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Withdraw a volunteer's sign-up, with the reason."""
    may_write(container, caller, activity_id, "sign-ups")
    return WriteResult.of(
        container.ledger.withdraw_signup(
            commands.WithdrawSignup(
                activity_id=activity_id,
                volunteer_id=volunteer_id,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/complete")
def complete_activity(
    activity_id: UUID, caller: CallerDep, container: ContainerDep, if_match: IfMatch
) -> WriteResult:
    """Mark the activity completed."""
    may_write(container, caller, activity_id, "activities")
    return WriteResult.of(
        container.ledger.complete_activity(
            commands.CompleteActivity(activity_id=activity_id, expected_version=if_match),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/cancel")
def cancel_activity(
    activity_id: UUID,
    body: CancelActivity,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Cancel the activity, with the reason."""
    may_write(container, caller, activity_id, "activities")
    return WriteResult.of(
        container.ledger.cancel_activity(
            commands.CancelActivity(
                activity_id=activity_id, reason=body.reason, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/verify")
def verify_activity(
    activity_id: UUID, caller: CallerDep, container: ContainerDep, if_match: IfMatch
) -> VerifyResult:
    """Verify a completed activity and award points to every participant (four-eyes:
    whoever recorded hours on it cannot verify it)."""
    may_write(container, caller, activity_id, "verifications")
    return VerifyResult.of(
        container.ledger.verify_activity(
            commands.VerifyActivity(activity_id=activity_id, expected_version=if_match),
            actor=caller.actor,
        )
    )


@router.get("/activities", response_model=ActivityPage)
def list_activities(
    _: CallerDep,
    reads: Reads,
    status: str | None = None,
    team_id: UUID | None = None,
    township: str | None = None,
    category: str | None = None,
    start: Day | None = None,
    end: Day | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Activities in id order, filtered by status, team, township, category or dates."""
    return dict(
        reads.activities(
            status=status,
            team_id=str(team_id) if team_id else None,
            township=township,
            category=category,
            start=start,
            end=end,
            limit=limit,
            cursor=cursor,
        )
    )


@router.get("/activities/{activity_id}", response_model=ActivityDetail)
def get_activity(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """One activity with its participants (sign-ups, hours, status) and the project of the
    library it serves (``project_id``, null for none)."""
    row = reads.activity(str(activity_id))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {**row, "project_id": reads.project_of_activity(str(activity_id))}


@router.get("/activities/{activity_id}/insurance", response_model=ActivityCover)
def activity_insurance(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """Each participant and the policy that covered them on the service date."""
    rows = reads.activity_insurance(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}
