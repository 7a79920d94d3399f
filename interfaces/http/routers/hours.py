"""Service hours: one participant's, the printable sign-in sheet, and a whole sheet at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from application.commands import activities as commands
from application.errors import BulkRejected, RowError
from domain.activity import ServiceActivity
from domain.values import Interval
from domain.volunteer import Volunteer
from infrastructure.runtime import cycle_collector_paused
from interfaces.http.activity_schemas import RecordHours
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep, IfMatch
from interfaces.http.problem_openapi import problem_responses
from interfaces.http.routers.activity_access import may_write
from interfaces.http.routers.volunteers import mask_national_id
from interfaces.http.schemas import WriteResult
from interfaces.http.sheet_printing import SheetVolunteer, write_sheet
from interfaces.http.sheet_rows import read_sheet
from interfaces.http.signin_sheet import SHANGHAI, XLSX_MEDIA_TYPE

router = APIRouter(tags=["activities"])


@router.post("/activities/{activity_id}/hours")
def record_hours(
    activity_id: UUID,
    body: RecordHours,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record a participant's service hours (insurance and overlaps are checked now)."""
    may_write(container, caller, activity_id, "service hours")
    return WriteResult.of(
        container.ledger.record_hours(
            commands.RecordHours(
                activity_id=activity_id,
                volunteer_id=body.volunteer_id,
                interval=Interval(body.started_at, body.ended_at),
                source=body.source,
                expected_version=if_match,
            ),
            actor=caller.actor,
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
    responses={
        200: {
            "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "the sign-in sheet",
        }
    },
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
    activity = may_write(container, caller, activity_id, "service hours")
    day = activity.window.start.astimezone(SHANGHAI).date()
    media_type, raw = sheet
    # A sheet makes hundreds of thousands of short-lived objects and no cycles: the cycle
    # collector would only walk them.
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
                    container.ledger.check_hours_bulk(
                        commands.RecordSheet(activity_id=activity_id, rows=rows),
                        actor=caller.actor,
                    )
                except BulkRejected as e:
                    refused += on_the_sheet(e.errors)
            raise BulkRejected(sorted(refused, key=lambda e: e.line))
        try:
            recorded = container.ledger.record_hours_bulk(
                commands.RecordSheet(activity_id=activity_id, rows=rows, expected_version=if_match),
                actor=caller.actor,
            )
        except BulkRejected as e:
            raise BulkRejected(on_the_sheet(e.errors)) from None
    return WriteResult.of(recorded)
