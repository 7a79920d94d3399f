"""审计 and 年度复核: award explanations, the trail, chain verification, time travel, the review.

Each page calls the API's route function for the same answer (with the signed-in
auditor or admin as the caller), so the page shows exactly what the API returns.
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from infrastructure.bootstrap import Container
from interfaces.http.deps import replayed
from interfaces.http.problems import Problem
from interfaces.http.routers import audit as api
from interfaces.http.routers import chain
from interfaces.web.render import end_of_day, known_at, page
from interfaces.web.routing import PageRoute, as_filters, container_of
from interfaces.web.session import SignedIn, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/audit")
async def trail(
    request: Request,
    visitor: SignedIn,
    aggregate_id: Annotated[str, Query(max_length=80)] = "",
    actor: Annotated[str, Query(max_length=80)] = "",
    type: Annotated[str, Query(max_length=80)] = "",
    cursor: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    """审计轨迹: the API's trail, filtered by record (volunteer, activity, team), actor, type."""
    container = container_of(request)
    filters = {"aggregate_id": aggregate_id, "actor": actor, "type": type}
    listed = await run_in_threadpool(
        partial(
            api.audit_events,
            visitor.caller(),
            container.read_models(),
            **as_filters(**filters, cursor=cursor),
            from_=None,
            to=None,
            after_position=None,
            limit=50,
        )
    )
    return page(
        request,
        "audit.html",
        visitor=visitor,
        nav="audit",
        items=listed.items,
        next_cursor=listed.next_cursor,
        filters=filters,
    )


@router.get("/audit/awards/{entry_id}")
async def award(request: Request, visitor: SignedIn, entry_id: UUID) -> Response:
    """积分溯源: the API's explanation of one award, drawn as a page."""
    explained = await run_in_threadpool(
        api.explain_award_of, entry_id, visitor.caller(), container_of(request)
    )
    return page(
        request,
        "award.html",
        visitor=visitor,
        nav="audit",
        x=explained,
        as_json=explained.model_dump_json(),
    )


@router.get("/audit/verify")
async def verify_chain(request: Request, visitor: SignedIn) -> Response:
    """链校验: the hash chain recomputed and every seal checked, now."""
    report = await run_in_threadpool(
        chain.verify, visitor.caller(), container_of(request), from_last_seal=False
    )
    return page(request, "verify.html", visitor=visitor, nav="audit", report=report)


def _ledger_as_of(container: Container, visitor: Visitor, volunteer_id: UUID, day: date) -> Any:
    visitor.caller().require_auditor("时光回溯查询")
    reads = replayed(container, None, end_of_day(day))
    return reads.ledger(str(volunteer_id)), reads.volunteer(str(volunteer_id))


@router.get("/audit/as-of")
async def as_of(
    request: Request,
    visitor: SignedIn,
    volunteer_id: UUID | None = None,
    known_on: date | None = None,
) -> Response:
    """时光回溯: a volunteer's ledger as it was known at the end of a day (replayed)."""
    found = await _known_on(request, visitor, volunteer_id, known_on)
    ledger, volunteer = found or (None, None)
    return page(
        request,
        "as_of.html",
        visitor=visitor,
        nav="audit",
        volunteer_id=volunteer_id or "",
        known_on=known_on or "",
        ledger=ledger,
        volunteer=volunteer,
        asked=found is not None,
    )


async def _known_on(
    request: Request, visitor: Visitor, volunteer_id: UUID | None, known_on: date | None
) -> tuple[Any, Any] | None:
    """The volunteer's ledger and directory row as known at the end of the day; None until
    both are asked for."""
    if volunteer_id is None or known_on is None:
        return None
    return await run_in_threadpool(
        _ledger_as_of, container_of(request), visitor, volunteer_id, known_on
    )


@router.get("/reviews")
async def review(
    request: Request,
    visitor: SignedIn,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    known_on: date | None = None,
) -> Response:
    """年度复核: the API's annual review for a year and a cut, readable."""
    data: dict[str, Any] | None = None
    if year is not None:
        answered = await run_in_threadpool(
            api.annual_review_of, visitor.caller(), container_of(request), year, known_at(known_on)
        )
        data = json.loads(bytes(answered.body))
    elif visitor.role not in {"auditor", "admin"}:
        raise Problem(403, "forbidden", "无权访问", "只有审计员或管理员可以查看年度复核")
    return page(
        request,
        "review.html",
        visitor=visitor,
        nav="review",
        year=year or "",
        known_on=known_on or "",
        review=data,
    )
