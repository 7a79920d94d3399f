"""What an activity achieved: the people served, their ratings and the media coverage.

The ServiceActivity's commands for outcomes, bound as its methods in
``domain.activity_commands`` (``self`` is the activity); the events they record are
applied in ``domain.activity``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from domain.activity_lifecycle import OPEN, require_status
from domain.errors import invalid_value, rule_violation
from domain.text import require_nonblank
from domain.values import (
    ActivityStatus,
    Actor,
    BeneficiaryType,
    MediaCoverage,
    MediaLevel,
    Rater,
    check_text,
)

if TYPE_CHECKING:
    from domain.activity import ServiceActivity


def record_beneficiaries(
    self: ServiceActivity, counts: dict[BeneficiaryType, int], actor: Actor
) -> None:
    require_status(self, (*OPEN, ActivityStatus.COMPLETED), "record people served")
    if not counts:
        raise rule_violation("beneficiaries-counts", "counts must name at least one type")
    for kind, n in counts.items():
        if n < 0:
            raise rule_violation(
                "beneficiaries-counts", f"count for {kind.value} must not be negative ({n})"
            )
    self._beneficiaries_served(
        counts={k.value: n for k, n in sorted(counts.items(), key=lambda kv: kv[0].value)},
        actor=actor,
    )


def record_feedback(
    self: ServiceActivity,
    satisfaction: int,
    comment: str,
    actor: Actor,
    *,
    rater: Rater,
    given_on: date,
    today: date,
    window_days: int,
    utc_offset: timedelta,
) -> bool:
    """Record a rating; True when it counts in rankings and eligibility (given within
    ``window_days`` after the activity ended). One rating per named rater per activity."""
    require_status(
        self, (*OPEN, ActivityStatus.COMPLETED, ActivityStatus.VERIFIED), "take feedback"
    )
    kind = _check_rating(satisfaction, comment, rater)
    _check_given_on(self, given_on, today, utc_offset)
    if self.has_rated(rater):
        raise rule_violation(
            "duplicate-rating",
            f"{kind.value} {rater.reference!r} has already rated activity "
            f"{self.id}: one rating per rater per activity",
            f"服务对象 {rater.reference} 已对该活动作出评价：每位服务对象对同一活动只能评价一次",
        )
    counted = given_on <= self.window.local_end_date(utc_offset) + timedelta(days=window_days)
    self._feedback_recorded(
        satisfaction=satisfaction,
        comment=comment,
        rater=rater,
        given_on=given_on,
        counted=counted,
        window_days=window_days,
        actor=actor,
    )
    return counted


def _check_rating(satisfaction: int, comment: str, rater: Rater) -> BeneficiaryType:
    """A score from 1 to 5, a readable comment, and a rater of a named type (returned)."""
    if not 1 <= satisfaction <= 5:
        raise rule_violation(
            "satisfaction-range", f"satisfaction {satisfaction} must be from 1 to 5"
        )
    check_text("comment", comment, multiline=True, required=False)
    if rater.beneficiary_type is None:
        raise invalid_value(
            "rater.beneficiary_type", "rater-required", "a rating names its rater's type"
        )
    if rater.reference is not None:
        check_text("rater.reference", rater.reference, max_length=100)
    return rater.beneficiary_type


def _check_given_on(
    activity: ServiceActivity, given_on: date, today: date, utc_offset: timedelta
) -> None:
    """A rating is given no later than today and no earlier than the activity starts."""
    if given_on > today:
        raise invalid_value(
            "given_on", "feedback-date-future", f"given_on {given_on} is after today {today}"
        )
    starts = activity.window.local_date(utc_offset)
    if given_on < starts:
        raise rule_violation(
            "feedback-before-activity",
            f"a rating given on {given_on} predates activity {activity.id}, which starts {starts}",
            f"评价日期 {given_on} 早于活动开始日期 {starts}",
        )


def record_media(
    self: ServiceActivity,
    *,
    outlet: str,
    level: MediaLevel,
    url: str,
    published_on: date,
    actor: Actor,
) -> None:
    require_status(
        self, (*OPEN, ActivityStatus.COMPLETED, ActivityStatus.VERIFIED), "record media coverage"
    )
    require_nonblank(outlet, "required-field", "media coverage needs an outlet")
    check_text("outlet", outlet)
    check_text("url", url, max_length=2000, required=False)
    if published_on < self.window.start.date() - timedelta(days=1):
        raise rule_violation(
            "media-after-activity",
            f"coverage published on {published_on} predates activity {self.id}",
        )
    coverage = MediaCoverage(outlet.strip(), level, url.strip(), published_on)
    self._media_recorded(coverage=coverage, actor=actor)
