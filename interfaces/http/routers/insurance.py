"""Insurance as the office buys it: who to insure on a date, which policies run out soon, and
a group policy recorded for its whole member list in one all-or-nothing request."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status

from application.commands.insurance import RecordGroupPolicy as RecordGroupPolicyCommand
from application.errors import BulkRejected
from domain.errors import DomainError
from domain.values import normalise_national_id
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep, Reads
from interfaces.http.people_answers import Expiring, Uncovered
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import GroupPolicy
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["insurance"])


@router.get("/insurance/uncovered", response_model=Uncovered)
def uncovered(
    _: CallerDep,
    reads: Reads,
    on: Annotated[date, Query(description="the date to be covered")],
    township: str | None = None,
) -> dict[str, Any]:
    """Active volunteers no policy covers on ``on``: who to insure, with their township and
    when their last cover ended."""
    return {"on": on.isoformat(), "items": reads.uncovered(on, township)}


@router.get("/insurance/expiring", response_model=Expiring)
def expiring(
    _: CallerDep,
    reads: Reads,
    container: ContainerDep,
    within_days: Annotated[int, Query(ge=0, le=366)],
) -> dict[str, Any]:
    """Policies whose cover ends within ``within_days`` days from today (the rulebook's
    time zone), soonest first."""
    offset = container.rulebook.latest.utc_offset
    today = (container.ledger.clock() + offset).date()
    return {
        "today": today.isoformat(),
        "within_days": within_days,
        "items": reads.expiring(today, within_days),
    }


@router.post("/insurance/group-policies", status_code=status.HTTP_201_CREATED)
def record_group_policy(
    body: GroupPolicy, caller: CallerDep, container: ContainerDep, reads: Reads
) -> WriteResult:
    """Record a group policy for every member at once (admin: the bureau buys insurance).
    Members are volunteer ids or national ids; if any is bad, every bad one is named by
    its index in ``members`` and nothing is recorded."""
    caller.require_admin("record a group policy")
    members, unidentified = _identified(body.members, reads)
    try:
        recorded = container.ledger.record_group_policy(
            RecordGroupPolicyCommand(
                policy_number=body.policy_number,
                insurer=body.insurer,
                covers_from=body.covers_from,
                covers_to=body.covers_to,
                sum_insured=body.sum_insured,
                members=members,
                unidentified=unidentified,
            ),
            actor=caller.actor,
        )
    except BulkRejected as e:
        raise Problem(
            422,
            "validation",
            "Invalid members",
            f"{len(e.errors)} bad member(s), nothing recorded",
            errors=[{"field": f"members[{r.line}]", "message": r.message} for r in e.errors],
        ) from None
    return WriteResult.of(recorded)


def _identified(given: list[str], reads: Reads) -> tuple[list[UUID | None], dict[int, str]]:
    """The volunteer each member names (by volunteer id or national id), and why each one
    naming no volunteer does not, by index (its place in the list holds None)."""
    members: list[UUID | None] = []
    unidentified: dict[int, str] = {}
    for index, member in enumerate(given):
        volunteer_id, why_not = _member(member, reads)
        members.append(volunteer_id)
        if why_not is not None:
            unidentified[index] = why_not
    return members, unidentified


def _member(member: str, reads: Reads) -> tuple[UUID | None, str | None]:
    """The volunteer a member names, or why it names none."""
    try:
        return UUID(member), None
    except ValueError:
        pass
    try:
        national_id = normalise_national_id(member)
    except DomainError as e:
        return None, f"{member!r} is neither a volunteer id nor a national id: {e}"
    found = reads.volunteer_by_national_id(national_id)
    if found is None:
        return None, f"no volunteer holds national id {national_id[:6]}…{national_id[-4:]}"
    return UUID(found), None
