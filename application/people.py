"""Use cases for volunteers: register, change the profile, insure, suspend, reinstate,
withdraw. Teams are in :mod:`application.teams`, what volunteers earn and spend in
:mod:`application.recognition`."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from application.base import command
from application.commands.people import (
    CancelInsurance,
    RecordInsurance,
    RegisterVolunteer,
    ReinstateVolunteer,
    SuspendVolunteer,
    UpdateProfile,
    WithdrawVolunteer,
)
from application.errors import ConcurrencyConflict, NotFound
from application.recognition import RecognitionCommands
from application.results import Recorded
from domain.registry import DuplicateNationalId, NationalIdClaim, national_id_claim_id
from domain.values import Actor, InsurancePolicy, VolunteerStatus
from domain.volunteer import Volunteer


class VolunteerCommands(RecognitionCommands):
    @command
    def register_volunteer(self, cmd: RegisterVolunteer, *, actor: Actor) -> Recorded:
        """Register a volunteer (the national id is checked, including its check character).

        The national id is claimed in the same atomic save as the volunteer, so a person
        registered once (even withdrawn since), or by a registration racing this one in
        another process, is refused as ``duplicate-national-id`` naming that record.
        """
        volunteer = Volunteer.register(
            name=cmd.name,
            national_id=cmd.national_id,
            phone=cmd.phone,
            person_type=cmd.person_type,
            township=cmd.township,
            skills=cmd.skills,
            actor=actor,
        )
        self._refuse_if_claimed(volunteer.national_id)
        claim = NationalIdClaim.claim(
            national_id=volunteer.national_id, volunteer_id=volunteer.id, actor=actor
        )
        try:
            position = self.record(claim, volunteer)
        except ConcurrencyConflict:
            # Another registration of this person was saved first: say whose it is.
            self._refuse_if_claimed(volunteer.national_id)
            raise
        return Recorded(volunteer.id, volunteer.version, position)

    def volunteers_by_national_id(self, national_ids: Iterable[str]) -> dict[str, UUID]:
        """The volunteer each normalised national id is registered to (one read for all);
        an id no one registered is absent."""
        wanted = {national_id_claim_id(n): n for n in national_ids}
        claims = self.load_many(NationalIdClaim, wanted)
        return {wanted[claim_id]: claim.volunteer_id for claim_id, claim in claims.items()}

    def _refuse_if_claimed(self, national_id: str) -> None:
        try:
            claim = self.load(NationalIdClaim, national_id_claim_id(national_id), read_only=True)
        except NotFound:
            return
        existing = self.load(Volunteer, claim.volunteer_id, read_only=True)
        raise DuplicateNationalId(
            claim.volunteer_id, withdrawn=existing.status is VolunteerStatus.WITHDRAWN
        )

    @command
    def update_profile(self, cmd: UpdateProfile, *, actor: Actor) -> Recorded:
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.update_profile(
                phone=cmd.phone, township=cmd.township, skills=cmd.skills, actor=actor
            ),
        )

    @command
    def record_insurance(self, cmd: RecordInsurance, *, actor: Actor) -> Recorded:
        policy = InsurancePolicy(
            cmd.policy_number.strip(),
            cmd.insurer.strip(),
            cmd.kind,
            cmd.covers_from,
            cmd.covers_to,
            cmd.sum_insured,
        )
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.record_insurance(policy, actor),
        )

    @command
    def cancel_insurance(self, cmd: CancelInsurance, *, actor: Actor) -> Recorded:
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.cancel_insurance(cmd.policy_number, cmd.reason, actor),
        )

    @command
    def suspend_volunteer(self, cmd: SuspendVolunteer, *, actor: Actor) -> Recorded:
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.suspend(reason=cmd.reason, actor=actor),
        )

    @command
    def reinstate_volunteer(self, cmd: ReinstateVolunteer, *, actor: Actor) -> Recorded:
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.reinstate(reason=cmd.reason, actor=actor),
        )

    @command
    def withdraw_volunteer(self, cmd: WithdrawVolunteer, *, actor: Actor) -> Recorded:
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.withdraw(reason=cmd.reason, actor=actor),
        )
