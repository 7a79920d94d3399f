"""礼遇: a volunteer's courtesy benefits and vouchers, redeeming one, and handing one over
against its voucher code (核销) at the counter.

The writes call the API's own route functions with the signed-in person as the caller, so
scopes, rules and events are the API's; refusals are shown in Chinese beside the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.readmodel.queries.served import voucher, vouchers_of
from application.readmodel.tables import ELIGIBILITY
from domain.rulebook import RulebookVersion
from domain.volunteer import TIER_ZH
from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.people_schemas import RedeemPoints
from interfaces.http.routers import benefits as api
from interfaces.web.forms import NOTHING_TYPED, Refused, form_values, submit_form
from interfaces.web.pages_people import visible_volunteer
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CODE_MAX = 40


def _benefits_page(
    container: Container,
    visitor: Visitor,
    volunteer_id: UUID,
    *,
    issued: str = "",
    refused: Refused | None = None,
    values: Mapping[str, Any] = NOTHING_TYPED,
) -> dict[str, Any]:
    reads = container.read_models()
    row = visible_volunteer(reads, visitor, volunteer_id)
    ledger = reads.ledger(str(volunteer_id)) or {}
    eligibility = reads.store.get(ELIGIBILITY, (str(volunteer_id),)) or {}
    rules = container.ledger.rules_today()
    tier = eligibility.get("courtesy_tier")
    offered = sorted(rules.benefits_for(tier).values(), key=lambda b: (b.points, b.code))
    return {
        "volunteer": row,
        "balance": ledger.get("balance", "0"),
        "lifetime_points": ledger.get("lifetime_points", "0"),
        "tier_zh": TIER_ZH.get(str(tier), "未达礼遇等级"),  # no tier: str(None), not a tier
        "offered": offered,
        "catalogue": _catalogue(rules),
        "vouchers": vouchers_of(reads.store, str(volunteer_id)),
        "issued": issued,
        "refused": refused,
        "values": values,
        "may_write": visitor.may_change(str(row["township"])),
    }


def _catalogue(rules: RulebookVersion) -> list[dict[str, Any]]:
    """Every courtesy tier from the lowest, with its benefits."""
    return [
        {
            "tier_zh": TIER_ZH.get(t.name, t.name),
            "min_points": t.min_points,
            "benefits": sorted(rules.benefits_for(t.name).values(), key=lambda b: b.code),
        }
        for t in sorted(rules.courtesy_tiers, key=lambda t: t.min_points)
    ]


@router.get("/volunteers/{volunteer_id}/benefits")
async def benefits_page(
    request: Request,
    visitor: SignedIn,
    volunteer_id: UUID,
    issued: Annotated[str, Query(max_length=CODE_MAX)] = "",
) -> Response:
    """礼遇: the tier, what it includes, the vouchers issued; a form to redeem one."""
    context = await run_in_threadpool(
        _benefits_page, container_of(request), visitor, volunteer_id, issued=issued
    )
    return page(request, "benefits.html", visitor=visitor, nav="volunteers", **context)


@router.post("/volunteers/{volunteer_id}/benefits/redeem")
async def redeem(request: Request, visitor: SignedIn, volunteer_id: UUID) -> Response:
    """兑换礼遇 through the API's redeem_benefit; the voucher code is shown after."""
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = RedeemPoints.model_validate({"benefit": values.get("benefit", "").strip()})
        return api.redeem_benefit(volunteer_id, body, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda result: f"/volunteers/{volunteer_id}/benefits?issued={result.voucher_code}",
        partial(_redeem_refused, request, visitor, volunteer_id, values),
    )


def _redeem_refused(
    request: Request,
    visitor: Visitor,
    volunteer_id: UUID,
    values: dict[str, Any],
    refused: Refused,
) -> Response:
    context = _benefits_page(
        container_of(request), visitor, volunteer_id, refused=refused, values=values
    )
    return page(request, "benefits.html", status=409, visitor=visitor, nav="volunteers", **context)


def _counter(
    container: Container, visitor: Visitor, code: str, refused: Refused | None = None
) -> dict[str, Any]:
    found = voucher(container.read_models().store, code) if code else None
    if found is not None:
        require_township_view(visitor, str(found["township"]), "礼遇凭证")
    return {
        "code": code,
        "voucher": found,
        "missing": bool(code) and found is None,
        "refused": refused,
        "may_write": visitor.role in ("admin", "station_staff"),
    }


def _code(text: str) -> str:
    return text.strip().upper()[:CODE_MAX]


@router.get("/vouchers")
async def counter(
    request: Request,
    visitor: SignedIn,
    code: Annotated[str, Query(max_length=CODE_MAX)] = "",
    done: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """礼遇核销: look a voucher up by its code; hand the benefit over once."""
    context = await run_in_threadpool(_counter, container_of(request), visitor, _code(code))
    return page(
        request, "voucher.html", visitor=visitor, nav="vouchers", done=bool(done), **context
    )


@router.post("/vouchers/use")
async def use(request: Request, visitor: SignedIn) -> Response:
    """核销 through the API's use_voucher: a second time is refused (已核销)."""
    container = container_of(request)
    values = await form_values(request)
    code = _code(values.get("code", ""))

    def command(caller: Caller) -> Any:
        if api.VOUCHER_CODE.fullmatch(code) is None:
            raise Refused("凭证码格式不对，应为 LY-XXXX-XXXX-XXXX。", {"code": "格式不对"})
        return api.use_voucher(code, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/vouchers?code={code}&done=1",
        partial(_use_refused, request, visitor, code),
    )


def _use_refused(request: Request, visitor: Visitor, code: str, refused: Refused) -> Response:
    context = _counter(container_of(request), visitor, code, refused)
    return page(request, "voucher.html", status=409, visitor=visitor, nav="vouchers", **context)
