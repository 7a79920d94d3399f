"""服务站: stations by level (register, rename, close).

Every write goes through the API's own route function with the visitor as its caller, so
the same scope rules refuse a station clerk another township's station; the pages only
draw the forms and the answers.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.readmodel.queries.readmodels import ReadModels
from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import Reason, RegisterStation, RenameStation
from interfaces.http.routers import stations as stations_api
from interfaces.web.forms import Refused, form_values, page_status, refusal, submit_form
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


def _may_change(visitor: Visitor, level: str, township: str) -> bool:
    """Who the API lets change a station (the page only hides forms; the API decides): the
    banner's centre, an admin only."""
    return visitor.may_change(township) and (level != "banner_centre" or visitor.role == "admin")


def _station_list(
    container: Container, visitor: Visitor, level: str, township: str
) -> dict[str, Any]:
    everything = container.read_models().stations(limit=1000)["items"]
    shown = [s for s in everything if _matches(s, level, township)]
    return {
        "by_level": _by_level(shown, level),
        "names": {s["station_id"]: s["name"] for s in everything},
        "parents": _parents(everything, visitor),
    }


def _matches(station: dict[str, Any], level: str, township: str) -> bool:
    """Of the level and township asked for."""
    return _asked(station["level"], level) and _asked(station["township"], township)


def _asked(value: str, wanted: str) -> bool:
    """Whether ``value`` is the one asked for; a filter left open ("") takes any."""
    return not wanted or value == wanted


def _by_level(
    stations: list[dict[str, Any]], level: str
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Each level's heading with its stations in order (only the level asked for, if one is)."""
    return [
        (code, text, sorted((s for s in stations if s["level"] == code), key=_station_order))
        for code, text in LEVELS
        if _asked(code, level)
    ]


def _parents(stations: list[dict[str, Any]], visitor: Visitor) -> list[dict[str, Any]]:
    """Open township stations a new village station may belong to: a clerk's own only."""
    clerk_of = visitor.own_township
    return [
        s
        for s in stations
        if s["level"] == "township" and not s["closed"] and clerk_of in (None, s["township"])
    ]


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
    context = _station_list(container_of(request), visitor, level, township)
    return page(
        request,
        "stations.html",
        status=page_status(refused),
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
    if township:  # another township's: a clerk is refused
        require_township_view(visitor, township, "服务站")
    township = visitor.own_township or township
    return await run_in_threadpool(
        lambda: _stations_page(request, visitor, level=level, township=township)
    )


@router.post("/stations/new")
async def register_station(request: Request, visitor: SignedIn) -> Response:
    """登记服务站 through the API's register_station (a village station names its parent)."""
    container = container_of(request)
    values = await form_values(request)

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

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda r: f"/stations/{r.id}?done=registered",
        partial(_stations_page, request, visitor, values=values),
    )


def _station(container: Container, visitor: Visitor, station_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    station = reads.station(str(station_id))
    if station is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {station_id} 的服务站")
    if station["level"] != "banner_centre":
        require_township_view(visitor, str(station["township"]), "服务站")
    parent = reads.station(str(station["parent_id"])) if station.get("parent_id") else None
    return {"station": station, "parent": parent, "villages": _villages(reads, station)}


def _villages(reads: ReadModels, station: dict[str, Any]) -> list[dict[str, Any]]:
    """The village stations that name ``station`` as their parent."""
    return [
        s
        for s in reads.stations(level="village", township=station["township"], limit=1000)["items"]
        if s.get("parent_id") == station["station_id"]
    ]


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
        status=page_status(refused),
        visitor=visitor,
        nav="stations",
        level_zh=LEVEL_ZH,
        may_change=_may_change(visitor, station["level"], str(station["township"])),
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
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        try:
            body = RenameStation.model_validate({"name": values.get("name", "")})
        except ValidationError as e:
            raise refusal(e, {"name": "新名称"}) from None
        return stations_api.rename_station(station_id, body, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/stations/{station_id}?done=renamed",
        partial(_station_page, request, visitor, station_id, form="rename", values=values),
    )


@router.post("/stations/{station_id}/close")
async def close_station(request: Request, visitor: SignedIn, station_id: UUID) -> Response:
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = Reason.model_validate({"reason": values.get("reason", "")})
        return stations_api.close_station(station_id, body, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/stations/{station_id}?done=closed",
        partial(_station_page, request, visitor, station_id, form="close", values=values),
    )
