"""Corrections of recorded hours: applied at once before verification; after it proposed,
then approved or rejected by a second person (four eyes)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response, status

from application.commands import activities as commands
from domain.values import Interval
from interfaces.http.activity_reads import Corrections
from interfaces.http.activity_schemas import (
    ApprovalResult,
    CorrectHours,
    CorrectionResult,
    RejectCorrection,
)
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep, IfMatch, Reads
from interfaces.http.problems import Problem
from interfaces.http.routers.activity_access import may_write
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["activities"])


@router.post(
    "/activities/{activity_id}/hours/{volunteer_id}/corrections",
    responses={202: {"model": CorrectionResult, "description": "proposed: awaits approval"}},
)
def correct_hours(
    activity_id: UUID,
    volunteer_id: UUID,
    body: CorrectHours,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
    response: Response,
) -> CorrectionResult:
    """Correct a participant's hours. Before verification it applies at once (200); after
    it, it is *proposed* (202, with its ``correction_id``) and changes no ledger until
    another person approves it."""
    may_write(container, caller, activity_id, "service hours")
    recorded = container.ledger.correct_hours(
        commands.CorrectHours(
            activity_id=activity_id,
            volunteer_id=volunteer_id,
            interval=Interval(body.started_at, body.ended_at),
            reason=body.reason,
            expected_version=if_match,
        ),
        actor=caller.actor,
    )
    written = WriteResult.of(recorded)
    correction_id = recorded.created.get("correction_id")
    if correction_id is None:
        return CorrectionResult(**written.model_dump(), status="applied")
    response.status_code = status.HTTP_202_ACCEPTED
    return CorrectionResult(**written.model_dump(), status="proposed", correction_id=correction_id)


@router.post("/activities/{activity_id}/corrections/{correction_id}/approve")
def approve_correction(
    activity_id: UUID,
    correction_id: UUID,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> ApprovalResult:
    """Approve a proposed correction (four eyes: not its proposer, nor whoever recorded the
    hours): the standing award is reversed and the corrected hours awarded."""
    may_write(container, caller, activity_id, "verifications")
    return ApprovalResult.of(
        container.ledger.approve_correction(
            commands.ApproveCorrection(
                activity_id=activity_id, correction_id=correction_id, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/corrections/{correction_id}/reject")
def reject_correction(
    activity_id: UUID,
    correction_id: UUID,
    body: RejectCorrection,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Close a proposed correction without applying it, giving the reason."""
    may_write(container, caller, activity_id, "verifications")
    return WriteResult.of(
        container.ledger.reject_correction(
            commands.RejectCorrection(
                activity_id=activity_id,
                correction_id=correction_id,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.get("/activities/{activity_id}/corrections", response_model=Corrections)
def list_corrections(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """The corrections proposed to the activity's verified hours: status, proposer, approver."""
    rows = reads.corrections(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}
