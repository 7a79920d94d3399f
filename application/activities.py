"""Use cases for service activities: planning, attendance, outcomes and verification."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from application.base import command
from application.errors import BulkRejected, NotFound, RowError
from application.needs import NeedCommands
from application.results import AwardResult, FeedbackResult, HoursRow, Recorded, Verification
from domain.activity import ServiceActivity
from domain.awards import AwardRef, derived_entry_id
from domain.errors import DomainError, rule_violation
from domain.rulebook import RulebookVersion
from domain.team import VolunteerTeam
from domain.values import (
    ActivityStatus,
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaLevel,
    Rater,
)
from domain.volunteer import Volunteer

_Terms = tuple[RulebookVersion, date, timedelta]


class ActivityCommands(NeedCommands):
    @command
    def plan_activity(
        self,
        *,
        title: str,
        category: Category,
        team_id: UUID,
        township: str,
        station_id: UUID,
        location: str,
        window: Interval,
        beneficiary_types: list[BeneficiaryType],
        capacity: int,
        actor: Actor,
        project_id: UUID | None = None,
    ) -> Recorded:
        """Plan an activity for an existing team at a registered station, in a category the
        rulebook knows; ``project_id``: the active project of the library it serves."""
        self.rules_for(window).category(category)
        station = self.registered_station(station_id, "have new activities")
        if project_id is not None:
            self.active_project(project_id, "have new activities")
        team = self.load(VolunteerTeam, team_id, read_only=True)
        if team.dissolved:
            raise rule_violation("team-dissolved", f"team {team_id} is dissolved")
        activity = ServiceActivity.plan(
            title=title,
            category=category,
            team_id=team_id,
            township=township,
            station=station.name,
            station_id=station.id,
            location=location,
            window=window,
            beneficiary_types=beneficiary_types,
            capacity=capacity,
            actor=actor,
            project_id=project_id,
        )
        return self.recorded(activity)

    @command
    def publish_activity(
        self, activity_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            ServiceActivity, activity_id, expected_version, lambda activity: activity.publish(actor)
        )

    @command
    def sign_up(
        self,
        activity_id: UUID,
        *,
        volunteer_id: UUID,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        activity = self.load(ServiceActivity, activity_id, expected_version)
        self.load(Volunteer, volunteer_id, read_only=True).require_active("sign up")
        activity.sign_up(volunteer_id, actor)
        return self.recorded(activity)

    @command
    def withdraw_signup(
        self,
        activity_id: UUID,
        *,
        volunteer_id: UUID,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            ServiceActivity,
            activity_id,
            expected_version,
            lambda activity: activity.withdraw_signup(volunteer_id, reason, actor),
        )

    def _terms(self, interval: Interval, known: dict[datetime, _Terms]) -> _Terms:
        """The rules in force for hours starting when ``interval`` does, its service date
        under them and their window tolerance — worked out once per start time of a
        sheet (they depend on the start instant only)."""
        found = known.get(interval.start)
        if found is None:
            rules = self.rules_for(interval)
            found = known[interval.start] = (
                rules,
                interval.local_date(rules.utc_offset),
                self.tolerance(rules),
            )
        return found

    def _admit(
        self,
        activity: ServiceActivity,
        row: HoursRow,
        actor: Actor,
        known: dict[datetime, _Terms] | None = None,
        volunteers: dict[UUID, Volunteer] | None = None,
    ) -> None:
        """Check the volunteer may serve then, and record the hours on the activity
        (``volunteers``: those already loaded, by id)."""
        volunteer = None if volunteers is None else volunteers.get(row.volunteer_id)
        if volunteer is None:
            volunteer = self.load(Volunteer, row.volunteer_id, read_only=True)
        volunteer.require_active("serve")
        rules, day, tolerance = self._terms(row.interval, {} if known is None else known)
        volunteer.check_no_overlap(row.interval, activity.id)
        volunteer.check_insured(rules, activity.category, day)
        activity.record_hours(
            volunteer_id=row.volunteer_id,
            interval=row.interval,
            source=row.source,
            tolerance=tolerance,
            actor=actor,
        )

    @command
    def record_hours(
        self,
        activity_id: UUID,
        *,
        volunteer_id: UUID,
        interval: Interval,
        source: HoursSource,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a participant's service hours (insurance and overlaps are checked now)."""
        activity = self.load(ServiceActivity, activity_id, expected_version)
        self._admit(activity, HoursRow(volunteer_id, interval, source), actor)
        return self.recorded(activity)

    @command
    def record_hours_bulk(
        self,
        activity_id: UUID,
        *,
        rows: list[HoursRow],
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a whole sign-in sheet atomically: every bad row is reported, or all are recorded."""
        activity = self.load(ServiceActivity, activity_id, expected_version)
        if not rows:
            raise BulkRejected([RowError(0, "rows", "the sheet has no rows")])
        errors = self._admit_sheet(activity, rows, actor)
        if errors:
            raise BulkRejected(errors)
        return self.recorded(activity)

    def check_hours_bulk(self, activity_id: UUID, *, rows: list[HoursRow], actor: Actor) -> None:
        """The rows of a sheet already refused for rows that could not be read, checked as
        :meth:`record_hours_bulk` would (raising ``BulkRejected`` naming the bad ones), so
        one answer names every bad row. Records nothing."""
        activity = self.load(ServiceActivity, activity_id)
        errors = self._admit_sheet(activity, rows, actor)
        if errors:
            raise BulkRejected(errors)

    def _admit_sheet(
        self, activity: ServiceActivity, rows: list[HoursRow], actor: Actor
    ) -> list[RowError]:
        errors: list[RowError] = []
        known: dict[datetime, _Terms] = {}
        volunteers = self.load_many(Volunteer, (row.volunteer_id for row in rows))
        for line, row in enumerate(rows, start=1):
            try:
                self._admit(activity, row, actor, known, volunteers)
            except NotFound as e:
                errors.append(RowError(line, "volunteer_id", str(e), message_zh="没有这名志愿者"))
            except DomainError as e:
                errors.append(RowError(line, _row_field(e.rule), str(e), e.rule, e.message_zh))
        return errors

    @command
    def correct_hours(
        self,
        activity_id: UUID,
        *,
        volunteer_id: UUID,
        interval: Interval,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Correct a participant's hours. Before verification the correction applies at once
        (verification is the second pair of eyes); after it, the correction is only
        *proposed* (``created["correction_id"]``) and changes no ledger until another
        person approves it (:meth:`approve_correction`)."""
        activity = self.load(ServiceActivity, activity_id, expected_version)
        rules = self.rules_for(interval)
        if activity.status is ActivityStatus.VERIFIED:
            correction_id = derived_entry_id("correction", activity.id, activity.version + 1)
            activity.propose_correction(
                correction_id=correction_id,
                volunteer_id=volunteer_id,
                interval=interval,
                reason=reason,
                tolerance=self.tolerance(rules),
                actor=actor,
            )
            return Recorded(
                activity.id,
                activity.version,
                self.record(activity),
                {"correction_id": correction_id},
            )
        if volunteer_id in activity.attendance:
            volunteer = self.load(Volunteer, volunteer_id, read_only=True)
            volunteer.check_no_overlap(interval, activity.id)
        activity.correct_attendance(
            volunteer_id=volunteer_id,
            interval=interval,
            reason=reason,
            tolerance=self.tolerance(rules),
            actor=actor,
        )
        return self.recorded(activity)

    @command
    def approve_correction(
        self,
        activity_id: UUID,
        *,
        correction_id: UUID,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Verification:
        """Approve a proposed correction (by someone other than its proposer and whoever
        recorded the hours): the standing award is reversed and the new hours awarded, in
        one atomic save, both naming the correction."""
        activity = self.load(ServiceActivity, activity_id, expected_version)
        proposal = activity.open_proposal(correction_id, actor, "approve")
        volunteer_id = proposal.volunteer_id
        current = activity.attendance[volunteer_id]
        rules = self.rules_for(proposal.interval)
        volunteer = self.load(Volunteer, volunteer_id)
        cause = f"correction {correction_id} approved: {proposal.reason}"
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
            correction_id=correction_id,
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
    def reject_correction(
        self,
        activity_id: UUID,
        *,
        correction_id: UUID,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        """Close a proposed correction without applying it, giving the reason."""
        return self.change(
            ServiceActivity,
            activity_id,
            expected_version,
            lambda activity: activity.reject_correction(
                correction_id=correction_id, reason=reason, actor=actor
            ),
        )

    @command
    def record_beneficiaries(
        self,
        activity_id: UUID,
        *,
        counts: dict[BeneficiaryType, int],
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            ServiceActivity,
            activity_id,
            expected_version,
            lambda activity: activity.record_beneficiaries(counts, actor),
        )

    @command
    def record_feedback(
        self,
        activity_id: UUID,
        *,
        satisfaction: int,
        comment: str,
        actor: Actor,
        rater: Rater | None = None,
        given_on: date | None = None,
        expected_version: int | None = None,
    ) -> FeedbackResult:
        """A rating by ``rater`` (None: anonymous, and marked so) given on ``given_on`` (None:
        today). It counts only within the feedback window of the rulebook version in force
        on the activity's service date; outside it, it is recorded, flagged and not counted."""
        activity = self.load(ServiceActivity, activity_id, expected_version)
        rules = self.rules_for(activity.window)
        today = (self.clock().astimezone(UTC) + rules.utc_offset).date()
        given = today if given_on is None else given_on
        counted = activity.record_feedback(
            satisfaction,
            comment,
            actor,
            rater=Rater(BeneficiaryType.PUBLIC, None, anonymous=True) if rater is None else rater,
            given_on=given,
            today=today,
            window_days=rules.feedback_window_days,
            utc_offset=rules.utc_offset,
        )
        return FeedbackResult(
            activity.id, activity.version, self.record(activity), counted=counted, given_on=given
        )

    @command
    def record_media(
        self,
        activity_id: UUID,
        *,
        outlet: str,
        level: MediaLevel,
        url: str,
        published_on: date,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Recorded:
        return self.change(
            ServiceActivity,
            activity_id,
            expected_version,
            lambda activity: activity.record_media(
                outlet=outlet, level=level, url=url, published_on=published_on, actor=actor
            ),
        )

    @command
    def complete_activity(
        self, activity_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            ServiceActivity,
            activity_id,
            expected_version,
            lambda activity: activity.complete(actor),
        )

    @command
    def cancel_activity(
        self, activity_id: UUID, *, reason: str, actor: Actor, expected_version: int | None = None
    ) -> Recorded:
        return self.change(
            ServiceActivity,
            activity_id,
            expected_version,
            lambda activity: activity.cancel(reason, actor),
        )

    @command
    def verify_activity(
        self, activity_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> Verification:
        """Verify a completed activity and award points to every participant, in one atomic save.

        Award ids derive from (activity, volunteer, attendance version): a retried
        verification names the same awards and is refused by the verify-once rule.
        """
        activity = self.load(ServiceActivity, activity_id, expected_version)
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


_ROW_FIELDS = {
    "hours-in-window": "started_at",
    "interval-order": "ended_at",
    "insurance-required": "volunteer_id",
    "overlapping-service": "started_at",
    "hours-once": "volunteer_id",
    "capacity": "volunteer_id",
    "signup-required": "volunteer_id",
    "volunteer-not-active": "volunteer_id",
}


def _row_field(rule: str) -> str:
    return _ROW_FIELDS.get(rule, "row")
