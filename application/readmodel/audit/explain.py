"""Explain an award: the events behind it, read from the event store, and its recomputation.

The point-ledger read model only *locates* the award (entry id → volunteer and
activity); the audit trail maps each event to its log position, and every position
shown is checked against the store's own record at that position. Every figure
comes from the stored events: the activity's planning (category), the volunteer's
attendance at the version the award names (interval, source), the volunteer's state
just before the award (hours already credited that day, the insurance covering the
service date) — and the points are recomputed with the pure formula under the
rulebook version the award recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, project_aggregate

from application.errors import AuditMismatch, NotAnAward, NotFound
from application.readmodel.audit.explain_events import ExplainedEvent, described, event_kind
from application.readmodel.store import RowReader
from application.readmodel.tables import AUDIT_EVENT, ENTRY
from domain.errors import DomainError
from domain.points import AwardFigures, compute_award
from domain.rulebook import Rulebook, RulebookVersion
from domain.values import Category, HoursSource, Interval
from domain.volunteer import Volunteer


@dataclass(frozen=True)
class AwardInputs:
    """What the points formula was given, and what it worked out along the way."""

    category: str
    interval_start: datetime
    interval_end: datetime
    source: str
    attendance_version: int
    service_date: date
    minutes: Decimal
    rounded_hours: Decimal
    already_credited_that_day: Decimal
    daily_cap_hours: Decimal
    credited_hours: Decimal
    multiplier: Decimal
    points_per_hour: Decimal
    earns_points: bool


@dataclass(frozen=True)
class AwardExplanation:
    entry_id: UUID
    volunteer_id: UUID
    activity_id: UUID
    position: int
    points: Decimal
    hours: Decimal
    recomputed_points: Decimal
    recomputed_hours: Decimal
    rulebook_version: str
    rulebook_sha256: str
    loaded_rulebook_sha256: str
    insurance_policy: str | None
    recomputed_insurance_policy: str | None
    uninsured_flag: bool
    reversed_by: UUID | None
    inputs: AwardInputs
    checks: dict[str, bool]
    events: list[ExplainedEvent] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        """The recomputation agrees with what the award recorded, on every check."""
        return all(self.checks.values())


class _Trail:
    """Log positions of an aggregate's events, from the audit trail, checked against the store."""

    def __init__(self, app: Application[UUID], reads: RowReader) -> None:
        self.app = app
        self.reads = reads
        self.positions: dict[UUID, dict[int, int]] = {}

    def of(self, aggregate_id: UUID) -> dict[int, int]:
        if aggregate_id not in self.positions:
            rows = self.reads.select(AUDIT_EVENT, {"aggregate_id": str(aggregate_id)})
            self.positions[aggregate_id] = {
                int(r["aggregate_version"]): int(r["position"]) for r in rows
            }
        return self.positions[aggregate_id]

    def events(self, aggregate_id: UUID) -> list[Any]:
        """The aggregate's stored events, as far as the read models have seen them.

        Events recorded after the read models' position are left out, so the explanation
        is one consistent cut even while writes go on (and never trips on an event the
        audit trail has not indexed yet).
        """
        seen = self.of(aggregate_id)
        if not seen:
            return []
        return list(self.app.events.get(aggregate_id, lte=max(seen)))

    def position(self, event: Any) -> int:
        found = self.of(event.originator_id).get(event.originator_version)
        if found is None:
            raise AuditMismatch(
                f"the audit trail has no position for event {event.originator_version} of "
                f"{event.originator_id} ({event_kind(event)}): the read models are behind or damaged"
            )
        return found

    def checked(self, event: Any) -> int:
        """The event's position, once the store confirms that this event is recorded there."""
        position = self.position(event)
        stored = self.app.recorder.select_notifications(start=position, limit=1, stop=position)
        if (
            not stored
            or stored[0].id != position
            or str(stored[0].originator_id) != str(event.originator_id)
            or stored[0].originator_version != event.originator_version
        ):
            raise AuditMismatch(
                f"the audit trail puts event {event.originator_version} of "
                f"{event.originator_id} at position {position}, but the event store does not"
            )
        return position


def _in_force(rulebook: Rulebook, day: date) -> str | None:
    try:
        return rulebook.in_force_on(day).version
    except DomainError:
        return None


def _for(volunteer_id: UUID, events: Iterable[Any], kinds: set[str]) -> list[Any]:
    return [e for e in events if event_kind(e) in kinds and e.volunteer_id == volunteer_id]


def explain_award(
    app: Application[UUID], rulebook: Rulebook, reads: RowReader, entry_id: UUID
) -> AwardExplanation:
    """The events behind award ``entry_id`` and its recomputation under its recorded rulebook.

    Raises :class:`NotFound` for an unknown entry, :class:`NotAnAward` for a reversal,
    redemption or training entry, and :class:`AuditMismatch` when the read models and
    the event store disagree.
    """
    volunteer_id, activity_id = _locate(reads, entry_id)
    trail = _Trail(app, reads)
    history = trail.events(volunteer_id)
    at = _award_index(history, entry_id, volunteer_id)
    award = history[at]
    award_position = trail.checked(award)
    before = _volunteer_before(history[:at], entry_id, volunteer_id)
    explained = _Explained(trail)

    planned, upto_award, later = _activity_around(trail, activity_id, entry_id, award_position)
    explained.add("planned", planned)
    interval, source = _attendance(explained, upto_award, award, volunteer_id, activity_id)
    category = planned.category

    rules = _recorded_rules(rulebook, award, entry_id)
    day = interval.local_date(rules.utc_offset)
    figures = compute_award(rules, category, interval, source, before.credited_on(day))
    cover = before.cover_on(day)
    recomputed_policy = cover.policy_number if cover else None

    _add_insurance(explained, history[:at], {recomputed_policy, award.insurance_policy})
    _add_same_day_awards(explained, history[:at], before, day)
    explained.add("award", award)
    reversal = _reversal(history[at + 1 :], entry_id)
    for e in _for(volunteer_id, later, {"ServiceActivity.AttendanceCorrected"}):
        explained.add("later_correction", e)
    if reversal is not None:
        explained.add("reversal", reversal)

    return AwardExplanation(
        entry_id=entry_id,
        volunteer_id=volunteer_id,
        activity_id=activity_id,
        position=award_position,
        points=award.points,
        hours=award.hours,
        recomputed_points=figures.points,
        recomputed_hours=figures.credited_hours,
        rulebook_version=award.rulebook_version,
        rulebook_sha256=award.rulebook_hash,
        loaded_rulebook_sha256=rulebook.file_hash,
        insurance_policy=award.insurance_policy,
        recomputed_insurance_policy=recomputed_policy,
        uninsured_flag=award.uninsured_flag,
        reversed_by=reversal.entry_id if reversal is not None else None,
        inputs=_inputs(figures, category, interval, source, award.attendance_version, day),
        checks=_checks(
            rulebook, award, figures, category, interval, source, day, recomputed_policy
        ),
        events=explained.in_log_order(),
    )


def _activity_around(
    trail: _Trail, activity_id: UUID, entry_id: UUID, award_position: int
) -> tuple[Any, list[Any], list[Any]]:
    """The activity's planning event, its events up to the award and those after it."""
    activity_events = trail.events(activity_id)
    if not activity_events:
        raise AuditMismatch(f"award {entry_id}: the audit trail holds no events of {activity_id}")
    upto_award = [e for e in activity_events if trail.position(e) <= award_position]
    later = [e for e in activity_events if trail.position(e) > award_position]
    return activity_events[0], upto_award, later


def _checks(
    rulebook: Rulebook,
    award: Any,
    figures: AwardFigures,
    category: Category,
    interval: Interval,
    source: HoursSource,
    day: date,
    recomputed_policy: str | None,
) -> dict[str, bool]:
    """Every recorded figure of the award against its recomputation."""
    return {
        "points_equal": figures.points == award.points,
        "hours_equal": figures.credited_hours == award.hours,
        "interval_matches_attendance": interval == award.interval,
        "category_matches_activity": category == award.category,
        "source_matches_attendance": source == award.source,
        "service_date_matches": day == award.service_date,
        "rulebook_version_in_force": _in_force(rulebook, day) == award.rulebook_version,
        "rulebook_file_unchanged": award.rulebook_hash == rulebook.file_hash,
        "insurance_matches": recomputed_policy == award.insurance_policy,
    }


