"""需求与项目: the needs waiting at the stations and for how long, the project library
(service menu), raising a need, and closing one with the verified activity that met it or
declining it with a reason. Every write goes through the API's own route functions (same
scope checks, same rules); contacts are masked as the API masks them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.readmodel.tables import ACTIVITY
from domain.need import DIFFICULTIES
from domain.values import BeneficiaryType
from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.need_schemas import CloseNeed, RaiseNeed
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import Reason
from interfaces.http.routers import needs as api
from interfaces.web.forms import NOTHING_TYPED, Refused, form_values, page_status, submit_form
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, as_filters, container_of, still_open
from interfaces.web.session import SignedIn, Visitor, new_record_values

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STATUSES = {"open": "待办", "met": "已满足", "declined": "不予受理"}
PROJECT_STATUSES = {"draft": "草拟", "active": "服务清单", "closed": "已结束"}


def _stations(container: Container, township: str | None) -> dict[str, dict[str, Any]]:
    rows = container.read_models().stations(township=township, limit=1000)["items"]
    return {r["station_id"]: r for r in rows}


def _lists(container: Container, visitor: Visitor, status: str, township: str) -> dict[str, Any]:
    reads = container.read_models()
    filters = as_filters(status=status, township=township)
    needs = api.list_needs(
        visitor.caller(),
        reads,
        container,
        **filters,
        category=None,
        station_id=None,
        limit=200,
        cursor=None,
    )
    projects = reads.projects(township=filters["township"], limit=200)["items"]
    return {
        "needs": needs["items"],
        "projects": projects,
        "stations": _stations(container, None),
    }


@router.get("/needs")
async def needs_page(
    request: Request,
    visitor: SignedIn,
    status: Annotated[str, Query(max_length=20)] = "open",
    township: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """需求清单 (oldest first, with days waited) and the project library; a station clerk's
    are their township's, as the API lists them (another township's: a 403 page)."""
    township = visitor.township_listed(township)
    if status not in {"", *STATUSES}:
        raise Problem(422, "validation", "请求有误", f"没有“{status}”这种需求状态")
    context = await run_in_threadpool(_lists, container_of(request), visitor, status, township)
    return page(
        request,
        "needs/list.html",
        visitor=visitor,
        nav="needs",
        chosen=status,
        township=township,
        statuses=STATUSES,
        project_statuses=PROJECT_STATUSES,
        difficulties=DIFFICULTIES,
        **context,
    )


def _raise_page(
    request: Request, visitor: Visitor, values: dict[str, Any], refused: Refused | None = None
) -> Response:
    container = container_of(request)
    stations = still_open(list(_stations(container, visitor.own_township).values()), "closed")
    return page(
        request,
        "needs/new.html",
        status=page_status(refused),
        visitor=visitor,
        nav="needs",
        values=values,
        refused=refused,
        stations=sorted(stations, key=lambda s: (s["township"], s["level"], s["name"])),
        beneficiaries=[b.value for b in BeneficiaryType],
        categories=DIFFICULTIES,
        services=sorted(container.rulebook.latest.categories),
    )


@router.get("/needs/new")
async def raise_form(request: Request, visitor: SignedIn) -> Response:
    return _raise_page(request, visitor, new_record_values(visitor))


@router.post("/needs/new")
async def raise_need(request: Request, visitor: SignedIn) -> Response:
    """登记需求 through the API's raise_need."""
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = RaiseNeed.model_validate(
            {
                "township": values.get("township", ""),
                "station_id": values.get("station_id", ""),
                "beneficiary_type": values.get("beneficiary_type", ""),
                "category": values.get("category", ""),
                "description": values.get("description", ""),
                "raised_by": {
                    "name": values.get("raised_by_name", ""),
                    "contact": values.get("raised_by_contact", "").strip(),
                },
            }
        )
        return api.raise_need(body, caller, container)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda result: f"/needs/{result.id}",
        partial(_raise_refused, request, visitor, values),
    )


def _raise_refused(
    request: Request, visitor: Visitor, values: dict[str, Any], refused: Refused
) -> Response:
    """The form again, each error by its field (``raised_by.name`` is ``name``; an error of
    the whole ``raised_by`` is the contact's)."""
    fields = {k.removeprefix("raised_by."): v for k, v in refused.fields.items()}
    if "raised_by" in fields:
        fields["raised_by_contact"] = fields.pop("raised_by")
    return _raise_page(request, visitor, values, Refused(refused.message, fields))


def _need(container: Container, visitor: Visitor, need_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    row = reads.need(str(need_id), api.today(container))
    if row is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {need_id} 的需求")
    verified = sorted(
        reads.store.select(ACTIVITY, {"township": row["township"], "status": "verified"}),
        key=lambda a: (a["start_date"], a["activity_id"]),
        reverse=True,
    )[:300]
    project = reads.project(row["project_id"]) if row["project_id"] else None
    met_by = reads.activity(row["activity_id"]) if row["activity_id"] else None
    return {
        "met_by": met_by,
        "need": api.shown(row, visitor.caller()),
        "station": reads.station(row["station_id"]),
        "verified": verified,
        "project": project,
    }


def _need_page(
    request: Request,
    visitor: Visitor,
    need_id: UUID,
    context: dict[str, Any],
    values: Mapping[str, Any] = NOTHING_TYPED,
    refused: Refused | None = None,
    form: str = "",
) -> Response:
    return page(
        request,
        "needs/need.html",
        status=page_status(refused),
        visitor=visitor,
        nav="needs",
        values=values,
        refused=refused,
        form=form,
        statuses=STATUSES,
        difficulties=DIFFICULTIES,
        **context,
    )


@router.get("/needs/{need_id}")
async def need_page(request: Request, visitor: SignedIn, need_id: UUID) -> Response:
    """One need: who raised it, how long it waited, and closing or declining it."""
    context = await run_in_threadpool(_need, container_of(request), visitor, need_id)
    return _need_page(request, visitor, need_id, context)


def _need_refused(
    request: Request,
    visitor: Visitor,
    need_id: UUID,
    form: str,
    values: dict[str, Any],
    refused: Refused,
) -> Response:
    context = _need(container_of(request), visitor, need_id)
    return _need_page(request, visitor, need_id, context, values, refused, form)


@router.post("/needs/{need_id}/close")
async def close_need(request: Request, visitor: SignedIn, need_id: UUID) -> Response:
    """办结: the verified activity that met the need, and what came of it."""
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = CloseNeed.model_validate(
            {"activity_id": values.get("activity_id", ""), "outcome": values.get("outcome", "")}
        )
        return api.close_need(need_id, body, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/needs/{need_id}",
        partial(_need_refused, request, visitor, need_id, "close", values),
    )


@router.post("/needs/{need_id}/decline")
async def decline_need(request: Request, visitor: SignedIn, need_id: UUID) -> Response:
    """不予受理, with the reason."""
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = Reason.model_validate({"reason": values.get("reason", "")})
        return api.decline_need(need_id, body, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/needs/{need_id}",
        partial(_need_refused, request, visitor, need_id, "decline", values),
    )
