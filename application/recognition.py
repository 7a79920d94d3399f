"""Use cases for what a volunteer earns and spends: training points, commendations, star
levels, courtesy benefits and their vouchers, and reversing an award."""

from __future__ import annotations

from datetime import UTC, date

from application.base import command
from application.commands.people import (
    CertifyStarLevel,
    CommendVolunteer,
    CompleteTraining,
    RedeemPoints,
    ReverseAward,
    RevokeCommendation,
    UseVoucher,
)
from application.results import Recorded
from application.teams import TeamCommands
from domain.activity import ServiceActivity
from domain.errors import invalid_value
from domain.values import Actor
from domain.volunteer import Volunteer


class RecognitionCommands(TeamCommands):
    @command
    def complete_training(self, cmd: CompleteTraining, *, actor: Actor) -> Recorded:
        """Training earns points per training hour under the rulebook in force that day."""
        volunteer = self.load(Volunteer, cmd.volunteer_id, cmd.expected_version)
        entry_id = volunteer.complete_training(
            course=cmd.course,
            hours=cmd.hours,
            completed_on=cmd.completed_on,
            rules=self.rules_on(cmd.completed_on),
            rulebook_hash=self.rulebook.file_hash,
            actor=actor,
        )
        return self.recorded(volunteer, entry_id=entry_id)

    @command
    def commend_volunteer(self, cmd: CommendVolunteer, *, actor: Actor) -> Recorded:
        """Commend a volunteer; ``created`` names the new ``commendation_id``."""
        self._check_basis(cmd.basis_position)
        volunteer = self.load(Volunteer, cmd.volunteer_id, cmd.expected_version)
        commendation_id = volunteer.grant_commendation(
            title=cmd.title,
            period=cmd.period,
            basis_position=cmd.basis_position,
            reason=cmd.reason,
            actor=actor,
        )
        return self.recorded(volunteer, commendation_id=commendation_id)

    @command
    def revoke_commendation(self, cmd: RevokeCommendation, *, actor: Actor) -> Recorded:
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.revoke_commendation(
                commendation_id=cmd.commendation_id, reason=cmd.reason, actor=actor
            ),
        )

    @command
    def certify_star_level(self, cmd: CertifyStarLevel, *, actor: Actor) -> Recorded:
        """Certify a star level for ``service_year``, reached by the volunteer's credited
        hours for service up to the end of that year (under the rules in force then)."""
        self._check_basis(cmd.basis_position)
        today = self.clock().astimezone(UTC).date()
        if not 2000 <= cmd.service_year <= today.year:
            raise invalid_value(
                "service_year",
                "service-year",
                f"service_year {cmd.service_year} must be from 2000 to this year ({today.year})",
            )
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.certify_star_level(
                level=cmd.level,
                basis_position=cmd.basis_position,
                service_year=cmd.service_year,
                rules=self.rules_on(min(date(cmd.service_year, 12, 31), today)),
                actor=actor,
            ),
        )

    @command
    def redeem_points(self, cmd: RedeemPoints, *, actor: Actor) -> Recorded:
        """Redeem the rulebook's courtesy benefit ``cmd.benefit`` (its code) under the rules
        in force today; the new ``entry_id`` is in ``created`` (its voucher code is
        ``voucher_code(entry_id)``)."""
        rules = self.rules_today()
        found = rules.benefit(cmd.benefit)
        volunteer = self.load(Volunteer, cmd.volunteer_id, cmd.expected_version)
        entry_id = volunteer.redeem_benefit(
            benefit=found, rules=rules, actor=actor, points=cmd.points
        )
        return self.recorded(volunteer, entry_id=entry_id)

    @command
    def use_voucher(self, cmd: UseVoucher, *, actor: Actor) -> Recorded:
        """Redeem (核销) a courtesy voucher where the benefit is handed over: once only."""
        return self.change(
            Volunteer,
            cmd.volunteer_id,
            cmd.expected_version,
            lambda volunteer: volunteer.use_voucher(code=cmd.code, actor=actor),
        )

    @command
    def reverse_award(self, cmd: ReverseAward, *, actor: Actor) -> Recorded:
        """Reverse an award in full; the reversal names the award it reverses, and its
        ``entry_id`` is in ``created``."""
        volunteer = self.load(Volunteer, cmd.volunteer_id, cmd.expected_version)
        award = volunteer.awards.get(cmd.entry_id)
        recorded_by: frozenset[str] = frozenset()
        if award is not None:
            activity = self.load(ServiceActivity, award.activity_id, read_only=True)
            recorded_by = activity.recorders_of(cmd.volunteer_id)
        reversal_id = volunteer.reverse_award(
            entry_id=cmd.entry_id, reason=cmd.reason, actor=actor, hours_recorded_by=recorded_by
        )
        return self.recorded(volunteer, entry_id=reversal_id)
