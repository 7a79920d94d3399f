"""礼遇: a volunteer's courtesy benefits and vouchers, redeeming one, and handing one over
against its voucher code (核销) at the counter.

The writes call the API's own route functions with the signed-in person as the caller, so
scopes, rules and events are the API's; refusals are shown in Chinese beside the form.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.readmodel.queries.served import voucher, vouchers_of
from application.readmodel.tables import ELIGIBILITY
from domain.rulebook import RulebookVersion
from domain.volunteer import TIER_ZH
from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.people_schemas import RedeemPoints
from interfaces.http.problems import Problem
from interfaces.http.routers import benefits as api
from interfaces.web.forms import Refused, submit
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)

READ_WAIT_SECONDS = 5.0
CODE_MAX = 40


def _benefits_page(
    container: Container,
    visitor: Visitor,
    volunteer_id: UUID,
    *,
    issued: str = "",
    refused: Refused | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    reads = container.read_models()
    row = reads.volunteer(str(volunteer_id))
    if row is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {volunteer_id} 的志愿者")
    require_township_view(visitor, str(row["township"]), "志愿者")
    ledger = reads.ledger(str(volunteer_id)) or {}
    eligibility = reads.store.get(ELIGIBILITY, (str(volunteer_id),)) or {}
    rules = container.ledger.rules_today()
    tier = eligibility.get("courtesy_tier")
    offered = sorted(rules.benefits_for(tier).values(), key=lambda b: (b.points, b.code))
    return {
        "volunteer": row,
        "balance": ledger.get("balance", "0"),
        "lifetime_points": ledger.get("lifetime_points", "0"),
        "tier_zh": TIER_ZH.get(str(tier), "未达礼遇等级") if tier else "未达礼遇等级",
        "offered": offered,
        "catalogue": _catalogue(rules),
        "vouchers": vouchers_of(reads.store, str(volunteer_id)),
        "issued": issued,
        "refused": refused,
        "values": values or {},
        "may_write": _may_write(visitor, row["township"]),
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


def _may_write(visitor: Visitor, township: object) -> bool:
    """Who the API lets redeem for this volunteer (the page only hides the form)."""
    return visitor.role == "admin" or (
        visitor.role == "station_staff" and visitor.scope == township
    )


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
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}

    def command(caller: Caller) -> str:
        body = RedeemPoints.model_validate({"benefit": values.get("benefit", "").strip()})
        result = api.redeem_benefit(volunteer_id, body, caller, container, None)
        container.wait_for(result.position, READ_WAIT_SECONDS)
        return f"/volunteers/{volunteer_id}/benefits?issued={result.voucher_code}"

    try:
        location = await submit(
            request.app.state.form_keys, visitor, request.url.path, values, command
        )
    except Refused as refused:
        context = await run_in_threadpool(
            _benefits_page, container, visitor, volunteer_id, refused=refused, values=values
        )
        return page(
            request, "benefits.html", status=409, visitor=visitor, nav="volunteers", **context
        )
    return RedirectResponse(location, status_code=303)


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
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    code = _code(values.get("code", ""))

    def command(caller: Caller) -> str:
        if api.VOUCHER_CODE.fullmatch(code) is None:
            raise Refused("凭证码格式不对，应为 LY-XXXX-XXXX-XXXX。", {"code": "格式不对"})
        result = api.use_voucher(code, caller, container, None)
        container.wait_for(result.position, READ_WAIT_SECONDS)
        return f"/vouchers?code={code}&done=1"

    try:
        location = await submit(
            request.app.state.form_keys, visitor, request.url.path, values, command
        )
    except Refused as refused:
        context = await run_in_threadpool(_counter, container, visitor, code, refused)
        return page(request, "voucher.html", status=409, visitor=visitor, nav="vouchers", **context)
    return RedirectResponse(location, status_code=303)
