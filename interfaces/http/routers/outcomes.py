"""What an activity achieved: the people it served, their ratings, the media coverage."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from application.commands import activities as commands
from domain.values import Rater
from interfaces.http.activity_reads import Ratings
from interfaces.http.activity_schemas import (
    FeedbackWritten,
    RecordBeneficiaries,
    RecordFeedback,
    RecordMedia,
)
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep, IfMatch, Reads
from interfaces.http.problems import Problem
from interfaces.http.routers.activity_access import may_write
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["activities"])


@router.post("/activities/{activity_id}/beneficiaries")
def record_beneficiaries(
    activity_id: UUID,
    body: RecordBeneficiaries,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record how many people of each beneficiary type the activity served."""
    may_write(container, caller, activity_id, "beneficiaries")
    return WriteResult.of(
        container.ledger.record_beneficiaries(
            commands.RecordBeneficiaries(
                activity_id=activity_id, counts=dict(body.counts), expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/activities/{activity_id}/feedback", status_code=status.HTTP_201_CREATED)
def record_feedback(
    activity_id: UUID,
    body: RecordFeedback,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> FeedbackWritten:
    """Record a beneficiary's rating: satisfaction 1–5, a comment, the rater (or anonymous)
    and the date given. One rating per rater per activity (409 ``duplicate-rating``); a
    rating given outside the rulebook's feedback window after the activity ended is kept
    with ``counted: false`` and never counts in rankings or eligibility."""
    may_write(container, caller, activity_id, "feedback")
    rater = body.rater
    result = container.ledger.record_feedback(
        commands.RecordFeedback(
            activity_id=activity_id,
            satisfaction=body.satisfaction,
            comment=body.comment,
            rater=None
            if rater is None
            else Rater(rater.beneficiary_type, rater.reference, rater.anonymous),
            given_on=body.given_on,
            expected_version=if_match,
        ),
        actor=caller.actor,
    )
    return FeedbackWritten(
        **WriteResult.of(result).model_dump(),
        counted=result.counted,
        given_on=result.given_on,
    )


@router.get("/activities/{activity_id}/feedback", response_model=Ratings)
def list_feedback(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """Every rating of the activity: satisfaction, rater (``null``: recorded before raters
    were named), date given, who recorded it, and ``counted`` (false: given outside the
    rulebook's feedback window; shown, flagged, never counted)."""
    rows = reads.feedback(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}


@router.post("/activities/{activity_id}/media")
def record_media(
    activity_id: UUID,
    body: RecordMedia,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record media coverage of the activity (it counts towards the rankings)."""
    may_write(container, caller, activity_id, "media coverage")
    return WriteResult.of(
        container.ledger.record_media(
            commands.RecordMedia(
                activity_id=activity_id,
                outlet=body.outlet,
                level=body.level,
                url=body.url,
                published_on=body.published_on,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )
