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
from application.readmodel.explain_events import ExplainedEvent, described, event_kind
from application.readmodel.store import RowReader
from application.readmodel.tables import AUDIT_EVENT, ENTRY
from domain.errors import DomainError
from domain.points import compute_award
from domain.rulebook import Rulebook
from domain.values import Interval
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
    row = reads.get(ENTRY, (str(entry_id),))
    if row is None:
        raise NotFound("award", entry_id)
    if row["kind"] != "award":
        raise NotAnAward(entry_id, str(row["kind"]), row.get("reverses"))
    volunteer_id, activity_id = UUID(str(row["volunteer_id"])), UUID(str(row["activity_id"]))
    trail = _Trail(app, reads)

    history = trail.events(volunteer_id)
    at = next(
        (
            i
            for i, e in enumerate(history)
            if event_kind(e) == "Volunteer.PointsAwarded" and e.entry_id == entry_id
        ),
        None,
    )
    if at is None:
        raise AuditMismatch(
            f"the point ledger lists award {entry_id} for volunteer {volunteer_id}, "
            "but the volunteer's stored events hold no such award"
        )
    award = history[at]
    award_position = trail.checked(award)
    before: Volunteer | None = project_aggregate(None, history[:at])
    if before is None:
        raise AuditMismatch(f"award {entry_id} is the first event of volunteer {volunteer_id}")

    explained: list[ExplainedEvent] = []

    def add(role: str, event: Any) -> None:
        explained.append(described(role, trail.checked(event), event))

    # ---- the activity: planning, this volunteer's sign-up and hours, the verification
    activity_events = trail.events(activity_id)
    if not activity_events:
        raise AuditMismatch(f"award {entry_id}: the audit trail holds no events of {activity_id}")
    upto_award = [e for e in activity_events if trail.position(e) <= award_position]
    later = [e for e in activity_events if trail.position(e) > award_position]
    planned = activity_events[0]
    add("planned", planned)
    roles = {
        "ServiceActivity.VolunteerSignedUp": "signed_up",
        "ServiceActivity.VolunteerWithdrew": "signup_withdrawn",
        "ServiceActivity.HoursRecorded": "hours_recorded",
        "ServiceActivity.AttendanceCorrected": "hours_corrected",
    }
    attendance: dict[int, tuple[Interval, Any]] = {}
    for e in _for(volunteer_id, upto_award, set(roles)):
        add(roles[event_kind(e)], e)
        if event_kind(e) == "ServiceActivity.HoursRecorded":
            attendance[e.attendance_version] = (e.interval, e.source)
        elif event_kind(e) == "ServiceActivity.AttendanceCorrected":
            source = attendance[max(attendance)][1] if attendance else award.source
            attendance[e.attendance_version] = (e.interval, source)
    for e in upto_award:
        if event_kind(e) == "ServiceActivity.Verified":
            add("verified", e)
    if award.attendance_version not in attendance:
        raise AuditMismatch(
            f"award {entry_id} names attendance version {award.attendance_version}, which "
            f"activity {activity_id} never recorded for volunteer {volunteer_id}"
        )
    interval, source = attendance[award.attendance_version]
    category = planned.category

    # ---- the recomputation, under the recorded rulebook version
    try:
        rules = rulebook.version(award.rulebook_version)
    except DomainError as unknown:
        raise AuditMismatch(f"award {entry_id}: {unknown}") from unknown
    day = interval.local_date(rules.utc_offset)
    figures = compute_award(rules, category, interval, source, before.credited_on(day))
    cover = before.cover_on(day)

    # ---- the volunteer: cover used, same-day credits that capped it, the award, its reversal
    policies = {cover.policy_number if cover else None, award.insurance_policy} - {None}
    for number in sorted(str(p) for p in policies):
        recorded = [
            e
            for e in history[:at]
            if event_kind(e) == "Volunteer.InsuranceRecorded" and e.policy.policy_number == number
        ]
        if recorded:
            add("insurance", recorded[-1])
    same_day = {
        a.entry_id for a in before.awards.values() if a.service_date == day and not a.reversed
    }
    for e in history[:at]:
        if event_kind(e) == "Volunteer.PointsAwarded" and e.entry_id in same_day:
            add("same_day_award", e)
    add("award", award)
    reversal = next(
        (
            e
            for e in history[at + 1 :]
            if event_kind(e) == "Volunteer.PointsReversed" and e.reverses == entry_id
        ),
        None,
    )
    for e in _for(volunteer_id, later, {"ServiceActivity.AttendanceCorrected"}):
        add("later_correction", e)
    if reversal is not None:
        add("reversal", reversal)
    explained.sort(key=lambda x: x.position)

    inputs = AwardInputs(
        category=category.code,
        interval_start=interval.start,
        interval_end=interval.end,
        source=source.value,
        attendance_version=award.attendance_version,
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
    recomputed_policy = cover.policy_number if cover else None
    checks = {
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
        inputs=inputs,
        checks=checks,
        events=explained,
    )
