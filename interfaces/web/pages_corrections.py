"""更正: correcting a participant's hours, and deciding proposed corrections (four eyes).

Before an activity is verified a correction applies at once; after it, it is proposed and
changes no ledger until another person approves it (not its proposer, nor whoever recorded
the hours) or rejects it with a reason. The pages call the API's own route functions with
the visitor as caller, so the same rules refuse the same things, explained in Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from domain.errors import DomainError
from infrastructure.bootstrap import Container
from interfaces.http.activity_schemas import CorrectHours, RejectCorrection
from interfaces.http.auth import Caller
from interfaces.http.routers import corrections as api
from interfaces.web.forms import NOTHING_TYPED, Refused, form_values, page_status, submit_form
from interfaces.web.pages_activity import visible_activity
from interfaces.web.render import local_input, page
from interfaces.web.routing import PageRoute, container_of, volunteer_names
from interfaces.web.session import SignedIn, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _context(container: Container, visitor: Visitor, activity_id: UUID) -> dict[str, Any]:
    reads = container.read_models()
    activity = visible_activity(reads, visitor, activity_id)
    corrections = reads.corrections(str(activity_id)) or []
    return {
        "activity": activity,
        "corrections": corrections,
        "recorded": [p for p in activity["participants"] if p.get("started_at")],
        "names": volunteer_names(reads, _people(activity, corrections)),
    }


def _people(activity: dict[str, Any], corrections: list[dict[str, Any]]) -> list[str]:
    """The volunteers the page names: the participants and anyone a correction is about."""
    return sorted(
        {p["volunteer_id"] for p in activity["participants"]}
        | {c["volunteer_id"] for c in corrections}
    )


def _page(
    request: Request,
    visitor: Visitor,
    activity_id: UUID,
    *,
    form: str = "",
    values: Mapping[str, Any] = NOTHING_TYPED,
    refused: Refused | None = None,
) -> Response:
    context = _context(container_of(request), visitor, activity_id)
    return page(
        request,
        "corrections.html",
        status=page_status(refused),
        visitor=visitor,
        nav="activities",
        form=form,
        values=values,
        refused=refused,
        done=request.query_params.get("done", ""),
        **context,
    )


@router.get("/activities/{activity_id}/corrections")
async def corrections(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """更正服务时长: the activity's recorded hours, the corrections proposed and their fate."""
    return await run_in_threadpool(partial(_page, request, visitor, activity_id))


async def _act(
    request: Request,
    visitor: Visitor,
    activity_id: UUID,
    form_name: str,
    command: Any,
    done: Any,
) -> Response:
    values = await form_values(request)
    return await submit_form(
        request,
        visitor,
        values,
        lambda caller: command(caller, values),
        lambda result: f"/activities/{activity_id}/corrections?done={done(result)}",
        partial(_page, request, visitor, activity_id, form=form_name, values=values),
    )


@router.post("/activities/{activity_id}/corrections")
async def propose(request: Request, visitor: SignedIn, activity_id: UUID) -> Response:
    """Correct (before verification) or propose a correction of (after it) one person's hours."""
    container = container_of(request)

    def command(caller: Caller, values: dict[str, Any]) -> Any:
        try:
            volunteer_id = UUID(values.get("volunteer_id", "").strip())
        except ValueError:
            raise Refused(
                "请选择要更正的参与者。", {"volunteer_id": "须选择一位已登记时长的参与者"}
            ) from None
        body = CorrectHours.model_validate(
            {
                "started_at": local_input(values.get("started_at", "")),
                "ended_at": local_input(values.get("ended_at", "")),
                "reason": values.get("reason", ""),
            }
        )
        return api.correct_hours(
            activity_id, volunteer_id, body, caller, container, None, Response()
        )

    return await _act(
        request,
        visitor,
        activity_id,
        "propose",
        command,
        lambda r: "applied" if r.status == "applied" else "proposed",
    )


def _approve(
    container: Container, activity_id: UUID, correction_id: UUID, caller: Caller, _: Any
) -> Any:
    try:
        return api.approve_correction(activity_id, correction_id, caller, container, None)
    except DomainError as e:
        if e.rule != "four-eyes":
            raise
        raise Refused(
            "四眼原则：提出这项更正的人、登记被更正时长的人都不能批准它，"
            f"须由另一位有权限的工作人员批准。{caller.actor.user_id} 不能批准此更正，未记录任何内容。"
        ) from None


@router.post("/activities/{activity_id}/corrections/{correction_id}/approve")
async def approve(
    request: Request, visitor: SignedIn, activity_id: UUID, correction_id: UUID
) -> Response:
    container = container_of(request)
    return await _act(
        request,
        visitor,
        activity_id,
        f"decide-{correction_id}",
        partial(_approve, container, activity_id, correction_id),
        lambda _: "approved",
    )


@router.post("/activities/{activity_id}/corrections/{correction_id}/reject")
async def reject(
    request: Request, visitor: SignedIn, activity_id: UUID, correction_id: UUID
) -> Response:
    container = container_of(request)
    return await _act(
        request,
        visitor,
        activity_id,
        f"decide-{correction_id}",
        lambda caller, values: api.reject_correction(
            activity_id,
            correction_id,
            RejectCorrection.model_validate({"reason": values.get("reason", "")}),
            caller,
            container,
            None,
        ),
        lambda _: "rejected",
    )
