"""服务站 and 保险: stations by level (register, rename, close) and insurance purchasing
(uncovered volunteers on a date, expiring policies, gaps, a group policy's upload).

Every write goes through the API's own route function with the visitor as its caller, so
the same scope rules refuse a station clerk another township's station or the bureau's
group policy; the pages only draw the forms and the answers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import GroupPolicy, Reason, RegisterStation, RenameStation
from interfaces.http.routers import insurance as insurance_api
from interfaces.http.routers import stations as stations_api
from interfaces.web.forms import Refused, refusal, submit
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LEVELS = (
    ("banner_centre", "旗退役军人服务中心"),
    ("township", "苏木镇退役军人服务站"),
    ("village", "嘎查村退役军人服务站"),
)
LEVEL_ZH = dict(LEVELS)
READ_WAIT_SECONDS = 5.0
ROWS_SHOWN = 200
MEMBERS_MAX_BYTES = 2_000_000


async def _values(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _write(
    request: Request,
    visitor: Visitor,
    values: dict[str, Any],
    command: Callable[[Caller], Any],
    then: Callable[[Any], str],
) -> str:
    """Run the API's route once per form key and wait (bounded) until the page shows it."""
    container = container_of(request)

    def run(caller: Caller) -> str:
        result = command(caller)
        container.wait_for(result.position, READ_WAIT_SECONDS)
        return then(result)

    return await submit(request.app.state.form_keys, visitor, request.url.path, values, run)


# ------------------------------------------------------------------ 服务站


def _may_change(visitor: Visitor, level: str, township: str) -> bool:
    """Who the API lets change a station (the page only hides forms; the API decides)."""
    if visitor.role == "admin":
        return True
    return (
        visitor.role == "station_staff" and level != "banner_centre" and visitor.scope == township
    )


def _station_list(
    container: Container, visitor: Visitor, level: str | None, township: str | None
) -> dict[str, Any]:
    everything = container.read_models().stations(limit=1000)["items"]
    shown = [s for s in everything if _matches(s, level, township)]
    return {
        "by_level": [
            (code, text, sorted((s for s in shown if s["level"] == code), key=_station_order))
            for code, text in LEVELS
            if not level or code == level
        ],
        "names": {s["station_id"]: s["name"] for s in everything},
        "parents": _parents(everything, visitor),
    }


def _matches(station: dict[str, Any], level: str | None, township: str | None) -> bool:
    """Of the level and township asked for (either may be left open)."""
    return (not level or station["level"] == level) and (
        not township or station["township"] == township
    )


def _parents(stations: list[dict[str, Any]], visitor: Visitor) -> list[dict[str, Any]]:
    """Open township stations a new village station may belong to: a clerk's own only."""
    parents = [s for s in stations if s["level"] == "township" and not s["closed"]]
    if visitor.role == "station_staff":
        parents = [s for s in parents if s["township"] == visitor.scope]
    return parents


def _station_order(station: dict[str, Any]) -> tuple[bool, str, str]:
    return bool(station["closed"]), str(station["township"] or ""), str(station["name"])


def _stations_page(
    request: Request,
    visitor: Visitor,
    *,
    level: str = "",
    township: str = "",
    values: dict[str, Any] | None = None,
    refused: Refused | None = None,
) -> Response:
    context = _station_list(container_of(request), visitor, level or None, township or None)
    return page(
        request,
        "stations.html",
        status=(422 if refused.fields else 409) if refused else 200,
        visitor=visitor,
        nav="stations",
        level=level,
        township=township,
        levels=LEVELS,
        level_zh=LEVEL_ZH,
        values=values or {"township": visitor.scope or "", "level": "township"},
        refused=refused,
        may_register=visitor.role in ("admin", "station_staff"),
        **context,
    )


