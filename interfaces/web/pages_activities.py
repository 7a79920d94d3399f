"""活动: the list and planning one; one activity's page and its forms are in pages_activity.

Every write calls the API's own route function with the signed-in person as the caller,
so scopes, validation, rules and the recorded events are the API's; the page only turns
form fields into its request body and its errors into Chinese beside the fields.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from infrastructure.bootstrap import Container
from interfaces.http.activity_schemas import PlanActivity
from interfaces.http.auth import Caller
from interfaces.http.routers import activities as api
from interfaces.web.forms import Refused, form_values, submit_form
from interfaces.web.render import local_input, page
from interfaces.web.routing import PageRoute, as_filters, container_of, still_open
from interfaces.web.session import SignedIn, Visitor, new_record_values

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _choices(container: Container) -> dict[str, Any]:
    reads = container.read_models()
    rules = container.rulebook.latest
    return {
        "categories": sorted(
            ((code, rule.label_zh) for code, rule in rules.categories.items()),
            key=lambda c: c[0],
        ),
        "teams": still_open(reads.teams(limit=1000)["items"], "dissolved"),
        "stations": still_open(reads.stations(limit=1000)["items"], "closed"),
    }


async def activity_form(request: Request) -> dict[str, Any]:
    """An activity form's text fields, with the beneficiary types ticked as a list."""
    ticked = (await request.form()).getlist("beneficiary_types")
    return await form_values(request) | {
        "beneficiary_types": [v for v in ticked if isinstance(v, str)]
    }


# ------------------------------------------------------------------ list and plan


@router.get("/activities")
async def activity_list(
    request: Request,
    visitor: SignedIn,
    status: Annotated[str, Query(max_length=20)] = "",
    township: Annotated[str, Query(max_length=60)] = "",
    category: Annotated[str, Query(max_length=60)] = "",
    cursor: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    """活动列表, filtered as the API's list is; a station clerk's is their township's."""
    container = container_of(request)
    filters = {
        "status": status,
        "township": visitor.own_township or township,
        "category": category,
    }
    listed = await run_in_threadpool(
        partial(container.read_models().activities, **as_filters(**filters, cursor=cursor)),
        limit=50,
    )
    return page(
        request,
        "activities.html",
        visitor=visitor,
        nav="activities",
        items=listed["items"],
        next_cursor=listed["next_cursor"],
        filters=filters,
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
    return _plan_page(request, visitor, new_record_values(visitor))


@router.post("/activities/new")
async def plan(request: Request, visitor: SignedIn) -> Response:
    """计划活动 through the API's plan_activity."""
    container = container_of(request)
    values = await activity_form(request)

    def command(caller: Caller) -> Any:
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
        return api.plan_activity(body, caller, container)

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda result: f"/activities/{result.id}",
        partial(_plan_page, request, visitor, values),
    )
