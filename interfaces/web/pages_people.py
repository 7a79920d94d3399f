"""志愿者: the directory, a volunteer's profile with ledger and eligibility, and suspending,
reinstating or withdrawing a volunteer (registering one is pages_registration)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.readmodel.queries.ledger import commendation_rules
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.tables import ELIGIBILITY, POLICY
from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import Reason
from interfaces.http.routers import operations
from interfaces.http.routers import volunteers as api
from interfaces.http.routers.volunteers import mask_national_id, mask_phone
from interfaces.web.forms import NOTHING_TYPED, Refused, form_values, page_status, submit_form
from interfaces.web.pages_home import latest_year
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, as_filters, container_of
from interfaces.web.session import SignedIn, Visitor, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _shown(row: dict[str, Any], visitor: Visitor) -> dict[str, Any]:
    """National ids and (for auditors) phone numbers masked as the API masks them."""
    if visitor.role == "admin":
        return row
    shown = {**row, "national_id": mask_national_id(row.get("national_id"))}
    if visitor.role == "auditor" and "phone" in shown:
        shown["phone"] = mask_phone(shown["phone"])
    return shown


STATUSES = ("active", "suspended", "withdrawn")


@router.get("/volunteers")
async def volunteer_list(
    request: Request,
    visitor: SignedIn,
    q: Annotated[str, Query(max_length=100)] = "",
    township: Annotated[str, Query(max_length=60)] = "",
    status: Annotated[str, Query(pattern="^(|active|suspended|withdrawn)$")] = "",
    cursor: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    """志愿者: the directory, searched as the API searches it (part of a name, phone number or
    skill; a whole national id for those who see ids; a volunteer's id goes to the profile)."""
    # A clerk's own township unless they ask for another (the API's 403, as a page).
    township = visitor.township_listed(township)
    wanted = q.strip()
    try:
        return RedirectResponse(f"/volunteers/{UUID(wanted)}", status_code=303)
    except ValueError:
        pass
    container = container_of(request)
    listed = await run_in_threadpool(
        partial(
            api.list_volunteers,
            visitor.caller(),
            container.read_models(),
            **as_filters(township=township, q=wanted, status=status, cursor=cursor),
            team_id=None,
            star_level=None,
            insured_on=None,
            limit=50,
        )
    )
    return page(
        request,
        "volunteers.html",
        visitor=visitor,
        nav="volunteers",
        items=listed.items,
        next_cursor=listed.next_cursor,
        township=township,
        q=wanted,
        status_filter=status,
        statuses=STATUSES,
    )


def visible_volunteer(reads: ReadModels, visitor: Visitor, volunteer_id: UUID) -> dict[str, Any]:
    """A volunteer's directory row: 404 when there is none, 403 for another township's clerk."""
    row = reads.volunteer(str(volunteer_id))
    if row is None:
        raise Problem(404, "not-found", "未找到", f"没有编号为 {volunteer_id} 的志愿者")
    require_township_view(visitor, str(row["township"]), "志愿者")
    return row


def _profile(container: Container, visitor: Visitor, volunteer_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    row = visible_volunteer(reads, visitor, volunteer_id)
    ledger = reads.ledger(str(volunteer_id))
    year = latest_year(reads)  # the dashboard's year: that of the latest activity
    return {
        "volunteer": _shown(row, visitor),
        "ledger": ledger,
        "trainings": _entries(ledger, "training"),
        "certificate_years": _service_years(ledger),
        **_status_trail(reads, volunteer_id),
        "eligibility": reads.store.get(ELIGIBILITY, (str(volunteer_id),)),
        # Commendation candidacy for the dashboard's year, by the rulebook version in force.
        "candidacy": reads.volunteer_candidacy(str(volunteer_id), year),
        "commendation_rules": commendation_rules(container.rulebook, year),
        "policies": reads.store.select(POLICY, {"volunteer_id": str(volunteer_id)}),
    }


def _entries(ledger: dict[str, Any] | None, kind: str) -> list[dict[str, Any]]:
    """The ledger's entries of one kind (awards, trainings), oldest first."""
    return [e for e in (ledger or {}).get("entries", []) if e["kind"] == kind]


def _status_trail(reads: ReadModels, volunteer_id: UUID) -> dict[str, list[dict[str, Any]]]:
    """From the volunteer's audit trail: their commendations and changes of status."""
    trail = reads.audit_events(aggregate_id=str(volunteer_id), limit=1000)["items"]
    return {
        "commendations": [e for e in trail if "Commendation" in str(e["event_type"])],
        "status_changes": [e for e in trail if e["event_type"] in STATUS_EVENTS],
    }


def _service_years(ledger: dict[str, Any] | None) -> list[int]:
    """The years with service on the ledger, newest first: a certificate may cover one."""
    years = {
        int(str(e["service_date"])[:4])
        for e in _entries(ledger, "award")
        if str(e.get("service_date") or "")[:4].isdigit()
    }
    return sorted(years, reverse=True)


@router.get("/volunteers/find")
async def find(
    request: Request, visitor: SignedIn, id: Annotated[str, Query(max_length=80)] = ""
) -> Response:
    """按编号查找: straight to the profile (search by name, phone or skill comes with issue 15)."""
    try:
        volunteer_id = UUID(id.strip())
    except ValueError:
        raise Problem(
            422, "validation", "请求有误", f"“{id}”不是有效的志愿者编号（UUID）"
        ) from None
    return RedirectResponse(f"/volunteers/{volunteer_id}", status_code=303)


def _profile_page(
    request: Request,
    visitor: Visitor,
    volunteer_id: UUID,
    *,
    form: str = "",
    values: Mapping[str, Any] = NOTHING_TYPED,
    refused: Refused | None = None,
) -> Response:
    context = _profile(container_of(request), visitor, volunteer_id)
    return page(
        request,
        "volunteer.html",
        status=page_status(refused),
        visitor=visitor,
        nav="volunteers",
        form=form,
        values=values,
        refused=refused,
        done=request.query_params.get("done", ""),
        status_actions=STATUS_ACTIONS,
        **context,
    )


@router.get("/volunteers/{volunteer_id}")
async def profile(request: Request, visitor: SignedIn, volunteer_id: UUID) -> Response:
    """志愿者档案: directory entry, point ledger, star level, courtesy tier, insurance,
    trainings, commendations; suspend, reinstate or withdraw."""
    return await run_in_threadpool(partial(_profile_page, request, visitor, volunteer_id))


STATUS_EVENTS = {"Suspended", "Reinstated", "Withdrawn", "Volunteer.Suspended"}
# action → (the statuses it may be asked from, the button's text)
STATUS_ACTIONS = {
    "suspend": ("active", "暂停"),
    "reinstate": ("suspended withdrawn", "恢复"),
    "withdraw": ("active suspended", "退出"),
}
_ROUTES = {
    "suspend": operations.suspend_volunteer,
    "reinstate": operations.reinstate_volunteer,
    "withdraw": operations.withdraw_volunteer,
}


@router.post("/volunteers/{volunteer_id}/{action}")
async def change_status(
    request: Request, visitor: SignedIn, volunteer_id: UUID, action: str
) -> Response:
    """暂停 / 恢复 / 退出, with the reason, through the API's route (the same scope rules)."""
    route = _ROUTES.get(action)
    if route is None:
        raise Problem(404, "not-found", "未找到", f"没有“{action}”这一操作")
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = Reason.model_validate({"reason": values.get("reason", "")})
        return route(volunteer_id, body, caller, container, None)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/volunteers/{volunteer_id}?done={action}",
        partial(_profile_page, request, visitor, volunteer_id, form=action, values=values),
    )
