"""活动: list, plan, sign up, record hours (one by one or a CSV sheet), complete, verify.

Every write calls the API's own route function with the signed-in person as the caller,
so scopes, validation, rules and the recorded events are the API's; the page only turns
form fields into its request body and its errors into Chinese beside the fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from infrastructure.bootstrap import Container
from infrastructure.idempotency import IdempotencyStore
from interfaces.http.activity_schemas import PlanActivity, RecordHours, SignUp
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.routers import activities as api
from interfaces.http.routers import hours as hours_api
from interfaces.http.schemas import WriteResult
from interfaces.http.signin_sheet import XLSX_MEDIA_TYPE
from interfaces.web.forms import Refused, submit
from interfaces.web.render import local_input, page
from interfaces.web.routing import PageRoute, container_of, volunteer_names
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)

READ_WAIT_SECONDS = 5.0
MAX_SHEET_ROWS_SHOWN = 200


def _keys(request: Request) -> IdempotencyStore:
    found: IdempotencyStore = request.app.state.form_keys
    return found


def _choices(container: Container) -> dict[str, Any]:
    reads = container.read_models()
    rules = container.rulebook.latest
    return {
        "categories": sorted(
            ((code, rule.label_zh) for code, rule in rules.categories.items()),
            key=lambda c: c[0],
        ),
        "teams": [t for t in reads.teams(limit=1000)["items"] if not t["dissolved"]],
        "stations": [s for s in reads.stations(limit=1000)["items"] if not s["closed"]],
    }


def _written(container: Container, result: WriteResult | Any, then: str) -> str:
    """Read-your-writes: the next page shows the write (waits, bounded, for the read models)."""
    container.wait_for(result.position, READ_WAIT_SECONDS)
    return then


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)} | {
        "beneficiary_types": [v for v in form.getlist("beneficiary_types") if isinstance(v, str)]
    }


# ------------------------------------------------------------------ list and plan


@router.get("/activities")
async def activity_list(
    request: Request,
    visitor: SignedIn,
    status: Annotated[str | None, Query(max_length=20)] = None,
    township: Annotated[str | None, Query(max_length=60)] = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
    cursor: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """活动列表, filtered as the API's list is; a station clerk's is their township's."""
    container = container_of(request)
    if visitor.role == "station_staff":
        township = visitor.scope
    listed = await run_in_threadpool(
        container.read_models().activities,
        status=status or None,
        township=township or None,
        category=category or None,
        limit=50,
        cursor=cursor or None,
    )
    return page(
        request,
        "activities.html",
        visitor=visitor,
        nav="activities",
        items=listed["items"],
        next_cursor=listed["next_cursor"],
        filters={"status": status or "", "township": township or "", "category": category or ""},
        **_choices(container),
    )


def _plan_page(
    request: Request, visitor: Visitor, values: dict[str, Any], refused: Refused | None = None
) -> Response:
    return page(
        request,
        "activity_plan.html",
        status=422 if refused else 200,
        visitor=visitor,
        nav="activities",
        values=values,
        refused=refused,
        **_choices(container_of(request)),
    )


@router.get("/activities/new")
async def plan_form(request: Request, visitor: SignedIn) -> Response:
    values = {"township": visitor.scope or ""} if visitor.role == "station_staff" else {}
    return _plan_page(request, visitor, values)


@router.post("/activities/new")
async def plan(request: Request, visitor: SignedIn) -> Response:
    """计划活动 through the API's plan_activity."""
    container = container_of(request)
    values = await _form(request)

    def command(caller: Caller) -> str:
        body = PlanActivity.model_validate(
            {
                **{k: values.get(k, "") for k in ("title", "category", "team_id", "township")},
                "station_id": values.get("station_id") or None,
                "location": values.get("location", ""),
                "starts_at": local_input(values.get("starts_at", "")),
                "ends_at": local_input(values.get("ends_at", "")),
                "beneficiary_types": values["beneficiary_types"],
                "capacity": values.get("capacity") or None,
            }
        )
        result = api.plan_activity(body, caller, container)
        return _written(container, result, f"/activities/{result.id}")

    try:
        location = await submit(_keys(request), visitor, request.url.path, values, command)
    except Refused as refused:
        return _plan_page(request, visitor, values, refused)
    return RedirectResponse(location, status_code=303)


# ------------------------------------------------------------------ one activity


