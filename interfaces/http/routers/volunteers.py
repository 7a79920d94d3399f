"""Volunteers: register, insure, train; list and read them (national ids masked except for admins)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from domain.values import InsuranceKind, PersonType
from domain.volunteer import Volunteer
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.problems import Problem
from interfaces.http.schemas import (
    CompleteTraining,
    Page,
    RecordInsurance,
    RegisterVolunteer,
    WriteResult,
)

router = APIRouter(tags=["volunteers"])


def mask_national_id(value: str | None) -> str | None:
    """First 6 and last 4 characters shown, the rest starred."""
    if not value or len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _shown(row: dict[str, Any], caller: Caller) -> dict[str, Any]:
    if caller.role == "admin":
        return row
    return {**row, "national_id": mask_national_id(row.get("national_id"))}


def _volunteer_township(container: ContainerDep, volunteer_id: UUID) -> str:
    volunteer: Volunteer = container.ledger.load(Volunteer, volunteer_id)
    return str(volunteer.township)


@router.post("/volunteers", status_code=status.HTTP_201_CREATED)
def register_volunteer(
    body: RegisterVolunteer, caller: CallerDep, container: ContainerDep
) -> WriteResult:
    """Register a volunteer (the national id is checked, including its check character)."""
    caller.require_township(body.township, "volunteers")
    return WriteResult.of(
        container.ledger.register_volunteer(
            name=body.name,
            national_id=body.national_id,
            phone=body.phone,
            person_type=PersonType(body.person_type),
            township=body.township,
            skills=body.skills,
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/insurance")
def record_insurance(
    volunteer_id: UUID,
    body: RecordInsurance,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record an accident insurance coverage held by the volunteer."""
    caller.require_township(_volunteer_township(container, volunteer_id), "volunteers")
    return WriteResult.of(
        container.ledger.record_insurance(
            volunteer_id,
            policy_number=body.policy_number,
            insurer=body.insurer,
            kind=InsuranceKind(body.kind),
            covers_from=body.covers_from,
            covers_to=body.covers_to,
            sum_insured=body.sum_insured,
            actor=caller.actor,
            expected_version=if_match,
        )
    )


@router.post("/volunteers/{volunteer_id}/trainings")
def complete_training(
    volunteer_id: UUID,
    body: CompleteTraining,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record a completed training; it earns points per training hour."""
    caller.require_township(_volunteer_township(container, volunteer_id), "volunteers")
    return WriteResult.of(
        container.ledger.complete_training(
            volunteer_id,
            course=body.course,
            hours=body.hours,
            completed_on=body.completed_on,
            actor=caller.actor,
            expected_version=if_match,
        )
    )


@router.get("/volunteers")
def list_volunteers(
    caller: CallerDep,
    reads: Reads,
    township: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page:
    """Volunteers in id order, optionally of one township."""
    page = reads.volunteers(township=township, limit=limit, cursor=cursor)
    return Page(items=[_shown(r, caller) for r in page["items"]], next_cursor=page["next_cursor"])


@router.get("/volunteers/{volunteer_id}")
def get_volunteer(volunteer_id: UUID, caller: CallerDep, reads: Reads) -> dict[str, Any]:
    """One volunteer's directory entry."""
    row = reads.volunteer(str(volunteer_id))
    if row is None:
        raise Problem(404, "not-found", "Not found", f"volunteer {volunteer_id} not found")
    return _shown(row, caller)


@router.get("/volunteers/{volunteer_id}/ledger")
def get_ledger(volunteer_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """The volunteer's point ledger: balance, totals and every entry with its position."""
    ledger = reads.ledger(str(volunteer_id))
    if ledger is None:
        raise Problem(404, "not-found", "Not found", f"no ledger for volunteer {volunteer_id}")
    return ledger
