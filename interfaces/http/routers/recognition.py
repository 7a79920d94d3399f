"""What volunteers earn, by the office's decision: completed trainings, commendations, star
levels, and an award reversed in full."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from application.commands import people as commands
from application.readmodel.tables import ENTRY
from interfaces.http.auth import CallerDep
from interfaces.http.deps import READ_WAIT_SECONDS, ContainerDep, IfMatch
from interfaces.http.people_schemas import (
    CertifyStarLevel,
    Commend,
    CompleteTraining,
    ReverseAward,
)
from interfaces.http.problems import Problem
from interfaces.http.routers.volunteers import volunteer_township
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["volunteers"])


@router.post("/volunteers/{volunteer_id}/trainings")
def complete_training(
    volunteer_id: UUID,
    body: CompleteTraining,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Record a completed training; it earns points per training hour."""
    caller.require_township(volunteer_township(container, volunteer_id), "volunteers")
    return WriteResult.of(
        container.ledger.complete_training(
            commands.CompleteTraining(
                volunteer_id=volunteer_id,
                course=body.course,
                hours=body.hours,
                completed_on=body.completed_on,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/commendations")
def commend_volunteer(
    volunteer_id: UUID,
    body: Commend,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Commend a volunteer (admin); ``basis_position`` is the log position the eligibility
    was read at. The new ``commendation_id`` is in ``created``."""
    caller.require_admin("commend a volunteer")
    return WriteResult.of(
        container.ledger.commend_volunteer(
            commands.CommendVolunteer(
                volunteer_id=volunteer_id,
                title=body.title,
                period=body.period,
                basis_position=body.basis_position,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/star-certifications")
def certify_star_level(
    volunteer_id: UUID,
    body: CertifyStarLevel,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Certify a star level the volunteer's credited hours have reached (admin)."""
    caller.require_admin("certify star levels")
    return WriteResult.of(
        container.ledger.certify_star_level(
            commands.CertifyStarLevel(
                volunteer_id=volunteer_id,
                level=body.level,
                basis_position=body.basis_position,
                service_year=body.service_year,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/awards/{entry_id}/reversal", tags=["awards"])
def reverse_award(
    entry_id: UUID,
    body: ReverseAward,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Reverse an award in full (admin); the reversal's ``entry_id`` is in ``created`` and
    ``id`` is the volunteer. ``If-Match`` refers to the volunteer's version."""
    caller.require_admin("reverse awards")
    container.wait_bounded(container.ledger.current_position(), timeout=READ_WAIT_SECONDS)
    row = container.store.get(ENTRY, (str(entry_id),))
    if row is None or row.get("kind") != "award":
        raise Problem(404, "not-found", "Not found", f"award {entry_id} not found in the ledger")
    return WriteResult.of(
        container.ledger.reverse_award(
            commands.ReverseAward(
                volunteer_id=UUID(str(row["volunteer_id"])),
                entry_id=entry_id,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )
