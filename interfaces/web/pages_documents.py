"""Documents from the console: the supervision bulletin, the annual report and a volunteer's
service record certificate, downloaded with the session instead of a bearer token.

The browser sends the session cookie, not an ``Authorization`` header, so the pages cannot
link to ``/api/v1`` directly. Each route here calls the API's own route function with the
signed-in person as its caller: the same scopes decide (an auditor or admin for the annual
report; the office or the volunteer's township for a certificate), the same bytes come back,
and a refusal is a page in Chinese.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from interfaces.http.routers import audit as audit_api
from interfaces.http.routers import certificates as certificates_api
from interfaces.http.routers import documents as documents_api
from interfaces.http.routers.reports import PERIOD_PATTERN
from interfaces.web.render import known_at
from interfaces.web.routing import PageRoute, container_of
from interfaces.web.session import SignedIn

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Format = Literal["pdf", "xlsx"]


@router.get("/rankings/bulletins/{period}")
async def bulletin(
    request: Request,
    visitor: SignedIn,
    period: Annotated[str, Path(pattern=PERIOD_PATTERN)],
    level: Literal["township", "village"] = "township",
    format: Format = "pdf",
) -> Response:
    """督导通报 of a period as PDF or Excel (the API's GET /bulletins/{period})."""
    return await run_in_threadpool(
        documents_api.supervision_bulletin,
        visitor.caller(),
        container_of(request),
        period,
        level,
        format,
        None,
    )


@router.get("/reviews/{year}/report")
async def annual_report(
    request: Request,
    visitor: SignedIn,
    year: Annotated[int, Path(ge=2000, le=2100)],
    format: Format = "pdf",
    known_on: Annotated[date | None, Query()] = None,
) -> Response:
    """年度报告 as PDF or Excel, as known at the end of ``known_on`` when given (the API's
    GET /reviews/{year}); auditors and admins only, as the API."""
    return await run_in_threadpool(
        audit_api.annual_review_of,
        visitor.caller(),
        container_of(request),
        year,
        known_at(known_on),
        format,
    )


@router.get("/volunteers/{volunteer_id}/certificate")
async def certificate(
    request: Request,
    visitor: SignedIn,
    volunteer_id: UUID,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """志愿服务记录证明 (PDF) of a volunteer (the API's GET /volunteers/{id}/certificate):
    issued by the office or the volunteer's township station."""
    return await certificates_api.certificate(
        volunteer_id, request, visitor.caller(), container_of(request), "pdf", year
    )