@router.get("/stations")
async def station_list(
    request: Request,
    visitor: SignedIn,
    level: Annotated[str, Query(pattern="^(|banner_centre|township|village)$")] = "",
    township: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """服务站: the register by level (旗中心, 苏木镇站, 嘎查村站); a station clerk sees their
    township's stations and the banner's centre."""
    if visitor.role == "station_staff":
        if township and township != visitor.scope:
            require_township_view(visitor, township, "服务站")
        township = visitor.scope or ""
    return await run_in_threadpool(
        lambda: _stations_page(request, visitor, level=level, township=township)
    )


@router.post("/stations/new")
async def register_station(request: Request, visitor: SignedIn) -> Response:
    """登记服务站 through the API's register_station (a village station names its parent)."""
    container = container_of(request)
    values = await _values(request)

    def command(caller: Caller) -> Any:
        try:
            body = RegisterStation.model_validate(
                {
                    "name": values.get("name", ""),
                    "level": values.get("level", ""),
                    "township": values.get("township", "").strip(),
                    "parent_id": values.get("parent_id") or None,
                }
            )
        except ValidationError as e:
            raise refusal(e, {"name": "服务站名称"}) from None
        return stations_api.register_station(body, caller, container)

    try:
        location = await _write(
            request, visitor, values, command, lambda r: f"/stations/{r.id}?done=registered"
        )
    except Refused as refused:
        return await run_in_threadpool(
            partial(_stations_page, request, visitor, values=values, refused=refused)
        )
    return RedirectResponse(location, status_code=303)


def _station(container: Container, visitor: Visitor, station_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    station = reads.station(str(station_id))
    if station is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {station_id} 的服务站")
    if station["level"] != "banner_centre":
        require_township_view(visitor, str(station["township"]), "服务站")
    parent = reads.station(str(station["parent_id"])) if station.get("parent_id") else None
    villages = [
        s
        for s in reads.stations(level="village", township=station["township"], limit=1000)["items"]
        if s.get("parent_id") == station["station_id"]
    ]
    return {"station": station, "parent": parent, "villages": villages}


def _station_page(
    request: Request,
    visitor: Visitor,
    station_id: UUID,
    *,
    form: str = "",
    values: dict[str, Any] | None = None,
    refused: Refused | None = None,
) -> Response:
    context = _station(container_of(request), visitor, station_id)
    station = context["station"]
    return page(
        request,
        "station.html",
        status=(422 if refused.fields else 409) if refused else 200,
        visitor=visitor,
        nav="stations",
        level_zh=LEVEL_ZH,
        may_change=_may_change(visitor, station["level"], station["township"]),
        form=form,
        values=values or {"name": station["name"]},
        refused=refused,
        done=request.query_params.get("done", ""),
        **context,
    )


@router.get("/stations/{station_id}")
async def station_page(request: Request, visitor: SignedIn, station_id: UUID) -> Response:
    """一个服务站: its level, township, parent, village stations; rename and close."""
    return await run_in_threadpool(lambda: _station_page(request, visitor, station_id))


@router.post("/stations/{station_id}/rename")
async def rename_station(request: Request, visitor: SignedIn, station_id: UUID) -> Response:
    container = container_of(request)
    values = await _values(request)

    def command(caller: Caller) -> Any:
        try:
            body = RenameStation.model_validate({"name": values.get("name", "")})
        except ValidationError as e:
            raise refusal(e, {"name": "新名称"}) from None
        return stations_api.rename_station(station_id, body, caller, container, None)

    try:
        location = await _write(
            request, visitor, values, command, lambda _: f"/stations/{station_id}?done=renamed"
        )
    except Refused as refused:
        return await run_in_threadpool(
            partial(
                _station_page,
                request,
                visitor,
                station_id,
                form="rename",
                values=values,
                refused=refused,
            )
        )
    return RedirectResponse(location, status_code=303)


@router.post("/stations/{station_id}/close")
async def close_station(request: Request, visitor: SignedIn, station_id: UUID) -> Response:
    container = container_of(request)
    values = await _values(request)

    def command(caller: Caller) -> Any:
        body = Reason.model_validate({"reason": values.get("reason", "")})
        return stations_api.close_station(station_id, body, caller, container, None)

    try:
        location = await _write(
            request, visitor, values, command, lambda _: f"/stations/{station_id}?done=closed"
        )
    except Refused as refused:
        return await run_in_threadpool(
            partial(
                _station_page,
                request,
                visitor,
                station_id,
                form="close",
                values=values,
                refused=refused,
            )
        )
    return RedirectResponse(location, status_code=303)


# ------------------------------------------------------------------ 保险


def _today(container: Container) -> date:
    """Today in the rulebook's time zone, as the API's expiring list counts it."""
    return (container.ledger.clock() + container.rulebook.latest.utc_offset).date()


def _insurance(
    container: Container, visitor: Visitor, on: date, within_days: int, year: int
) -> dict[str, Any]:
    reads = container.read_models()
    township = visitor.scope if visitor.role == "station_staff" else None
    uncovered = reads.uncovered(on, township)
    today = _today(container)
    expiring = reads.expiring(today, within_days)
    gaps = reads.insurance_gaps(year=year)
    if township is not None:
        expiring = [p for p in expiring if p.get("township") == township]
        gaps = [g for g in gaps if g.get("township") == township]
    return {
        "uncovered": uncovered[:ROWS_SHOWN],
        "uncovered_count": len(uncovered),
        "expiring": expiring[:ROWS_SHOWN],
        "expiring_count": len(expiring),
        "gaps": gaps[:ROWS_SHOWN],
        "gap_count": len(gaps),
        "today": today,
        "rows_shown": ROWS_SHOWN,
    }


def _insurance_page(
    request: Request,
    visitor: Visitor,
    *,
    on: date | None = None,
    within_days: int = 30,
    year: int | None = None,
    values: dict[str, Any] | None = None,
    refused: Refused | None = None,
) -> Response:
    container = container_of(request)
    today = _today(container)
    on = on or today
    year = year or on.year
    context = _insurance(container, visitor, on, within_days, year)
    return page(
        request,
        "insurance.html",
        status=(422 if refused.fields or refused.rows else 409) if refused else 200,
        visitor=visitor,
        nav="insurance",
        on=on,
        within_days=within_days,
        year=year,
        values=values
        or {
            "covers_from": today.isoformat(),
            "covers_to": (today + timedelta(days=364)).isoformat(),
        },
        refused=refused,
        done=request.query_params.get("done", ""),
        **context,
    )


@router.get("/insurance")
async def insurance(
    request: Request,
    visitor: SignedIn,
    on: date | None = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 30,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """保险: who to insure on a date, policies ending soon, participations without cover."""
    return await run_in_threadpool(
        lambda: _insurance_page(request, visitor, on=on, within_days=within_days, year=year)
    )


def members_of(text: str) -> list[str]:
    """Volunteer ids or national ids, one per line (a CSV's first column; a heading row of
    words is skipped)."""
    members: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        cell = row[0].strip() if row else ""
        if not cell or cell.startswith("#"):
            continue
        if not members and not any(ch.isdigit() for ch in cell):
            continue  # a heading such as 身份证号 or volunteer_id
        members.append(cell)
    return members


@router.post("/insurance/group-policies")
async def group_policy(request: Request, visitor: SignedIn) -> Response:
    """录入团体保单: the policy and its members (typed, or a CSV/text file of ids), recorded
    whole by the API's route or not at all, every bad member named by its line."""
    container = container_of(request)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("members_file")
    raw = await upload.read(MEMBERS_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    typed = values.get("members", "")
    text = typed
    if raw:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
    members = members_of(text)
    values["members_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()

    def command(caller: Caller) -> Any:
        if raw and len(raw) > MEMBERS_MAX_BYTES:
            raise Refused(
                f"名单文件超过 {MEMBERS_MAX_BYTES} 字节的上限，未记录。", {"members": "文件过大"}
            )
        if raw and not text:
            raise Refused("名单文件须为 UTF-8 编码的 CSV 或文本文件。", {"members": "编码不正确"})
        if not members:
            raise Refused(
                "请填写或上传参保人员名单（每行一个身份证号或志愿者编号）。",
                {"members": "名单为空"},
            )
        body = GroupPolicy.model_validate(
            {
                "policy_number": values.get("policy_number", ""),
                "insurer": values.get("insurer", ""),
                "covers_from": values.get("covers_from", ""),
                "covers_to": values.get("covers_to", ""),
                "sum_insured": values.get("sum_insured", ""),
                "members": members,
            }
        )
        try:
            return insurance_api.record_group_policy(
                body, caller, container, container.read_models()
            )
        except Problem as e:
            bad = e.extra.get("errors") or []
            if e.status != 422 or not bad:
                raise
            rows = [
                {
                    "line": _line(str(b.get("field", ""))),
                    "field": members[_line(str(b.get("field", ""))) - 1]
                    if 0 < _line(str(b.get("field", ""))) <= len(members)
                    else "",
                    "message": _member_message(str(b.get("message", ""))),
                }
                for b in bad
            ]
            raise Refused(
                f"名单中有 {len(rows)} 人无法识别，整张保单未记录。请更正后重新提交。",
                {"members": f"{len(rows)} 人无法识别"},
                rows=rows,
            ) from None

    try:
        location = await _write(
            request,
            visitor,
            values,
            command,
            lambda _: f"/insurance?done=policy&on={values.get('covers_from', '')}",
        )
    except Refused as refused:
        values["members"] = typed if typed or not raw else text
        return await run_in_threadpool(
            partial(_insurance_page, request, visitor, values=values, refused=refused)
        )
    return RedirectResponse(location, status_code=303)


def _line(field: str) -> int:
    """``members[3]`` is the fourth member: line 4 of the list."""
    inside = field.partition("[")[2].partition("]")[0]
    return int(inside) + 1 if inside.isdigit() else 0


def _member_message(message: str) -> str:
    repeated = re.search(r"is listed at (\d+) too", message)
    if repeated:
        return f"与第 {int(repeated.group(1)) + 1} 行是同一人，重复列出。"
    if "no volunteer holds" in message:
        return "没有持此身份证号的志愿者。"
    if "neither a volunteer id nor a national id" in message:
        return "既不是志愿者编号，也不是有效的身份证号。"
    if "not found" in message or "unknown" in message:
        return "没有此编号的志愿者。"
    return f"无法为此人录入该保单（{message}）。"
