"""An activity's life: planned, published, completed, verified (four eyes) or cancelled.

The ServiceActivity's commands for its status, bound as its methods in
``domain.activity_commands`` (``self`` is the activity); the events they record are
applied in ``domain.activity``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.awards import AwardRef
from domain.errors import rule_violation
from domain.text import require_filled, require_nonblank
from domain.values import ActivityStatus, Actor, BeneficiaryType, Category, Interval, check_text

if TYPE_CHECKING:
    from domain.activity import ServiceActivity

# Statuses in which an activity still takes sign-ups.
OPEN = (ActivityStatus.PLANNED, ActivityStatus.PUBLISHED)


def require_status(
    activity: ServiceActivity, allowed: tuple[ActivityStatus, ...], doing: str
) -> None:
    if activity.status not in allowed:
        raise rule_violation(
            f"activity-{activity.status.value}",
            f"activity {activity.id} is {activity.status.value}: cannot {doing}",
        )


def plan(
    cls: type[ServiceActivity],
    *,
    title: str,
    category: Category,
    team_id: UUID,
    township: str,
    station: str,
    location: str,
    window: Interval,
    beneficiary_types: list[BeneficiaryType],
    capacity: int,
    actor: Actor,
    station_id: UUID | None = None,
    project_id: UUID | None = None,
) -> ServiceActivity:
    """``station``: the name of the station ``station_id`` (registered, open)."""
    _check_plan(title, township, station, location, window, capacity)
    return cls(
        title=title.strip(),
        category=category,
        team_id=team_id,
        township=township.strip(),
        station=station.strip(),
        station_id=station_id,
        location=location.strip(),
        window=window,
        beneficiary_types=list(dict.fromkeys(beneficiary_types)),
        capacity=capacity,
        project_id=project_id,
        actor=actor,
    )


def _check_plan(
    title: str, township: str, station: str, location: str, window: Interval, capacity: int
) -> None:
    require_filled("activity", ("title", title), ("township", township), ("station", station))
    for field, value in (("title", title), ("township", township), ("station", station)):
        check_text(field, value)
    check_text("location", location, required=False)
    if capacity < 1:
        raise rule_violation("capacity-positive", f"capacity {capacity} must be at least 1")
    if window.duration > timedelta(days=31):
        raise rule_violation("activity-window", f"activity window {window} is longer than 31 days")


def publish(self: ServiceActivity, actor: Actor) -> None:
    require_status(self, (ActivityStatus.PLANNED,), "publish")
    self._published(actor=actor)


def complete(self: ServiceActivity, actor: Actor) -> None:
    require_status(self, OPEN, "complete")
    self._completed(actor=actor)


def check_verifiable(self: ServiceActivity, actor: Actor) -> None:
    """Verification needs completion, a different person than the recorders, and happens once."""
    if self.status is ActivityStatus.VERIFIED:
        raise rule_violation(
            "verify-once", f"activity {self.id} is already verified by {self.verified_by}"
        )
    if self.status is not ActivityStatus.COMPLETED:
        raise rule_violation(
            "verify-after-completion",
            f"activity {self.id} is {self.status.value}: only a completed activity is verified",
        )
    if self.recorded_hours_here(actor.user_id):
        raise rule_violation(
            "four-eyes",
            f"{actor.user_id} recorded hours on activity {self.id} and cannot also verify it",
            f"双人复核：{actor.user_id} 在活动 {self.id} 登记了服务时长，不能再审核该活动",
        )


def verify(self: ServiceActivity, awards: list[AwardRef], actor: Actor) -> None:
    check_verifiable(self, actor)
    self._verified(awards=awards, actor=actor)


def cancel(self: ServiceActivity, reason: str, actor: Actor) -> None:
    require_status(self, (*OPEN, ActivityStatus.COMPLETED), "cancel")
    require_nonblank(reason, "reason-required", "a cancellation needs a reason")
    check_text("reason", reason, multiline=True, required=False)
    self._cancelled(reason=reason.strip(), actor=actor)