def _activity(container: Container, visitor: Visitor, activity_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    row = reads.activity(str(activity_id))
    if row is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {activity_id} 的活动")
    require_township_view(visitor, str(row["township"]), "活动")
    ids = [p["volunteer_id"] for p in row["participants"]]
    return {"activity": row, "names": volunteer_names(reads, ids)}


def _activity_page(
    request: Request,
    visitor: Visitor,
    activity_id: UUID,
    *,
    refused: Refused | None = None,
    form: str = "",
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    context = _activity(container_of(request), visitor, activity_id)
    return page(
        request,
        "activity.html",
        status=status,
        visitor=visitor,
        nav="activities",
        refused=refused,
        failed_form=form,
        values=values or {},
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
    done: str,
    extra: dict[str, str] | None = None,
) -> Response:
    """Submit one of the activity page's forms; refused → the page again, errors by the form.

    ``extra`` joins the fields compared when a form key comes back (an uploaded file's digest)."""
    container = container_of(request)
    values = await _form(request) | (extra or {})

    def run(caller: Caller) -> str:
        result = command(caller, values)
        return _written(container, result, f"/activities/{activity_id}?done={done}")

    try:
        location = await submit(_keys(request), visitor, request.url.path, values, run)
    except Refused as refused:
        shown = partial(
            _activity_page,
            request,
            visitor,
            activity_id,
            refused=refused,
            form=form_name,
            values=values,
            status=422 if refused.fields or refused.rows else 409,
        )
        return await run_in_threadpool(shown)
    return RedirectResponse(location, status_code=303)


@router.post("/activities/{activity_id}/signups")
async def sign_up(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)
    return await _act(
        request,
        visitor,
        activity_id,
        "signup",
        lambda caller, v: api.sign_up(
            activity_id,
            SignUp.model_validate({"volunteer_id": v.get("volunteer_id", "").strip()}),
            caller,
            container,
            None,
        ),
        "signup",
    )


@router.post("/activities/{activity_id}/hours")
async def record_hours(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)
    return await _act(
        request,
        visitor,
        activity_id,
        "hours",
        lambda caller, v: hours_api.record_hours(
            activity_id,
            RecordHours.model_validate(
                {
                    "volunteer_id": v.get("volunteer_id", "").strip(),
                    "started_at": local_input(v.get("started_at", "")),
                    "ended_at": local_input(v.get("ended_at", "")),
                    "source": v.get("source") or "checkin",
                }
            ),
            caller,
            container,
            None,
        ),
        "hours",
    )


@router.get("/activities/{activity_id}/sheet.xlsx")
async def download_sheet(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """The printable Excel sign-in sheet (the API's, pre-filled with the sign-ups)."""
    container = container_of(request)
    return await run_in_threadpool(
        hours_api.sign_in_sheet, activity_id, visitor.caller(), container
    )


@router.post("/activities/{activity_id}/sheet")
async def upload_sheet(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """A sign-in sheet (the Excel sheet filled in, or a CSV), recorded whole by the API's
    bulk route or not at all."""
    container = container_of(request)
    form = await request.form()
    upload = form.get("sheet")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    limit = container.settings.max_sheet_bytes

    def command(caller: Caller, _: dict[str, Any]) -> Any:
        if not raw.strip():
            raise Refused(
                "请选择要上传的签到表（Excel 或 CSV 文件）。", {"sheet": "未选择文件或文件为空"}
            )
        if len(raw) > limit:
            raise Refused(f"签到表超过 {limit} 字节的上限，未记录。", {"sheet": "文件过大"})
        kind = XLSX_MEDIA_TYPE if raw.startswith(b"PK\x03\x04") else "text/csv"  # a zip: XLSX
        return hours_api.record_hours_bulk(activity_id, caller, container, None, (kind, raw))

    digest = {"sheet_sha256": hashlib.sha256(raw).hexdigest()}
    return await _act(request, visitor, activity_id, "sheet", command, "sheet", digest)


@router.post("/activities/{activity_id}/complete")
async def complete(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)
    return await _act(
        request,
        visitor,
        activity_id,
        "complete",
        lambda caller, _: api.complete_activity(activity_id, caller, container, None),
        "complete",
    )


@router.post("/activities/{activity_id}/verify")
async def verify(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    container = container_of(request)
    return await _act(
        request,
        visitor,
        activity_id,
        "verify",
        lambda caller, _: api.verify_activity(activity_id, caller, container, None),
        "verify",
    )
