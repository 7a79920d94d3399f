"""The everyday operations on volunteers and teams that the model has besides recording
service: profile changes, suspension, reinstatement, withdrawal, cancelling a policy,
revoking a commendation, dissolving a team. Each reason is kept in its event and shown in
the audit trail."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from application.commands import people as commands
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, IfMatch
from interfaces.http.register_schemas import Reason, UpdateProfile
from interfaces.http.schemas import WriteResult

router = APIRouter()


def _may_change(container: ContainerDep, caller: Caller, volunteer_id: UUID) -> None:
    volunteer = container.ledger.load(Volunteer, volunteer_id, read_only=True)
    caller.require_township(str(volunteer.township), "volunteers")


@router.patch("/volunteers/{volunteer_id}", tags=["volunteers"])
def update_profile(
    volunteer_id: UUID,
    body: UpdateProfile,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Change any of the volunteer's phone, skills and township (the others stay). Moving a
    volunteer to another township needs the right to write for both."""
    _may_change(container, caller, volunteer_id)
    if body.township is not None:
        caller.require_township(body.township.strip(), "volunteers")
    return WriteResult.of(
        container.ledger.update_profile(
            commands.UpdateProfile(
                volunteer_id=volunteer_id,
                phone=body.phone,
                township=body.township,
                skills=body.skills,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/suspend", tags=["volunteers"])
def suspend_volunteer(
    volunteer_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Suspend an active volunteer, with the reason: no sign-ups or hours until reinstated."""
    _may_change(container, caller, volunteer_id)
    return WriteResult.of(
        container.ledger.suspend_volunteer(
            commands.SuspendVolunteer(
                volunteer_id=volunteer_id, reason=body.reason, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/reinstate", tags=["volunteers"])
def reinstate_volunteer(
    volunteer_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Reinstate a suspended volunteer, with the reason."""
    _may_change(container, caller, volunteer_id)
    return WriteResult.of(
        container.ledger.reinstate_volunteer(
            commands.ReinstateVolunteer(
                volunteer_id=volunteer_id, reason=body.reason, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/withdraw", tags=["volunteers"])
def withdraw_volunteer(
    volunteer_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Withdraw a volunteer from the programme, with the reason; the record and its points
    stay."""
    _may_change(container, caller, volunteer_id)
    return WriteResult.of(
        container.ledger.withdraw_volunteer(
            commands.WithdrawVolunteer(
                volunteer_id=volunteer_id, reason=body.reason, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/volunteers/{volunteer_id}/insurance/{policy_number}/cancel", tags=["volunteers"])
def cancel_insurance(
    volunteer_id: UUID,
    policy_number: str,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Cancel one of the volunteer's policies, with the reason."""
    _may_change(container, caller, volunteer_id)
    return WriteResult.of(
        container.ledger.cancel_insurance(
            commands.CancelInsurance(
                volunteer_id=volunteer_id,
                policy_number=policy_number,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post(
    "/volunteers/{volunteer_id}/commendations/{commendation_id}/revoke", tags=["volunteers"]
)
def revoke_commendation(
    volunteer_id: UUID,
    commendation_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Revoke a commendation (admin), with the reason."""
    caller.require_admin("revoke a commendation")
    return WriteResult.of(
        container.ledger.revoke_commendation(
            commands.RevokeCommendation(
                volunteer_id=volunteer_id,
                commendation_id=commendation_id,
                reason=body.reason,
                expected_version=if_match,
            ),
            actor=caller.actor,
        )
    )


@router.post("/teams/{team_id}/dissolve", tags=["teams"])
def dissolve_team(
    team_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Dissolve a team, with the reason: it takes no new members or activities."""
    team = container.ledger.load(VolunteerTeam, team_id, read_only=True)
    caller.require_township(str(team.township), "teams")
    return WriteResult.of(
        container.ledger.dissolve_team(
            commands.DissolveTeam(team_id=team_id, reason=body.reason, expected_version=if_match),
            actor=caller.actor,
        )
    )
