"""Activities: plan, sign up, record hours and feedback, complete, verify; list and read them."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status

from application.errors import BulkRejected, RowError
from domain.activity import ServiceActivity
from domain.team import VolunteerTeam
from domain.values import (
    Category,
    Interval,
    Rater,
    TeamLevel,
)
from domain.volunteer import Volunteer
from infrastructure.runtime import cycle_collector_paused
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.inputs import Day
from interfaces.http.problem_openapi import problem_responses
from interfaces.http.problems import Problem
from interfaces.http.routers.volunteers import mask_national_id
from interfaces.http.schemas import (
    ApprovalResult,
    CancelActivity,
    CorrectHours,
    CorrectionResult,
    FeedbackWritten,
    Page,
    PlanActivity,
    RecordBeneficiaries,
    RecordFeedback,
    RecordHours,
    RecordMedia,
    RejectCorrection,
    SignUp,
    VerifyResult,
    WithdrawSignup,
    WriteResult,
)
from interfaces.http.sheet_printing import SheetVolunteer, write_sheet
from interfaces.http.sheet_rows import read_sheet
from interfaces.http.signin_sheet import SHANGHAI, XLSX_MEDIA_TYPE

router = APIRouter(tags=["activities"])


def _may_write(
    container: ContainerDep, caller: Caller, activity_id: UUID, what: str
) -> ServiceActivity:
    activity: ServiceActivity = container.ledger.load(ServiceActivity, activity_id, read_only=True)
    caller.require_activity(str(activity.township), str(activity.team_id), what)
    return activity


@router.post("/activities", status_code=status.HTTP_201_CREATED)
def plan_activity(body: PlanActivity, caller: CallerDep, container: ContainerDep) -> WriteResult:
    """Plan an activity for an existing team, in a category the rulebook knows."""
    team = container.ledger.load(VolunteerTeam, body.team_id, read_only=True)
    caller.require_planning(
        body.township, str(body.team_id), team.township, team.level is TeamLevel.BANNER
    )
    return WriteResult.of(
        container.ledger.plan_activity(
            title=body.title,
            category=Category(body.category),
            team_id=body.team_id,
            township=body.township,
            station_id=body.station_id,
            location=body.location,
            window=Interval(body.starts_at, body.ends_at),
            beneficiary_types=list(body.beneficiary_types),
            capacity=body.capacity,
            actor=caller.actor,
            project_id=body.project_id,
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
            source=body.source,
            actor=caller.actor,
            expected_version=if_match,
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
    _may_write(container, caller, activity_id, "sign-ups")
    return WriteResult.of(
        container.ledger.withdraw_signup(
            activity_id,
            volunteer_id=volunteer_id,
            reason=body.reason,
            actor=caller.actor,
            expected_version=if_match,
        )
    )


_SHEET_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/RecordHours"}},
                "example": [
                    {
                        "volunteer_id": "8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a",
                        "started_at": "2022-05-11T09:00:00+08:00",
                        "ended_at": "2022-05-11T12:30:00+08:00",
                        "source": "checkin",
                    }
                ],
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "volunteer_id,started_at,ended_at,source\n"
                "8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a,2022-05-11T09:00:00+08:00,"
                "2022-05-11T12:30:00+08:00,checkin\n",
            },
        },
    }
}


async def _sheet(request: Request) -> tuple[str, bytes]:
    """The raw sign-in sheet: its media type and bytes (parsed once the caller may write)."""
    media_type = request.headers.get("content-type", "application/json").split(";")[0]
    return media_type.strip().lower(), await request.body()


Sheet = Annotated[tuple[str, bytes], Depends(_sheet)]


@router.get(
    "/activities/{activity_id}/sheet.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "the sign-in sheet"}},
)
def sign_in_sheet(activity_id: UUID, _: CallerDep, container: ContainerDep) -> Response:
    """The printable sign-in sheet (Excel), pre-filled with the signed-up volunteers: name,
    national id (masked), volunteer id, and blank start and end times to fill in. Upload it
    back to `…/hours/bulk` as it is."""
    activity = container.ledger.load(ServiceActivity, activity_id, read_only=True)
    people = container.ledger.load_many(Volunteer, activity.signups)
    volunteers = [
        SheetVolunteer(
            people[v].name if v in people else "",
            mask_national_id(people[v].national_id) or "" if v in people else "",
            str(v),
        )
        for v in activity.signups
    ]
    body = write_sheet(
        activity_id=str(activity.id),
        title=activity.title,
        township=str(activity.township),
        location=activity.location,
        starts_at=activity.window.start,
        ends_at=activity.window.end,
        volunteers=volunteers,
    )
    name = f"sign-in-sheet-{activity.id}.xlsx"
    return Response(
        body,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/activities/{activity_id}/hours/bulk",
    openapi_extra=_SHEET_BODY,
    responses=problem_responses(415),
)
def record_hours_bulk(
    activity_id: UUID,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
    sheet: Sheet,
) -> WriteResult:
    """Record a whole sign-in sheet atomically: a JSON list of hours rows, `text/csv` with
    the header `volunteer_id,started_at,ended_at,source`, or the Excel sheet from
    `GET …/sheet.xlsx` filled in. CSV and Excel headings may be Chinese (志愿者编号,
    身份证号, 开始时间, 结束时间, 来源) and a row may name its volunteer by `national_id`
    instead of `volunteer_id`; times without an offset are Asia/Shanghai. A CSV may be
    UTF-8 (BOM or not) or GB18030. Any bad row → 422 listing every bad row with its line
    (CSV: the header is line 1; Excel: the sheet's row number; JSON: the 1-based item
    index) and nothing is recorded."""
    activity = _may_write(container, caller, activity_id, "service hours")
    day = activity.window.start.astimezone(SHANGHAI).date()
    media_type, raw = sheet
    # A sheet makes hundreds of thousands of short-lived objects and no cycles: even with
    # the service's raised threshold the cycle collector ran about once a sheet (17 ms).
    with cycle_collector_paused():
        rows, lines, unread = read_sheet(
            media_type, raw, container.ledger, day, limit=container.settings.max_sheet_bytes
        )

        def on_the_sheet(errors: list[RowError]) -> list[RowError]:
            return [
                replace(e, line=lines[e.line - 1] if 1 <= e.line <= len(lines) else e.line)
                for e in errors
            ]

        if unread:  # the rows that were read are checked too: one answer names every bad row
            refused = list(unread)
            if rows:
                try:
                    container.ledger.check_hours_bulk(activity_id, rows=rows, actor=caller.actor)
                except BulkRejected as e:
                    refused += on_the_sheet(e.errors)
            raise BulkRejected(sorted(refused, key=lambda e: e.line))
        try:
            recorded = container.ledger.record_hours_bulk(
                activity_id, rows=rows, actor=caller.actor, expected_version=if_match
            )
        except BulkRejected as e:
            raise BulkRejected(on_the_sheet(e.errors)) from None
    return WriteResult.of(recorded)


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
    _may_write(container, caller, activity_id, "service hours")
    recorded = container.ledger.correct_hours(
        activity_id,
        volunteer_id=volunteer_id,
        interval=Interval(body.started_at, body.ended_at),
        reason=body.reason,
        actor=caller.actor,
        expected_version=if_match,
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
    _may_write(container, caller, activity_id, "verifications")
    return ApprovalResult.of(
        container.ledger.approve_correction(
            activity_id, correction_id=correction_id, actor=caller.actor, expected_version=if_match
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
    _may_write(container, caller, activity_id, "verifications")
    return WriteResult.of(
        container.ledger.reject_correction(
            activity_id,
            correction_id=correction_id,
            reason=body.reason,
            actor=caller.actor,
            expected_version=if_match,
        )
    )


@router.get("/activities/{activity_id}/corrections")
def list_corrections(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """The corrections proposed to the activity's verified hours: status, proposer, approver."""
    rows = reads.corrections(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}