class _Explained:
    """The events an explanation shows, each with its role and its checked position."""

    def __init__(self, trail: _Trail) -> None:
        self.trail = trail
        self.events: list[ExplainedEvent] = []

    def add(self, role: str, event: Any) -> None:
        self.events.append(described(role, self.trail.checked(event), event))

    def in_log_order(self) -> list[ExplainedEvent]:
        return sorted(self.events, key=lambda x: x.position)


def _locate(reads: RowReader, entry_id: UUID) -> tuple[UUID, UUID]:
    """The volunteer and activity of award ``entry_id``, as the point ledger has it."""
    row = reads.get(ENTRY, (str(entry_id),))
    if row is None:
        raise NotFound("award", entry_id)
    if row["kind"] != "award":
        raise NotAnAward(entry_id, str(row["kind"]), row.get("reverses"))
    return UUID(str(row["volunteer_id"])), UUID(str(row["activity_id"]))


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


def _attendance(
    explained: _Explained,
    upto_award: list[Any],
    award: Any,
    volunteer_id: UUID,
    activity_id: UUID,
) -> tuple[Interval, Any]:
    """Add the volunteer's sign-up, hours and corrections and the verification; return the
    interval and source of the attendance version the award names."""
    attendance: dict[int, tuple[Interval, Any]] = {}
    for e in _for(volunteer_id, upto_award, set(_ATTENDANCE_ROLES)):
        explained.add(_ATTENDANCE_ROLES[event_kind(e)], e)
        if event_kind(e) == "ServiceActivity.HoursRecorded":
            attendance[e.attendance_version] = (e.interval, e.source)
        elif event_kind(e) == "ServiceActivity.AttendanceCorrected":
            source = attendance[max(attendance)][1] if attendance else award.source
            attendance[e.attendance_version] = (e.interval, source)
    for e in upto_award:
        if event_kind(e) == "ServiceActivity.Verified":
            explained.add("verified", e)
    if award.attendance_version not in attendance:
        raise AuditMismatch(
            f"award {award.entry_id} names attendance version {award.attendance_version}, which "
            f"activity {activity_id} never recorded for volunteer {volunteer_id}"
        )
    return attendance[award.attendance_version]


def _recorded_rules(rulebook: Rulebook, award: Any, entry_id: UUID) -> RulebookVersion:
    try:
        return rulebook.version(award.rulebook_version)
    except DomainError as unknown:
        raise AuditMismatch(f"award {entry_id}: {unknown}") from unknown


def _add_insurance(explained: _Explained, before_award: list[Any], policies: set[Any]) -> None:
    """Add the latest recording of each policy: the one covering the day, the one the award names."""
    for number in sorted(str(p) for p in policies - {None}):
        recorded = [
            e
            for e in before_award
            if event_kind(e) == "Volunteer.InsuranceRecorded" and e.policy.policy_number == number
        ]
        if recorded:
            explained.add("insurance", recorded[-1])


def _add_same_day_awards(
    explained: _Explained, before_award: list[Any], before: Volunteer, day: date
) -> None:
    """Add the earlier awards of the same service date still standing (the daily cap)."""
    same_day = {
        a.entry_id for a in before.awards.values() if a.service_date == day and not a.reversed
    }
    for e in before_award:
        if event_kind(e) == "Volunteer.PointsAwarded" and e.entry_id in same_day:
            explained.add("same_day_award", e)


def _reversal(after_award: list[Any], entry_id: UUID) -> Any | None:
    for e in after_award:
        if event_kind(e) == "Volunteer.PointsReversed" and e.reverses == entry_id:
            return e
    return None


def _inputs(
    figures: AwardFigures,
    category: Category,
    interval: Interval,
    source: HoursSource,
    attendance_version: int,
    day: date,
) -> AwardInputs:
    return AwardInputs(
        category=category.code,
        interval_start=interval.start,
        interval_end=interval.end,
        source=source.value,
        attendance_version=attendance_version,
        service_date=day,
        minutes=figures.minutes,
        rounded_hours=figures.rounded_hours,
        already_credited_that_day=figures.already_credited_that_day,
        daily_cap_hours=figures.daily_cap_hours,
        credited_hours=figures.credited_hours,
        multiplier=figures.multiplier,
        points_per_hour=figures.points_per_hour,
        earns_points=figures.earns_points,
    )
