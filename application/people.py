"""Use cases for teams and volunteers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date
from decimal import Decimal
from uuid import UUID

from application.base import command
from application.errors import ConcurrencyConflict, NotFound
from application.results import Recorded
from application.stations import StationCommands
from domain.activity import ServiceActivity
from domain.errors import invalid_value, rule_violation
from domain.registry import DuplicateNationalId, NationalIdClaim, national_id_claim_id
from domain.team import VolunteerTeam
from domain.values import (
    Actor,
    InsuranceKind,
    InsurancePolicy,
    MemberRole,
    PersonType,
    TeamLevel,
    VolunteerStatus,
)
from domain.volunteer import Volunteer


class TeamCommands(StationCommands):
    @command
    def form_team(
        self, *, name: str, level: TeamLevel, township: str, station_id: UUID, actor: Actor
    ) -> Recorded:
        """Form a volunteer service team at banner or township level, at a registered station."""
        station = self.registered_station(station_id, "have new teams")
        team = VolunteerTeam.form(
            name=name,
            level=level,
            township=township,
            station=station.name,
            station_id=station.id,
            actor=actor,
        )
        return self.recorded(team)

    @command
    def enrol_member(
        self,
        team_id: UUID,
        *,
        volunteer_id: UUID,
        role: MemberRole,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Enrol a registered, active volunteer as member, leader or deputy."""
        team = self.load(VolunteerTeam, team_id, expected_version)
        volunteer = self.load(Volunteer, volunteer_id, read_only=True)
        volunteer.require_active("join a team")
        team.enrol(volunteer_id, role, actor)
        return self.recorded(team)

    @command
    def member_leaves(
        self,
        team_id: UUID,
        *,
        volunteer_id: UUID,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            VolunteerTeam,
            team_id,
            expected_version,
            lambda team: team.leave(volunteer_id, reason, actor),
        )

    @command
    def appoint_leader(
        self,
        team_id: UUID,
        *,
        volunteer_id: UUID,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            VolunteerTeam,
            team_id,
            expected_version,
            lambda team: team.appoint_leader(volunteer_id, actor),
        )

    @command
    def commend_team(
        self,
        team_id: UUID,
        *,
        title: str,
        period: str,
        basis_position: int,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Commend a team; ``basis_position`` is the log position its eligibility was read at."""
        self._check_basis(basis_position)
        team = self.load(VolunteerTeam, team_id, expected_version)
        commendation_id = team.commend(
            title=title, period=period, basis_position=basis_position, reason=reason, actor=actor
        )
        return Recorded(
            team.id, team.version, self.record(team), {"commendation_id": commendation_id}
        )

    @command
    def dissolve_team(
        self, team_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            VolunteerTeam, team_id, expected_version, lambda team: team.dissolve(reason, actor)
        )

    def _check_basis(self, basis_position: int) -> None:
        head = self.current_position()
        if not 0 <= basis_position <= head:
            raise rule_violation(
                "basis-position",
                f"basis_position {basis_position} must lie between 0 and the log head {head}",
            )


class VolunteerCommands(TeamCommands):
    @command
    def register_volunteer(
        self,
        *,
        name: str,
        national_id: str,
        phone: str,
        person_type: PersonType,
        township: str,
        skills: list[str],
        actor: Actor,
    ) -> Recorded:
        """Register a volunteer (the national id is checked, including its check character).

        The national id is claimed in the same atomic save as the volunteer, so a person
        registered once (even withdrawn since), or by a registration racing this one in
        another process, is refused as ``duplicate-national-id`` naming that record.
        """
        volunteer = Volunteer.register(
            name=name,
            national_id=national_id,
            phone=phone,
            person_type=person_type,
            township=township,
            skills=skills,
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
    def update_profile(
        self,
        volunteer_id: UUID,
        *,
        phone: str | None = None,
        township: str | None = None,
        skills: list[str] | None = None,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.update_profile(
                phone=phone, township=township, skills=skills, actor=actor
            ),
        )

    @command
    def complete_training(
        self,
        volunteer_id: UUID,
        *,
        course: str,
        hours: Decimal,
        completed_on: date,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Training earns points per training hour under the rulebook in force that day."""
        volunteer = self.load(Volunteer, volunteer_id, expected_version)
        entry_id = volunteer.complete_training(
            course=course,
            hours=hours,
            completed_on=completed_on,
            rules=self.rules_on(completed_on),
            rulebook_hash=self.rulebook.file_hash,
            actor=actor,
        )
        return Recorded(
            volunteer.id, volunteer.version, self.record(volunteer), {"entry_id": entry_id}
        )

    @command
    def record_insurance(
        self,
        volunteer_id: UUID,
        *,
        policy_number: str,
        insurer: str,
        kind: InsuranceKind,
        covers_from: date,
        covers_to: date,
        sum_insured: Decimal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        policy = InsurancePolicy(
            policy_number.strip(), insurer.strip(), kind, covers_from, covers_to, sum_insured
        )
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.record_insurance(policy, actor),
        )

    @command
    def cancel_insurance(
        self,
        volunteer_id: UUID,
        *,
        policy_number: str,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.cancel_insurance(policy_number, reason, actor),
        )

    @command
    def commend_volunteer(
        self,
        volunteer_id: UUID,
        *,
        title: str,
        period: str,
        basis_position: int,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        self._check_basis(basis_position)
        volunteer = self.load(Volunteer, volunteer_id, expected_version)
        commendation_id = volunteer.grant_commendation(
            title=title, period=period, basis_position=basis_position, reason=reason, actor=actor
        )
        return Recorded(
            volunteer.id,
            volunteer.version,
            self.record(volunteer),
            {"commendation_id": commendation_id},
        )

    @command
    def revoke_commendation(
        self,
        volunteer_id: UUID,
        *,
        commendation_id: UUID,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.revoke_commendation(
                commendation_id=commendation_id, reason=reason, actor=actor
            ),
        )

    @command
    def certify_star_level(
        self,
        volunteer_id: UUID,
        *,
        level: int,
        basis_position: int,
        service_year: int,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Certify a star level for ``service_year``, reached by the volunteer's credited
        hours for service up to the end of that year (under the rules in force then)."""
        self._check_basis(basis_position)
        today = self.clock().astimezone(UTC).date()
        if not 2000 <= service_year <= today.year:
            raise invalid_value(
                "service_year",
                "service-year",
                f"service_year {service_year} must be from 2000 to this year ({today.year})",
            )
        volunteer = self.load(Volunteer, volunteer_id, expected_version)
        volunteer.certify_star_level(
            level=level,
            basis_position=basis_position,
            service_year=service_year,
            rules=self.rules_on(min(date(service_year, 12, 31), today)),
            actor=actor,
        )
        return self.recorded(volunteer)

    @command
    def redeem_points(
        self,
        volunteer_id: UUID,
        *,
        benefit: str,
        points: Decimal | None = None,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Redeem the rulebook's courtesy benefit ``benefit`` (its code) under the rules in
        force today; the new ``entry_id`` is in ``created`` (its voucher code is
        ``voucher_code(entry_id)``)."""
        rules = self.rules_today()
        found = rules.benefit(benefit)
        volunteer = self.load(Volunteer, volunteer_id, expected_version)
        entry_id = volunteer.redeem_benefit(benefit=found, rules=rules, actor=actor, points=points)
        return Recorded(
            volunteer.id,
            volunteer.version,
            self.record(volunteer),
            {"entry_id": entry_id},
        )

    @command
    def use_voucher(
        self,
        volunteer_id: UUID,
        *,
        code: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Redeem (核销) a courtesy voucher where the benefit is handed over: once only."""
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.use_voucher(code=code, actor=actor),
        )

    @command
    def reverse_award(
        self,
        volunteer_id: UUID,
        *,
        entry_id: UUID,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Reverse an award in full; the reversal names the award it reverses."""
        volunteer = self.load(Volunteer, volunteer_id, expected_version)
        award = volunteer.awards.get(entry_id)
        recorded_by: frozenset[str] = frozenset()
        if award is not None:
            activity = self.load(ServiceActivity, award.activity_id, read_only=True)
            recorded_by = activity.recorders_of(volunteer_id)
        reversal_id = volunteer.reverse_award(
            entry_id=entry_id, reason=reason, actor=actor, hours_recorded_by=recorded_by
        )
        return Recorded(
            volunteer.id, volunteer.version, self.record(volunteer), {"entry_id": reversal_id}
        )

    @command
    def suspend_volunteer(
        self, volunteer_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.suspend(reason=reason, actor=actor),
        )

    @command
    def reinstate_volunteer(
        self, volunteer_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.reinstate(reason=reason, actor=actor),
        )

    @command
    def withdraw_volunteer(
        self, volunteer_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            Volunteer,
            volunteer_id,
            expected_version,
            lambda volunteer: volunteer.withdraw(reason=reason, actor=actor),
        )
