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

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.errors import AuditMismatch, NotAnAward, NotFound
from application.readmodel.audit.award_events import (
    Explained,
    FoundAward,
    activity_around,
    add_around_award,
    attendance,
    find_award,
)
from application.readmodel.audit.explain_events import ExplainedEvent
from application.readmodel.audit.positions import Trail
from application.readmodel.store import RowReader
from application.readmodel.tables import ENTRY
from domain.errors import DomainError
from domain.points import AwardFigures, compute_award
from domain.rulebook import Rulebook, RulebookVersion
from domain.values import Category, HoursSource, Interval


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


def _in_force(rulebook: Rulebook, day: date) -> str | None:
    try:
        return rulebook.in_force_on(day).version
    except DomainError:
        return None


def explain_award(
    app: Application[UUID], rulebook: Rulebook, reads: RowReader, entry_id: UUID
) -> AwardExplanation:
    """The events behind award ``entry_id`` and its recomputation under its recorded rulebook.

    Raises :class:`NotFound` for an unknown entry, :class:`NotAnAward` for a reversal,
    redemption or training entry, and :class:`AuditMismatch` when the read models and
    the event store disagree.
    """
    volunteer_id, activity_id = _locate(reads, entry_id)
    trail = Trail(app, reads)
    found = find_award(trail, entry_id, volunteer_id)
    award = found.event
    explained = Explained(trail)
    planned, upto_award, later = activity_around(trail, activity_id, entry_id, found.position)
    explained.add("planned", planned)
    interval, source = attendance(explained, upto_award, award, volunteer_id, activity_id)
    category = planned.category
    day, figures, policy = _recompute(rulebook, found, category, interval, source)
    reversal = add_around_award(explained, found, day, policy, later)
    return AwardExplanation(
        entry_id=entry_id,
        volunteer_id=volunteer_id,
        activity_id=activity_id,
        position=found.position,
        points=award.points,
        hours=award.hours,
        recomputed_points=figures.points,
        recomputed_hours=figures.credited_hours,
        rulebook_version=award.rulebook_version,
        rulebook_sha256=award.rulebook_hash,
        loaded_rulebook_sha256=rulebook.file_hash,
        insurance_policy=award.insurance_policy,
        recomputed_insurance_policy=policy,
        uninsured_flag=award.uninsured_flag,
        reversed_by=reversal.entry_id if reversal is not None else None,
        inputs=_inputs(figures, category, interval, source, award.attendance_version, day),
        checks=_checks(rulebook, award, figures, category, interval, source, day, policy),
        events=explained.in_log_order(),
    )


def _recompute(
    rulebook: Rulebook,
    found: FoundAward,
    category: Category,
    interval: Interval,
    source: HoursSource,
) -> tuple[date, AwardFigures, str | None]:
    """The service date, the figures under the rulebook version the award recorded, and the
    policy covering that date, from the volunteer's state just before the award."""
    rules = _recorded_rules(rulebook, found.event, found.entry_id)
    day = interval.local_date(rules.utc_offset)
    figures = compute_award(rules, category, interval, source, found.before.credited_on(day))
    cover = found.before.cover_on(day)
    return day, figures, cover.policy_number if cover else None


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


def _locate(reads: RowReader, entry_id: UUID) -> tuple[UUID, UUID]:
    """The volunteer and activity of award ``entry_id``, as the point ledger has it."""
    row = reads.get(ENTRY, (str(entry_id),))
    if row is None:
        raise NotFound("award", entry_id)
    if row["kind"] != "award":
        raise NotAnAward(entry_id, str(row["kind"]), row.get("reverses"))
    return UUID(str(row["volunteer_id"])), UUID(str(row["activity_id"]))


def _recorded_rules(rulebook: Rulebook, award: Any, entry_id: UUID) -> RulebookVersion:
    try:
        return rulebook.version(award.rulebook_version)
    except DomainError as unknown:
        raise AuditMismatch(f"award {entry_id}: {unknown}") from unknown


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
