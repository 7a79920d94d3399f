"""Use cases for what an activity achieved: the people it served, their ratings and the
media that covered it."""

from __future__ import annotations

from datetime import UTC

from application.base import LedgerBase, command
from application.commands.activities import RecordBeneficiaries, RecordFeedback, RecordMedia
from application.results import FeedbackResult, Recorded
from domain.activity import ServiceActivity
from domain.values import Actor, BeneficiaryType, Rater

_ANONYMOUS = Rater(BeneficiaryType.PUBLIC, None, anonymous=True)


class OutcomeCommands(LedgerBase):
    @command
    def record_beneficiaries(self, cmd: RecordBeneficiaries, *, actor: Actor) -> Recorded:
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.record_beneficiaries(cmd.counts, actor),
        )

    @command
    def record_feedback(self, cmd: RecordFeedback, *, actor: Actor) -> FeedbackResult:
        """A rating by ``cmd.rater`` (None: anonymous, and marked so) given on
        ``cmd.given_on`` (None: today). It counts only within the feedback window of the
        rulebook version in force on the activity's service date; outside it, it is
        recorded, flagged and not counted."""
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        rules = self.rules_for(activity.window)
        today = (self.clock().astimezone(UTC) + rules.utc_offset).date()
        given = today if cmd.given_on is None else cmd.given_on
        counted = activity.record_feedback(
            cmd.satisfaction,
            cmd.comment,
            actor,
            rater=_ANONYMOUS if cmd.rater is None else cmd.rater,
            given_on=given,
            today=today,
            window_days=rules.feedback_window_days,
            utc_offset=rules.utc_offset,
        )
        return FeedbackResult(
            activity.id, activity.version, self.record(activity), counted=counted, given_on=given
        )

    @command
    def record_media(self, cmd: RecordMedia, *, actor: Actor) -> Recorded:
        return self.change(
            ServiceActivity,
            cmd.activity_id,
            cmd.expected_version,
            lambda activity: activity.record_media(
                outlet=cmd.outlet,
                level=cmd.level,
                url=cmd.url,
                published_on=cmd.published_on,
                actor=actor,
            ),
        )
