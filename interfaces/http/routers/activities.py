"""Activities: plan, sign up, record hours and feedback, complete, verify; list and read them."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import TypeAdapter, ValidationError

from application.errors import BulkRejected, RowError
from application.results import HoursRow
from domain.activity import ServiceActivity
from domain.team import VolunteerTeam
from domain.values import (
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaLevel,
    TeamLevel,
)
from infrastructure.runtime import cycle_collector_paused
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.inputs import Day
from interfaces.http.problems import Problem, problem_responses
from interfaces.http.schemas import (
    ApprovalResult,
    CancelActivity,
    CorrectHours,
    CorrectionResult,
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

router = APIRouter(tags=["activities"])


def _may_write(container: ContainerDep, caller: Caller, activity_id: UUID, what: str) -> None:
    activity = container.ledger.load(ServiceActivity, activity_id, read_only=True)
    caller.require_activity(str(activity.township), str(activity.team_id), what)


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
            beneficiary_types=[BeneficiaryType(b) for b in body.beneficiary_types],
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
            source=HoursSource(body.source),
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


_CSV_HEADER = ("volunteer_id", "started_at", "ended_at", "source")
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
_ROWS = TypeAdapter(list[RecordHours])


async def _sheet(request: Request) -> tuple[str, bytes]:
    """The raw sign-in sheet: its media type and bytes (parsed once the caller may write)."""
    media_type = request.headers.get("content-type", "application/json").split(";")[0]
    return media_type.strip().lower(), await request.body()


Sheet = Annotated[tuple[str, bytes], Depends(_sheet)]


def _invalid_body(detail: str) -> Problem:
    return Problem(
        422,
        "validation",
        "Invalid request",
        detail,
        errors=[{"field": "body", "message": detail}],
    )


def _row_errors(line: int, error: ValidationError) -> list[RowError]:
    return [
        RowError(line, ".".join(str(p) for p in e["loc"]) or "row", str(e["msg"]))
        for e in error.errors()
    ]


def _hours_row(item: RecordHours) -> HoursRow:
    return HoursRow(
        item.volunteer_id, Interval(item.started_at, item.ended_at), HoursSource(item.source)
    )


def _json_rows(raw: bytes) -> tuple[list[HoursRow], list[int]]:
    """JSON list items; line numbers are the 1-based item indexes."""
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise _invalid_body(f"the body is not valid JSON: {e}") from None
    except RecursionError:  # a sheet is a list of flat objects: nothing nests this deep
        raise _invalid_body("the body's JSON is nested too deeply for a sheet") from None
    if not isinstance(data, list):
        raise _invalid_body("the body must be a JSON list of hours rows (or text/csv)")
    try:
        items = _ROWS.validate_python(data)
    except ValidationError as e:
        errors = [
            RowError(
                int(err["loc"][0]) + 1 if err["loc"] and isinstance(err["loc"][0], int) else 0,
                ".".join(str(p) for p in err["loc"][1:]) or "row",
                str(err["msg"]),
            )
            for err in e.errors()
        ]
        raise BulkRejected(errors) from None
    return [_hours_row(i) for i in items], list(range(1, len(items) + 1))


def _unreadable(reader: csv.DictReader[str], error: csv.Error) -> RowError:
    """The line the reader stopped in (it counts only the lines it finished)."""
    return RowError(reader.line_num + 1, "row", f"the CSV cannot be read here: {error}")


def _csv_rows(raw: bytes) -> tuple[list[HoursRow], list[int]]:
    """CSV rows; line numbers count the header as line 1."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _invalid_body(f"the CSV is not UTF-8: {e}") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as e:
        raise BulkRejected([_unreadable(reader, e)]) from None
    missing = [c for c in _CSV_HEADER[:3] if c not in header]
    if missing:
        raise BulkRejected(
            [RowError(1, c, f"the CSV header lacks the column {c!r}") for c in missing]
        )
    reader.fieldnames = header
    rows: list[HoursRow] = []
    lines: list[int] = []
    errors: list[RowError] = []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as e:  # e.g. a field over the csv module's size limit: no row is read
            raise BulkRejected([*errors, _unreadable(reader, e)]) from None
        line = reader.line_num
        if None in record:
            errors.append(RowError(line, "row", "more values than header columns"))
            continue
        values = {k: v.strip() for k, v in record.items() if k in _CSV_HEADER and v}
        absent = [c for c in _CSV_HEADER[:3] if c not in values]
        if absent:
            errors.extend(RowError(line, c, "missing value") for c in absent)
            continue
        try:
            rows.append(_hours_row(RecordHours.model_validate(values)))
            lines.append(line)
        except ValidationError as e:
            errors.extend(_row_errors(line, e))
    if errors:
        raise BulkRejected(errors)
    return rows, lines


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
    """Record a whole sign-in sheet atomically: a JSON list of hours rows, or `text/csv`
    with the header `volunteer_id,started_at,ended_at,source`. Any bad row → 422 listing
    every bad row with its line (CSV: the header is line 1; JSON: the 1-based item index)
    and nothing is recorded."""
    _may_write(container, caller, activity_id, "service hours")
    media_type, raw = sheet
    if media_type == "text/csv":
        parse = _csv_rows
    elif media_type in {"application/json", ""} or media_type.endswith("+json"):
        parse = _json_rows
    else:
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"send the sheet as application/json or text/csv, not {media_type}",
        )
    # A sheet makes hundreds of thousands of short-lived objects and no cycles: even with
    # the service's raised threshold the cycle collector ran about once a sheet (17 ms).
    with cycle_collector_paused():
        rows, lines = parse(raw)
        try:
            recorded = container.ledger.record_hours_bulk(
                activity_id, rows=rows, actor=caller.actor, expected_version=if_match
            )
        except BulkRejected as e:
            raise BulkRejected(
                [
                    RowError(
                        lines[r.line - 1] if 1 <= r.line <= len(lines) else r.line,
                        r.field,
                        r.message,
                    )
                    for r in e.errors
                ]
            ) from None
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
            counts={BeneficiaryType(k): n for k, n in body.counts.items()},
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
            level=MediaLevel(body.level),
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
