"""Volunteers: register, insure, train; list and read them (national ids masked except for admins)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from application.commands import people as commands
from application.readmodel.queries.search import VolunteerSearch
from domain.registry import DuplicateNationalId
from domain.volunteer import Volunteer
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import (
    AsOfCut,
    CachedLive,
    ContainerDep,
    Cursor,
    IfMatch,
    Limit,
    Reads,
    wait_for_position,
)
from interfaces.http.json_body import encode_json
from interfaces.http.people_answers import VolunteerEntry, VolunteerLedger, VolunteerPage
from interfaces.http.people_schemas import (
    RecordInsurance,
    RegisterVolunteer,
)
from interfaces.http.problems import Problem
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["volunteers"])


def mask_national_id(value: str | None) -> str | None:
    """First 6 and last 4 characters shown, the rest starred."""
    if not value or len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """The first 3 and last 4 digits shown (``138****0000``); a shorter number all starred."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def _shown(row: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """National ids masked for everyone but admins; phone numbers for auditors (who read
    everything and contact no one)."""
    if caller.role == "admin":
        return row
    shown = {**row, "national_id": mask_national_id(row.get("national_id"))}
    if caller.role == "auditor" and "phone" in shown:
        shown["phone"] = mask_phone(shown["phone"])
    return shown


def volunteer_township(container: ContainerDep, volunteer_id: UUID) -> str:
    volunteer: Volunteer = container.ledger.load(Volunteer, volunteer_id)
    return str(volunteer.township)


@router.post("/volunteers", status_code=status.HTTP_201_CREATED)
def register_volunteer(
    body: RegisterVolunteer, caller: CallerDep, container: ContainerDep
) -> WriteResult:
    """Register a volunteer (the national id is checked, including its check character).

    A national id already registered is refused (409 ``duplicate-national-id``) naming the
    existing volunteer and their status; a withdrawn one is reinstated instead (the
    problem's ``reinstate`` names the route)."""
    caller.require_township(body.township, "volunteers")
    try:
        recorded = container.ledger.register_volunteer(
            commands.RegisterVolunteer(
                name=body.name,
                national_id=body.national_id,
                phone=body.phone,
                person_type=body.person_type,
                township=body.township,
                skills=body.skills,
            ),
            actor=caller.actor,
        )
    except DuplicateNationalId as e:
        if e.withdrawn:
            e.details = {
                **e.details,
                "reinstate": f"/volunteers/{e.existing_volunteer_id}/reinstate",
            }
        raise
    return WriteResult.of(recorded)


@router.post("/volunteers/{volunteer_id}/insurance")
def record_insurance(
    volunteer_id: UUID,
    body: RecordInsurance,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record an accident insurance coverage held by the volunteer."""
    caller.require_township(volunteer_township(container, volunteer_id), "volunteers")
    return WriteResult.of(
        container.ledger.record_insurance(
            commands.RecordInsurance(
                volunteer_id=volunteer_id,
                policy_number=body.policy_number,
                insurer=body.insurer,
                kind=body.kind,
                covers_from=body.covers_from,
                covers_to=body.covers_to,
                sum_insured=body.sum_insured,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


def township_in_scope(caller: Caller, township: str | None, what: str, what_zh: str) -> str | None:
    """The township a list is held to: a station clerk's own (asking for another township's
    is a 403); admins, auditors and team leaders list every township, or the one asked for."""
    if caller.role != "station_staff":
        return township
    scope = caller.user.scope
    if township is not None and township != scope:
        raise Problem(
            403,
            "forbidden",
            "Forbidden",
            f"{caller.user.name} (station_staff, scope {scope}) may not list {what} "
            f"of township {township}",
            detail_zh=f"{caller.user.name}（{scope}服务站工作人员）不能查看{township}的{what_zh}",
        )
    return scope


@router.get("/volunteers")
def list_volunteers(
    caller: CallerDep,
    reads: Reads,
    township: str | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="part of a name, phone number or skill; or a whole national id "
            "(admins only, who see ids in full)",
        ),
    ] = None,
    team_id: UUID | None = None,
    status: Literal["active", "suspended", "withdrawn"] | None = None,
    star_level: Annotated[int | None, Query(ge=0, le=10, description="certified")] = None,
    insured_on: Annotated[date | None, Query(description="covered by a policy that day")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> VolunteerPage:
    """Volunteers in id order, optionally found by ``q`` and filtered by township, team,
    status, certified star level and insurance cover on a date. Station staff list their
    own township's volunteers only (another township asked for: 403)."""
    township = township_in_scope(caller, township, "volunteers", "志愿者")
    search = VolunteerSearch(
        q=q,
        township=township,
        team_id=None if team_id is None else str(team_id),
        status=status,
        star_level=star_level,
        insured_on=insured_on,
        match_national_id=caller.role == "admin",
    )
    if search == VolunteerSearch(township=township, match_national_id=search.match_national_id):
        page = reads.volunteers(township=township, limit=limit, cursor=cursor)
    else:
        page = reads.search_volunteers(search, limit=limit, cursor=cursor)
    return VolunteerPage.model_validate(
        {"items": [_shown(r, caller) for r in page["items"]], "next_cursor": page["next_cursor"]}
    )


@router.get("/volunteers/{volunteer_id}", response_model=VolunteerEntry)
def get_volunteer(volunteer_id: UUID, caller: CallerDep, reads: Reads) -> dict[str, Any]:
    """One volunteer's directory entry."""
    row = reads.volunteer(str(volunteer_id))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"volunteer {volunteer_id} not found")
    return _shown(row, caller)


def _ledger_at(container: ContainerDep, volunteer_id: UUID, cut: int) -> Any:
    wait_for_position(container, cut, "as_of_position")  # the audit trail's index, to the cut
    return container.as_of.ledger_at(container.store, volunteer_id, cut)


# The answer is sent as the read cache encoded it (a Response, not revalidated):
# ``response_model`` only describes it.
@router.get("/volunteers/{volunteer_id}/ledger", response_model=VolunteerLedger)
async def get_ledger(
    volunteer_id: UUID, _: CallerDep, container: ContainerDep, cut: AsOfCut, cached: CachedLive
) -> Response:
    """The volunteer's point ledger: balance, totals and every entry with its position.

    As of a past cut it is built from the volunteer's own events up to the cut, not from a
    replay of the whole log."""
    if cut is not None:
        row = await run_in_threadpool(_ledger_at, container, volunteer_id, cut)
        if row is None:
            raise Problem(404, "not-found", "Not found", f"no ledger for volunteer {volunteer_id}")
        return Response(encode_json(row), media_type="application/json")
    body = await cached.answer(
        ("ledger",), ("ledger", volunteer_id), partial(cached.reads.ledger, str(volunteer_id))
    )
    if body is None:
        raise Problem(404, "not-found", "Not found", f"no ledger for volunteer {volunteer_id}")
    return Response(body, media_type="application/json")
