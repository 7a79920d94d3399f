"""One 活动: its page, and its forms (sign up, record hours one by one or as a sign-in sheet,
complete, verify).

Every write calls the API's own route function with the signed-in person as the caller,
so scopes, validation, rules and the recorded events are the API's; the page only turns
form fields into its request body and its errors into Chinese beside the fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from application.readmodel.queries.readmodels import ReadModels
from infrastructure.bootstrap import Container
from interfaces.http.activity_schemas import RecordHours, SignUp
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.routers import activities as api
from interfaces.http.routers import hours as hours_api
from interfaces.http.signin_sheet import XLSX_MEDIA_TYPE
from interfaces.web.forms import NOTHING_TYPED, Refused, page_status, submit_form
from interfaces.web.pages_activities import activity_form
from interfaces.web.render import local_input, page
from interfaces.web.routing import PageRoute, container_of, volunteer_names
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def visible_activity(reads: ReadModels, visitor: Visitor, activity_id: UUID) -> dict[str, Any]:
    """An activity with its participants: 404 when there is none, 403 for another township's
    clerk."""
    row = reads.activity(str(activity_id))
    if row is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {activity_id} 的活动")
    require_township_view(visitor, str(row["township"]), "活动")
    return row


def _activity(container: Container, visitor: Visitor, activity_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    row = visible_activity(reads, visitor, activity_id)
    ids = [p["volunteer_id"] for p in row["participants"]]
    return {"activity": row, "names": volunteer_names(reads, ids)}


def _activity_page(
    request: Request,
    visitor: Visitor,
    activity_id: UUID,
    *,
    refused: Refused | None = None,
    form: str = "",
    values: Mapping[str, Any] = NOTHING_TYPED,
) -> Response:
    context = _activity(container_of(request), visitor, activity_id)
    return page(
        request,
        "activity.html",
        status=page_status(refused),
        visitor=visitor,
        nav="activities",
        refused=refused,
        failed_form=form,
        values=values,
        notice=request.query_params.get("done", ""),
        **context,
    )


@router.get("/activities/{activity_id}")
async def activity_page(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    return await run_in_threadpool(_activity_page, request, visitor, activity_id)


async def _act(
    request: Request,
    visitor: Visitor,
    activity_id: UUID,
    form_name: str,
    command: Callable[[Caller, dict[str, Any]], Any],
    extra: dict[str, str] | None = None,
) -> Response:
    """Submit one of the activity page's forms; refused → the page again, errors by the form.

    ``extra`` joins the fields compared when a form key comes back (an uploaded file's digest)."""
    values = await activity_form(request) | (extra or {})
    return await submit_form(
        request,
        visitor,
        values,
        lambda caller: command(caller, values),
        lambda _: f"/activities/{activity_id}?done={form_name}",
        partial(_activity_page, request, visitor, activity_id, form=form_name, values=values),
    )


@router.post("/activities/{activity_id}/signups")
async def sign_up(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)

    def command(caller: Caller, values: dict[str, Any]) -> Any:
        body = SignUp.model_validate({"volunteer_id": values.get("volunteer_id", "").strip()})
        return api.sign_up(activity_id, body, caller, container, None)

    return await _act(request, visitor, activity_id, "signup", command)


@router.post("/activities/{activity_id}/hours")
async def record_hours(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)

    def command(caller: Caller, values: dict[str, Any]) -> Any:
        body = RecordHours.model_validate(
            {
                "volunteer_id": values.get("volunteer_id", "").strip(),
                "started_at": local_input(values.get("started_at", "")),
                "ended_at": local_input(values.get("ended_at", "")),
                "source": values.get("source") or "checkin",
            }
        )
        return hours_api.record_hours(activity_id, body, caller, container, None)

    return await _act(request, visitor, activity_id, "hours", command)


@router.get("/activities/{activity_id}/sheet.xlsx")
async def download_sheet(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """The printable Excel sign-in sheet (the API's, pre-filled with the sign-ups)."""
    container = container_of(request)
    return await run_in_threadpool(
        hours_api.sign_in_sheet, activity_id, visitor.caller(), container
    )


async def _uploaded_sheet(request: Request) -> bytes:
    """The sheet form's file, as sent (nothing when none was chosen)."""
    upload = (await request.form()).get("sheet")
    return await upload.read() if isinstance(upload, UploadFile) else b""


@router.post("/activities/{activity_id}/sheet")
async def upload_sheet(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """A sign-in sheet (the Excel sheet filled in, or a CSV), recorded whole by the API's
    bulk route or not at all."""
    container = container_of(request)
    raw = await _uploaded_sheet(request)
    limit = container.settings.max_sheet_bytes

    def command(caller: Caller, values: dict[str, Any]) -> Any:
        if not raw.strip():
            raise Refused(
                "请选择要上传的签到表（Excel 或 CSV 文件）。", {"sheet": "未选择文件或文件为空"}
            )
        if len(raw) > limit:
            raise Refused(f"签到表超过 {limit} 字节的上限，未记录。", {"sheet": "文件过大"})
        kind = XLSX_MEDIA_TYPE if raw.startswith(b"PK\x03\x04") else "text/csv"  # a zip: XLSX
        return hours_api.record_hours_bulk(activity_id, caller, container, None, (kind, raw))

    digest = {"sheet_sha256": hashlib.sha256(raw).hexdigest()}
    return await _act(request, visitor, activity_id, "sheet", command, digest)


@router.post("/activities/{activity_id}/complete")
async def complete(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)

    def command(caller: Caller, values: dict[str, Any]) -> Any:
        return api.complete_activity(activity_id, caller, container, None)

    return await _act(request, visitor, activity_id, "complete", command)


@router.post("/activities/{activity_id}/verify")
async def verify(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)

    def command(caller: Caller, values: dict[str, Any]) -> Any:
        return api.verify_activity(activity_id, caller, container, None)

    return await _act(request, visitor, activity_id, "verify", command)
