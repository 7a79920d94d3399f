"""Use cases for an activity's life: plan, publish, sign-ups, complete or cancel, verify.

Hours and sign-in sheets (:mod:`application.hours`), corrections (:mod:`application.corrections`)
and outcomes (:mod:`application.outcomes`) are their own use cases; :class:`ActivityCommands`
holds them all."""

from __future__ import annotations

from application.base import command
from application.commands.activities import (
    CancelActivity,
    CompleteActivity,
    PlanActivity,
    PublishActivity,
    SignUp,
    VerifyActivity,
    WithdrawSignup,
)
from application.corrections import CorrectionCommands
from application.hours import HoursCommands
from application.needs import NeedCommands
from application.outcomes import OutcomeCommands
from application.results import AwardResult, Recorded, Verification
from domain.activity import ServiceActivity
from domain.awards import AwardRef
from domain.errors import rule_violation
from domain.team import VolunteerTeam
from domain.values import Actor
from domain.volunteer import Volunteer


class ActivityCommands(HoursCommands, CorrectionCommands, OutcomeCommands, NeedCommands):
    @command
    def plan_activity(self, cmd: PlanActivity, *, actor: Actor) -> Recorded:
        """Plan an activity for an existing team at a registered station, in a category the
        rulebook knows; ``project_id``: the active project of the library it serves."""
        self.rules_for(cmd.window).category(cmd.category)
        station = self.registered_station(cmd.station_id, "have new activities")
        if cmd.project_id is not None:
            self.active_project(cmd.project_id, "have new activities")
        team = self.load(VolunteerTeam, cmd.team_id, read_only=True)
        if team.dissolved:
            raise rule_violation("team-dissolved", f"team {cmd.team_id} is dissolved")
        activity = ServiceActivity.plan(
            title=cmd.title,
            category=cmd.category,
            team_id=cmd.team_id,
            township=cmd.township,
            station=station.name,
            station_id=station.id,
            location=cmd.location,
            window=cmd.window,
            beneficiary_types=cmd.beneficiary_types,
            capacity=cmd.capacity,
            actor=actor,
            project_id=cmd.project_id,
        )
        return self.recorded(activity)

    @command
    def publish_activity(self, cmd: PublishActivity, *, actor: Actor) -> Recorded:
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.publish(actor),
        )

    @command
    def sign_up(self, cmd: SignUp, *, actor: Actor) -> Recorded:
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        self.load(Volunteer, cmd.volunteer_id, read_only=True).require_active("sign up")
        activity.sign_up(cmd.volunteer_id, actor)
        return self.recorded(activity)

    @command
    def withdraw_signup(self, cmd: WithdrawSignup, *, actor: Actor) -> Recorded:
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.withdraw_signup(cmd.volunteer_id, cmd.reason, actor),
        )

    @command
    def complete_activity(self, cmd: CompleteActivity, *, actor: Actor) -> Recorded:
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.complete(actor),
        )

    @command
    def cancel_activity(self, cmd: CancelActivity, *, actor: Actor) -> Recorded:
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.cancel(cmd.reason, actor),
        )

    @command
    def verify_activity(self, cmd: VerifyActivity, *, actor: Actor) -> Verification:
        """Verify a completed activity and award points to every participant, in one atomic save.

        Award ids derive from (activity, volunteer, attendance version): a retried
        verification names the same awards and is refused by the verify-once rule.
        """
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        activity.check_verifiable(actor)
        volunteers: list[Volunteer] = []
        results: list[AwardResult] = []
        for volunteer_id in activity.participants():
            attendance = activity.attendance[volunteer_id]
            volunteer = self.load(Volunteer, volunteer_id)
            rules = self.rules_for(attendance.interval)
            entry_id = volunteer.award_points(
                activity_id=activity.id,
                category=activity.category,
                interval=attendance.interval,
                source=attendance.source,
                attendance_version=attendance.version,
                rules=rules,
                rulebook_hash=self.rulebook.file_hash,
                actor=actor,
            )
            award = volunteer.awards[entry_id]
            volunteers.append(volunteer)
            results.append(
                AwardResult(entry_id, volunteer_id, award.hours, award.points, rules.version)
            )
        activity.verify([AwardRef(r.volunteer_id, r.entry_id) for r in results], actor)
        position = self.record(activity, *volunteers)
        return Verification(activity.id, activity.version, position, results)