@router.get("/activities/{activity_id}/feedback")
def list_feedback(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """Every rating of the activity: satisfaction, rater (``null``: recorded before raters
    were named), date given, who recorded it, and ``counted`` (false: given outside the
    rulebook's feedback window; shown, flagged, never counted)."""
    rows = reads.feedback(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}


@router.post("/activities/{activity_id}/beneficiaries")
def record_beneficiaries(
    activity_id: UUID,
    body: RecordBeneficiaries,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record how many people of each beneficiary type the activity served."""
    _may_write(container, caller, activity_id, "beneficiaries")
    return WriteResult.of(
        container.ledger.record_beneficiaries(
            activity_id,
            counts=dict(body.counts),
            actor=caller.actor,
            expected_version=if_match,
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
    _may_write(container, caller, activity_id, "feedback")
    rater = body.rater
    result = container.ledger.record_feedback(
        activity_id,
        satisfaction=body.satisfaction,
        comment=body.comment,
        actor=caller.actor,
        rater=None
        if rater is None
        else Rater(rater.beneficiary_type, rater.reference, rater.anonymous),
        given_on=body.given_on,
        expected_version=if_match,
    )
    return FeedbackWritten(
        **WriteResult.of(result).model_dump(),
        counted=result.counted,
        given_on=result.given_on,
    )


@router.post("/activities/{activity_id}/media")
def record_media(
    activity_id: UUID,
    body: RecordMedia,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record media coverage of the activity (it counts towards the rankings)."""
    _may_write(container, caller, activity_id, "media coverage")
    return WriteResult.of(
        container.ledger.record_media(
            activity_id,
            outlet=body.outlet,
            level=body.level,
            url=body.url,
            published_on=body.published_on,
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


@router.post("/activities/{activity_id}/cancel")
def cancel_activity(
    activity_id: UUID,
    body: CancelActivity,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Cancel the activity, with the reason."""
    _may_write(container, caller, activity_id, "activities")
    return WriteResult.of(
        container.ledger.cancel_activity(
            activity_id, reason=body.reason, actor=caller.actor, expected_version=if_match
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
    start: Day | None = None,
    end: Day | None = None,
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
    """One activity with its participants (sign-ups, hours, status) and the project of the
    library it serves (``project_id``, null for none)."""
    row = reads.activity(str(activity_id))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {**row, "project_id": reads.project_of_activity(str(activity_id))}


@router.get("/activities/{activity_id}/insurance")
def activity_insurance(activity_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """Each participant and the policy that covered them on the service date."""
    rows = reads.activity_insurance(str(activity_id))
    if rows is None:
        raise Problem(404, "not-found", "Not found", f"activity {activity_id} not found")
    return {"activity_id": str(activity_id), "items": rows}
