"""The events behind an award, gathered for its explanation: the award in its volunteer's
history, the activity's events around it, the attendance it names, the insurance and the
same day's earlier awards it stood on, and what came after it (corrections, a reversal)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate

from application.errors import AuditMismatch
from application.readmodel.audit.explain_events import ExplainedEvent, described, event_kind
from application.readmodel.audit.positions import Trail
from domain.values import Interval
from domain.volunteer import Volunteer


def _for(volunteer_id: UUID, events: Iterable[Any], kinds: set[str]) -> list[Any]:
    return [e for e in events if event_kind(e) in kinds and e.volunteer_id == volunteer_id]


@dataclass(frozen=True)
class FoundAward:
    """The award event in its volunteer's history, its checked position, and the volunteer
    as it stood just before it."""

    entry_id: UUID
    volunteer_id: UUID
    history: list[Any]
    index: int
    position: int
    before: Volunteer

    @property
    def event(self) -> Any:
        return self.history[self.index]

    @property
    def earlier(self) -> list[Any]:
        return self.history[: self.index]

    @property
    def later(self) -> list[Any]:
        return self.history[self.index + 1 :]


def find_award(trail: Trail, entry_id: UUID, volunteer_id: UUID) -> FoundAward:
    history = trail.events(volunteer_id)
    index = _award_index(history, entry_id, volunteer_id)
    position = trail.checked(history[index])
    before = _volunteer_before(history[:index], entry_id, volunteer_id)
    return FoundAward(entry_id, volunteer_id, history, index, position, before)


def add_around_award(
    explained: Explained, found: FoundAward, day: date, policy: str | None, later: list[Any]
) -> Any | None:
    """Add the insurance recordings, the same day's earlier awards, the award itself, the
    corrections after it and its reversal, if any (which it returns)."""
    award = found.event
    _add_insurance(explained, found.earlier, {policy, award.insurance_policy})
    _add_same_day_awards(explained, found.earlier, found.before, day)
    explained.add("award", award)
    reversal = _reversal(found.later, found.entry_id)
    for e in _for(found.volunteer_id, later, {"ServiceActivity.AttendanceCorrected"}):
        explained.add("later_correction", e)
    if reversal is not None:
        explained.add("reversal", reversal)
    return reversal


def activity_around(
    trail: Trail, activity_id: UUID, entry_id: UUID, award_position: int
) -> tuple[Any, list[Any], list[Any]]:
    """The activity's planning event, its events up to the award and those after it."""
    activity_events = trail.events(activity_id)
    if not activity_events:
        raise AuditMismatch(f"award {entry_id}: the audit trail holds no events of {activity_id}")
    upto_award: list[Any] = []
    later: list[Any] = []
    for e in activity_events:
        (upto_award if trail.position(e) <= award_position else later).append(e)
    return activity_events[0], upto_award, later


class Explained:
    """The events an explanation shows, each with its role and its checked position."""

    def __init__(self, trail: Trail) -> None:
        self.trail = trail
        self.events: list[ExplainedEvent] = []

    def add(self, role: str, event: Any) -> None:
        self.events.append(described(role, self.trail.checked(event), event))

    def in_log_order(self) -> list[ExplainedEvent]:
        return sorted(self.events, key=lambda x: x.position)


def _award_index(history: list[Any], entry_id: UUID, volunteer_id: UUID) -> int:
    for i, e in enumerate(history):
        if event_kind(e) == "Volunteer.PointsAwarded" and e.entry_id == entry_id:
            return i
    raise AuditMismatch(
        f"the point ledger lists award {entry_id} for volunteer {volunteer_id}, "
        "but the volunteer's stored events hold no such award"
    )


def _volunteer_before(events: list[Any], entry_id: UUID, volunteer_id: UUID) -> Volunteer:
    """The volunteer as it stood just before the award."""
    before: Volunteer | None = project_aggregate(None, events)
    if before is None:
        raise AuditMismatch(f"award {entry_id} is the first event of volunteer {volunteer_id}")
    return before


_ATTENDANCE_ROLES = {
    "ServiceActivity.VolunteerSignedUp": "signed_up",
    "ServiceActivity.VolunteerWithdrew": "signup_withdrawn",
    "ServiceActivity.HoursRecorded": "hours_recorded",
    "ServiceActivity.AttendanceCorrected": "hours_corrected",
}


def attendance(
    explained: Explained,
    upto_award: list[Any],
    award: Any,
    volunteer_id: UUID,
    activity_id: UUID,
) -> tuple[Interval, Any]:
    """Add the volunteer's sign-up, hours and corrections and the verification; return the
    interval and source of the attendance version the award names."""
    attendance = _add_attendance(
        explained, _for(volunteer_id, upto_award, set(_ATTENDANCE_ROLES)), award
    )
    for e in upto_award:
        if event_kind(e) == "ServiceActivity.Verified":
            explained.add("verified", e)
    if award.attendance_version not in attendance:
        raise AuditMismatch(
            f"award {award.entry_id} names attendance version {award.attendance_version}, which "
            f"activity {activity_id} never recorded for volunteer {volunteer_id}"
        )
    return attendance[award.attendance_version]


def _add_attendance(
    explained: Explained, events: list[Any], award: Any
) -> dict[int, tuple[Interval, Any]]:
    """Add the volunteer's sign-up, hours and corrections; return each attendance version's
    interval and source (a correction keeps the source of the version it corrects)."""
    attendance: dict[int, tuple[Interval, Any]] = {}
    for e in events:
        kind = event_kind(e)
        explained.add(_ATTENDANCE_ROLES[kind], e)
        if kind == "ServiceActivity.HoursRecorded":
            attendance[e.attendance_version] = (e.interval, e.source)
        elif kind == "ServiceActivity.AttendanceCorrected":
            source = attendance[max(attendance)][1] if attendance else award.source
            attendance[e.attendance_version] = (e.interval, source)
    return attendance


def _add_insurance(explained: Explained, before_award: list[Any], policies: set[Any]) -> None:
    """Add the latest recording of each policy: the one covering the day, the one the award names."""
    for number in sorted(str(p) for p in policies - {None}):
        recorded = _latest_recording(before_award, number)
        if recorded is not None:
            explained.add("insurance", recorded)


def _latest_recording(before_award: list[Any], policy_number: str) -> Any | None:
    """The volunteer's last recording of the policy before the award, if any."""
    for e in reversed(before_award):
        if (
            event_kind(e) == "Volunteer.InsuranceRecorded"
            and e.policy.policy_number == policy_number
        ):
            return e
    return None


def _add_same_day_awards(
    explained: Explained, before_award: list[Any], before: Volunteer, day: date
) -> None:
    """Add the earlier awards of the same service date still standing (the daily cap)."""
    same_day = _standing_awards_on(before, day)
    for e in before_award:
        if event_kind(e) == "Volunteer.PointsAwarded" and e.entry_id in same_day:
            explained.add("same_day_award", e)


def _standing_awards_on(volunteer: Volunteer, day: date) -> set[UUID]:
    """The entry ids of the volunteer's awards for service on ``day`` not reversed."""
    return {
        a.entry_id for a in volunteer.awards.values() if a.service_date == day and not a.reversed
    }


def _reversal(after_award: list[Any], entry_id: UUID) -> Any | None:
    for e in after_award:
        if event_kind(e) == "Volunteer.PointsReversed" and e.reverses == entry_id:
            return e
    return None
