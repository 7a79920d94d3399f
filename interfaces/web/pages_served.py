"""服务对象与媒体报道 of one activity: how many people of each type it served, the media
that reported it, and the two forms that record them.

The writes call the API's own route functions with the signed-in person as the caller
(scopes, validation and rules are the API's); refusals are shown in Chinese by the form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.readmodel.queries.served import BENEFICIARY_TYPE_ZH, MEDIA_LEVEL_ZH
from application.readmodel.tables import ACTIVITY, MEDIA
from infrastructure.bootstrap import Container
from interfaces.http.activity_schemas import RecordBeneficiaries, RecordMedia
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.routers import outcomes as api
from interfaces.web.forms import NOTHING_TYPED, Refused, form_values, page_status, submit_form
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _served(
    container: Container,
    visitor: Visitor,
    activity_id: UUID,
    *,
    failed_form: str = "",
    refused: Refused | None = None,
    values: Mapping[str, Any] = NOTHING_TYPED,
) -> dict[str, Any]:
    reads = container.read_models()
    activity = reads.store.get(ACTIVITY, (str(activity_id),))
    if activity is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {activity_id} 的活动")
    require_township_view(visitor, str(activity["township"]), "活动")
    return {
        "activity": activity,
        **_counts(activity),
        "media": reads.store.select(MEDIA, {"activity_id": str(activity_id)}, order_by=("seq",)),
        "types": list(BENEFICIARY_TYPE_ZH.items()),
        "levels": list(MEDIA_LEVEL_ZH.items()),
        "level_zh": MEDIA_LEVEL_ZH,
        "failed_form": failed_form,
        "refused": refused,
        "values": values,
        "may_write": visitor.role != "auditor"
        and activity["status"] in ("planned", "published", "completed", "verified"),
    }


def _counts(activity: dict[str, Any]) -> dict[str, Any]:
    """How many people of each type the activity served (by type's Chinese name), and all."""
    counts = json.loads(activity.get("beneficiaries") or "{}")
    return {
        "counts": [(BENEFICIARY_TYPE_ZH.get(k, k), counts[k]) for k in sorted(counts, key=str)],
        "total": sum(int(n) for n in counts.values()),
    }


@router.get("/activities/{activity_id}/served")
async def served_page(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    context = await run_in_threadpool(_served, container_of(request), visitor, activity_id)
    return page(request, "served.html", visitor=visitor, nav="activities", **context)


async def _post(
    request: Request, visitor: Visitor, activity_id: UUID, form_name: str, build: Any
) -> Response:
    container = container_of(request)
    values = await form_values(request)
    return await submit_form(
        request,
        visitor,
        values,
        lambda caller: build(caller, values, container),
        lambda _: f"/activities/{activity_id}/served?done={form_name}",
        partial(_refused_page, request, visitor, activity_id, form_name, values),
    )


def _refused_page(
    request: Request,
    visitor: Visitor,
    activity_id: UUID,
    form_name: str,
    values: dict[str, Any],
    refused: Refused,
) -> Response:
    context = _served(
        container_of(request),
        visitor,
        activity_id,
        failed_form=form_name,
        refused=refused,
        values=values,
    )
    return page(
        request,
        "served.html",
        status=page_status(refused),
        visitor=visitor,
        nav="activities",
        **context,
    )


@router.post("/activities/{activity_id}/served/beneficiaries")
async def record_beneficiaries(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """服务对象人数: a count per type (empty fields left out)."""

    def build(caller: Caller, values: dict[str, Any], container: Container) -> Any:
        counts: dict[str, Any] = {}
        for kind in BENEFICIARY_TYPE_ZH:
            text = values.get(f"n_{kind}", "").strip()
            if text:
                counts[kind] = text
        if not counts:
            raise Refused("请至少填写一类服务对象的人数。", {"counts": "未填写人数"})
        body = RecordBeneficiaries.model_validate({"counts": counts})
        return api.record_beneficiaries(activity_id, body, caller, container, None)

    return await _post(request, visitor, activity_id, "beneficiaries", build)


@router.post("/activities/{activity_id}/served/media")
async def record_media(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """媒体报道: outlet, level, link and date."""

    def build(caller: Caller, values: dict[str, Any], container: Container) -> Any:
        body = RecordMedia.model_validate(
            {
                "outlet": values.get("outlet", ""),
                "level": values.get("level", ""),
                "url": values.get("url", "").strip(),
                "published_on": values.get("published_on", "").strip(),
            }
        )
        return api.record_media(activity_id, body, caller, container, None)

    return await _post(request, visitor, activity_id, "media", build)
