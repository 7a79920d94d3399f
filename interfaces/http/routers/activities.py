"""Activities: plan, sign up, record hours and feedback, complete, verify; list and read them."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from domain.activity import ServiceActivity
from domain.values import BeneficiaryType, Category, HoursSource, Interval
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.problems import Problem
from interfaces.http.schemas import (
    Page,
    PlanActivity,
    RecordFeedback,
    RecordHours,
    SignUp,
    VerifyResult,
    WriteResult,
)

router = APIRouter(tags=["activities"])


def _may_write(container: ContainerDep, caller: Caller, activity_id: UUID, what: str) -> None:
    activity = container.ledger.load(ServiceActivity, activity_id)
    caller.require_activity(str(activity.township), str(activity.team_id), what)


@router.post("/activities", status_code=status.HTTP_201_CREATED)
def plan_activity(body: PlanActivity, caller: CallerDep, container: ContainerDep) -> WriteResult:
    """Plan an activity for an existing team, in a category the rulebook knows."""
    caller.require_activity(body.township, str(body.team_id), "activities")
    return WriteResult.of(
        container.ledger.plan_activity(
            title=body.title,
            category=Category(body.category),
            team_id=body.team_id,
            township=body.township,
            station=body.station,
            location=body.location,
            window=Interval(body.starts_at, body.ends_at),
            beneficiary_types=[BeneficiaryType(b) for b in body.beneficiary_types],
            capacity=body.capacity,
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
    _may_write(container, caller, activity_id, "sign-ups")
    return WriteResult.of(
        container.ledger.sign_up(
            activity_id,
            volunteer_id=body.volunteer_id,
            actor=caller.actor,
            expected_version=if_match,
        )
    )


@router.post("/activities/{activity_id}/hours")
def record_hours(
    activity_id: UUID,
    body: RecordHours,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record a participant's service hours (insurance and overlaps are checked now)."""
    _may_write(container, caller, activity_id, "service hours")
    return WriteResult.of(
        container.ledger.record_hours(
            activity_id,
            volunteer_id=body.volunteer_id,
            interval=Interval(body.started_at, body.ended_at),
            source=HoursSource(body.source),
            actor=caller.actor,
            expected_version=if_match,
        )
    )


@router.post("/activities/{activity_id}/feedback")
def record_feedback(
    activity_id: UUID,
    body: RecordFeedback,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record a beneficiary's feedback: satisfaction 1–5 and a comment."""
    _may_write(container, caller, activity_id, "feedback")
    return WriteResult.of(
        container.ledger.record_feedback(
            activity_id,
            satisfaction=body.satisfaction,
            comment=body.comment,
            actor=caller.actor,
            expected_version=if_match,
        )
    )


@router.post("/activities/{activity_id}/complete")
def complete_activity(
    activity_id: UUID, caller: CallerDep, container: ContainerDep, if_match: IfMatch
) -> WriteResult:
    """Mark the activity completed."""
    _may_write(container, caller, activity_id, "activities")
    return WriteResult.of(
        container.ledger.complete_activity(
            activity_id, actor=caller.actor, expected_version=if_match
        )
    )


@router.post("/activities/{activity_id}/verify")
def verify_activity(
    activity_id: UUID, caller: CallerDep, container: ContainerDep, if_match: IfMatch
) -> VerifyResult:
    """Verify a completed activity and award points to every participant (four-eyes:
    whoever recorded hours on it cannot verify it)."""
    _may_write(container, caller, activity_id, "verifications")
    return VerifyResult.of(
        container.ledger.verify_activity(activity_id, actor=caller.actor, expected_version=if_match)
    )


@router.get("/activities")
def list_activities(
    _: CallerDep,
    reads: Reads,
    status: str | None = None,
    team_id: UUID | None = None,
    township: str | None = None,
    category: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page:
    """Activities in id order, filtered by status, team, township, category or dates."""
    return Page(
        **reads.activities(
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


@router.get("/activities/{activity_id}")
def get_activity(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """One activity with its participants (sign-ups, hours, status)."""
    row = reads.activity(str(activity_id))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return row


@router.get("/activities/{activity_id}/insurance")
def activity_insurance(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """Each participant and the policy that covered them on the service date."""
    rows = reads.activity_insurance(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}
