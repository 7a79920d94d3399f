"""Who takes part in an activity: sign-ups (within capacity) and the hours each served.

The ServiceActivity's commands for attendance, bound as its methods in
``domain.activity_commands`` (``self`` is the activity); the events they record are
applied in ``domain.activity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.activity_lifecycle import OPEN, require_status
from domain.errors import rule_violation
from domain.text import require_nonblank
from domain.values import ActivityStatus, Actor, HoursSource, Interval, check_text

if TYPE_CHECKING:
    from domain.activity import ServiceActivity


@dataclass(frozen=True)
class Attendance:
    """A participant's recorded service: the latest interval and who recorded it."""

    interval: Interval
    source: HoursSource
    version: int
    recorded_by: str


def sign_up(self: ServiceActivity, volunteer_id: UUID, actor: Actor) -> None:
    require_status(self, OPEN, "take sign-ups")
    if self.is_signed_up(volunteer_id):
        raise rule_violation(
            "signup-once",
            f"volunteer {volunteer_id} is already signed up to activity {self.id}",
        )
    if len(self.signups) >= self.capacity:
        raise rule_violation(
            "capacity", f"activity {self.id} is full: capacity {self.capacity} reached"
        )
    self._signed_up(volunteer_id=volunteer_id, actor=actor)


def withdraw_signup(self: ServiceActivity, volunteer_id: UUID, reason: str, actor: Actor) -> None:
    require_status(self, OPEN, "change sign-ups")
    check_text("reason", reason, multiline=True, required=False)
    if not self.is_signed_up(volunteer_id):
        raise rule_violation(
            "signup-unknown", f"volunteer {volunteer_id} is not signed up to activity {self.id}"
        )
    if volunteer_id in self.attendance:
        raise rule_violation(
            "signup-has-hours",
            f"volunteer {volunteer_id} has hours recorded on activity {self.id}: "
            "correct the hours instead of withdrawing",
        )
    self._signup_withdrawn(volunteer_id=volunteer_id, reason=reason, actor=actor)


def check_interval(activity: ServiceActivity, interval: Interval, tolerance: timedelta) -> None:
    """Hours lie within the activity's window, give or take ``tolerance``."""
    if not interval.within(activity.window, tolerance):
        raise rule_violation(
            "hours-in-window",
            f"hours {interval} lie outside activity {activity.id}'s window {activity.window} "
            f"(tolerance {int(tolerance.total_seconds() // 60)} min)",
        )


def record_hours(
    self: ServiceActivity,
    *,
    volunteer_id: UUID,
    interval: Interval,
    source: HoursSource,
    tolerance: timedelta,
    actor: Actor,
) -> int:
    """Record a participant's hours; someone not yet signed up is signed up if there is room."""
    require_status(self, (*OPEN, ActivityStatus.COMPLETED), "record hours")
    if volunteer_id in self.attendance:
        raise rule_violation(
            "hours-once",
            f"hours for volunteer {volunteer_id} are already recorded on activity {self.id}: "
            "send a correction",
        )
    check_interval(self, interval, tolerance)
    if not self.is_signed_up(volunteer_id):
        if self.status is ActivityStatus.COMPLETED:
            raise rule_violation(
                "signup-required",
                f"volunteer {volunteer_id} did not sign up to completed activity {self.id}",
            )
        self.sign_up(volunteer_id, actor)
    self._hours_recorded(
        volunteer_id=volunteer_id,
        interval=interval,
        source=source,
        attendance_version=1,
        actor=actor,
    )
    return 1


def correct_attendance(
    self: ServiceActivity,
    *,
    volunteer_id: UUID,
    interval: Interval,
    reason: str,
    tolerance: timedelta,
    actor: Actor,
) -> int:
    """Replace a participant's hours before verification (verification is the second pair
    of eyes); a verified participation is corrected by a proposal another person approves."""
    if self.status is ActivityStatus.VERIFIED:
        raise rule_violation(
            "correction-needs-approval",
            f"activity {self.id} is verified: a correction must be proposed and approved "
            "by another person",
            f"活动 {self.id} 已审核：更正须先提出，再由另一人批准",
        )
    require_status(self, (*OPEN, ActivityStatus.COMPLETED), "correct hours")
    current = check_correction(self, volunteer_id, interval, reason, tolerance)
    return apply_correction(self, volunteer_id, interval, reason.strip(), current, actor)


def check_correction(
    activity: ServiceActivity,
    volunteer_id: UUID,
    interval: Interval,
    reason: str,
    tolerance: timedelta,
) -> Attendance:
    """The attendance a correction replaces: recorded, with a reason, changed, in the window."""
    current = activity.attendance.get(volunteer_id)
    if current is None:
        raise rule_violation(
            "correction-names-hours",
            f"activity {activity.id} has no hours for volunteer {volunteer_id} to correct",
        )
    require_nonblank(reason, "reason-required", "a correction needs a reason")
    check_text("reason", reason, multiline=True, required=False)
    if interval == current.interval:
        raise rule_violation(
            "correction-changes",
            f"correction for volunteer {volunteer_id} repeats the recorded hours {interval}",
        )
    check_interval(activity, interval, tolerance)
    return current


def apply_correction(
    activity: ServiceActivity,
    volunteer_id: UUID,
    interval: Interval,
    reason: str,
    current: Attendance,
    actor: Actor,
    new_award: UUID | None = None,
) -> int:
    """Record the corrected hours as the participation's next attendance version."""
    version = current.version + 1
    activity._attendance_corrected(
        volunteer_id=volunteer_id,
        interval=interval,
        reason=reason,
        attendance_version=version,
        new_award=new_award,
        actor=actor,
    )
    return version
