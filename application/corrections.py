"""Use cases for correcting recorded hours: at once before verification; after it, proposed
and applied only when a second person approves (four eyes)."""

from __future__ import annotations

from uuid import UUID

from application.base import LedgerBase, command
from application.commands.activities import ApproveCorrection, CorrectHours, RejectCorrection
from application.results import AwardResult, Recorded, Verification
from domain.activity import ServiceActivity
from domain.awards import derived_entry_id
from domain.values import ActivityStatus, Actor
from domain.volunteer import Volunteer


class CorrectionCommands(LedgerBase):
    @command
    def correct_hours(self, cmd: CorrectHours, *, actor: Actor) -> Recorded:
        """Correct a participant's hours. Before verification the correction applies at once
        (verification is the second pair of eyes); after it, the correction is only
        *proposed* (``created["correction_id"]``) and changes no ledger until another
        person approves it (:meth:`approve_correction`)."""
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        tolerance = self.tolerance(self.rules_for(cmd.interval))
        if activity.status is ActivityStatus.VERIFIED:
            correction_id = derived_entry_id("correction", activity.id, activity.version + 1)
            activity.propose_correction(
                correction_id=correction_id,
                volunteer_id=cmd.volunteer_id,
                interval=cmd.interval,
                reason=cmd.reason,
                tolerance=tolerance,
                actor=actor,
            )
            return self.recorded(activity, correction_id=correction_id)
        if cmd.volunteer_id in activity.attendance:
            volunteer = self.load(Volunteer, cmd.volunteer_id, read_only=True)
            volunteer.check_no_overlap(cmd.interval, activity.id)
        activity.correct_attendance(
            volunteer_id=cmd.volunteer_id,
            interval=cmd.interval,
            reason=cmd.reason,
            tolerance=tolerance,
            actor=actor,
        )
        return self.recorded(activity)

    @command
    def approve_correction(self, cmd: ApproveCorrection, *, actor: Actor) -> Verification:
        """Approve a proposed correction (by someone other than its proposer and whoever
        recorded the hours): the standing award is reversed and the new hours awarded, in
        one atomic save, both naming the correction."""
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        proposal = activity.open_proposal(cmd.correction_id, actor, "approve")
        volunteer_id = proposal.volunteer_id
        current = activity.attendance[volunteer_id]
        rules = self.rules_for(proposal.interval)
        volunteer = self.load(Volunteer, volunteer_id)
        cause = f"correction {cmd.correction_id} approved: {proposal.reason}"
        created: dict[str, UUID] = {}
        # The standing award may be a later one than the verification made (credited again
        # when earlier service that day was verified after it).
        for standing in volunteer.standing_awards_for(activity.id):
            created["reversal_id"] = volunteer.reverse_award(
                entry_id=standing,
                reason=cause,
                actor=actor,
                hours_recorded_by=activity.recorders_of(volunteer_id),
            )
        entry_id = volunteer.award_points(
            activity_id=activity.id,
            category=activity.category,
            interval=proposal.interval,
            source=current.source,
            attendance_version=current.version + 1,
            rules=rules,
            rulebook_hash=self.rulebook.file_hash,
            actor=actor,
        )
        activity.approve_correction(
            correction_id=cmd.correction_id,
            tolerance=self.tolerance(rules),
            new_award=entry_id,
            actor=actor,
        )
        created["entry_id"] = entry_id
        award = volunteer.awards[entry_id]
        result = AwardResult(entry_id, volunteer_id, award.hours, award.points, rules.version)
        position = self.record(activity, volunteer)
        return Verification(activity.id, activity.version, position, [result], created)

    @command
    def reject_correction(self, cmd: RejectCorrection, *, actor: Actor) -> Recorded:
        """Close a proposed correction without applying it, giving the reason."""
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.reject_correction(
                correction_id=cmd.correction_id, reason=cmd.reason, actor=actor
            ),
        )
