"""登记志愿者: the registration form and its submission through the API's
register_volunteer (一人一档: a national id already registered links to that record)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from domain.registry import DuplicateNationalId
from interfaces.http.auth import Caller
from interfaces.http.people_schemas import RegisterVolunteer
from interfaces.http.routers import volunteers as api
from interfaces.web.forms import Refused, form_values, page_status, submit_form
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of
from interfaces.web.session import SignedIn, Visitor, new_record_values

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PERSON_TYPES = (
    "veteran",
    "demobilized_veteran",
    "disabled_veteran",
    "military_family",
    "martyr_family",
    "public",
)


def _register_page(
    request: Request, visitor: Visitor, values: dict[str, Any], refused: Refused | None = None
) -> Response:
    return page(
        request,
        "volunteer_new.html",
        status=page_status(refused),
        visitor=visitor,
        nav="volunteers",
        values=values,
        refused=refused,
        person_types=PERSON_TYPES,
    )


@router.get("/volunteers/new")
async def register_form(request: Request, visitor: SignedIn) -> Response:
    return _register_page(request, visitor, new_record_values(visitor))


@router.post("/volunteers/new")
async def register(request: Request, visitor: SignedIn) -> Response:
    """登记志愿者 through the API's register_volunteer."""
    container = container_of(request)
    values = await form_values(request)

    def command(caller: Caller) -> Any:
        body = RegisterVolunteer.model_validate(
            {
                "name": values.get("name", ""),
                "national_id": values.get("national_id", "").strip(),
                "phone": values.get("phone", "").strip(),
                "person_type": values.get("person_type", ""),
                "township": values.get("township", ""),
                "skills": [s.strip() for s in values.get("skills", "").split("，") if s.strip()],
            }
        )
        try:
            return api.register_volunteer(body, caller, container)
        except DuplicateNationalId as e:
            raise _already_registered(e) from None

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda result: f"/volunteers/{result.id}",
        partial(_register_page, request, visitor, values),
    )


def _already_registered(e: DuplicateNationalId) -> Refused:
    """一人一档: the national id is someone's already; the page links to their record."""
    existing = f"/volunteers/{e.existing_volunteer_id}"
    if e.withdrawn:
        # Re-registration of a withdrawn volunteer is a reinstatement of their record.
        return Refused(
            "一人一档：该身份证号已登记，该志愿者已退出。请在其档案中办理恢复，不要重复登记。",
            {"national_id": "该身份证号已登记（已退出）"},
            link=(f"{existing}#reinstate", "恢复该志愿者"),
        )
    return Refused(
        "一人一档：该身份证号已登记，不能重复登记。请打开已有档案核对或更新。",
        {"national_id": "该身份证号已登记"},
        link=(existing, "打开已登记的志愿者档案"),
    )
