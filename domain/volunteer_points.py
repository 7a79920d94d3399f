"""A volunteer's points ledger: awards for verified service and their reversals.

Credited service never overlaps, and the daily cap is applied in the order the service
happened, whatever the order it was verified in.

The Volunteer's commands for this concern, bound as its methods in
``domain.volunteer_commands`` (``self`` is the volunteer); the events they record are
applied in ``domain.volunteer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from domain.awards import StandingAward, award_entry_id, derived_entry_id
from domain.errors import rule_violation
from domain.points import ZERO, compute_award
from domain.rulebook import RulebookVersion
from domain.text import require_nonblank
from domain.values import Actor, Category, HoursSource, Interval, check_text

if TYPE_CHECKING:
    from domain.volunteer import Volunteer


class _Service(NamedTuple):
    """What crediting one participation needs, besides the rulebook."""

    activity_id: UUID
    category: Category
    interval: Interval
    source: HoursSource
    attendance_version: int

    @classmethod
    def of(cls, award: StandingAward) -> _Service:
        return cls(
            award.activity_id,
            award.category,
            award.interval,
            award.source,
            award.attendance_version,
        )


def credited_on(self: Volunteer, day: date) -> Decimal:
    return sum(
        (a.hours for a in self.awards.values() if not a.reversed and a.service_date == day),
        ZERO,
    )


def credited_hours_through(self: Volunteer, year: int) -> Decimal:
    """Credited hours for service up to 31 December of ``year`` (awards still standing)."""
    return sum(
        (a.hours for a in self.awards.values() if not a.reversed and a.service_date.year <= year),
        ZERO,
    )


def standing_awards_for(self: Volunteer, activity_id: UUID) -> list[UUID]:
    """This volunteer's awards for the activity that are not reversed."""
    return [
        a.entry_id for a in self.awards.values() if a.activity_id == activity_id and not a.reversed
    ]


def check_no_overlap(self: Volunteer, interval: Interval, activity_id: UUID) -> None:
    for award in self.awards.values():
        if not award.reversed and award.interval.overlaps(interval):
            raise rule_violation(
                "overlapping-service",
                f"volunteer {self.id}: hours {interval} overlap hours {award.interval} "
                f"already credited for activity {award.activity_id}",
            )


def award_points(
    self: Volunteer,
    *,
    activity_id: UUID,
    category: Category,
    interval: Interval,
    source: HoursSource,
    attendance_version: int,
    rules: RulebookVersion,
    rulebook_hash: str,
    actor: Actor,
) -> UUID:
    """Credit a verified participation. The figures come from the pure points formula.

    The daily cap is applied in the order the service happened: the day's awards for
    later service are reversed, this one is credited, then they are credited again."""
    self._require_not_withdrawn("be awarded points")
    entry_id = award_entry_id(activity_id, self.id, attendance_version)
    day = interval.local_date(rules.utc_offset)
    _check_awardable(self, entry_id, activity_id, category, interval, day, rules)
    later = _later_service_that_day(self, interval, day)
    for standing in later:
        self.reverse_award(
            entry_id=standing.entry_id,
            reason=f"earlier service that day credited first (award {entry_id}): "
            "credited again in the order served",
            actor=actor,
        )
    service = _Service(activity_id, category, interval, source, attendance_version)
    _credit(self, entry_id, service, rules, rulebook_hash, actor)
    if later:
        _credit_again(self, later, entry_id, rules, rulebook_hash, actor)
    return entry_id


def _check_awardable(
    self: Volunteer,
    entry_id: UUID,
    activity_id: UUID,
    category: Category,
    interval: Interval,
    day: date,
    rules: RulebookVersion,
) -> None:
    """Awarded once, never overlapping credited service, and insured where required."""
    if entry_id in self.awards:
        raise rule_violation(
            "award-once",
            f"award {entry_id} for activity {activity_id} is already recorded "
            f"for volunteer {self.id}",
        )
    self.check_no_overlap(interval, activity_id)
    self.check_insured(rules, category, day)


def _later_service_that_day(self: Volunteer, interval: Interval, day: date) -> list[StandingAward]:
    """The standing awards for service later on ``day``, in the order served."""
    return sorted(
        (
            a
            for a in self.awards.values()
            if not a.reversed and a.service_date == day and a.interval.start > interval.start
        ),
        key=lambda a: (a.interval.start, a.entry_id),
    )


def _credit_again(
    self: Volunteer,
    later: Sequence[StandingAward],
    cause: UUID,
    rules: RulebookVersion,
    rulebook_hash: str,
    actor: Actor,
) -> None:
    """Credit the reversed ``later`` awards again, after the award ``cause``."""
    again = []
    for standing in later:
        reawarded = derived_entry_id("reaward", standing.entry_id, cause)
        _credit(self, reawarded, _Service.of(standing), rules, rulebook_hash, actor)
        again.append(reawarded)
    self._awards_resequenced(
        service_date=later[0].service_date,
        cause=cause,
        reversed_ids=[a.entry_id for a in later],
        reawarded_ids=again,
        actor=actor,
    )


def _credit(
    self: Volunteer,
    entry_id: UUID,
    service: _Service,
    rules: RulebookVersion,
    rulebook_hash: str,
    actor: Actor,
) -> None:
    day = service.interval.local_date(rules.utc_offset)
    policy = self.cover_on(day)
    required = rules.category(service.category).insurance_required
    figures = compute_award(
        rules, service.category, service.interval, service.source, self.credited_on(day)
    )
    self._points_awarded(
        entry_id=entry_id,
        activity_id=service.activity_id,
        category=service.category,
        interval=service.interval,
        source=service.source,
        service_date=day,
        attendance_version=service.attendance_version,
        hours=figures.credited_hours,
        points=figures.points,
        figures=figures,
        rulebook_version=rules.version,
        rulebook_hash=rulebook_hash,
        insurance_policy=policy.policy_number if policy else None,
        uninsured_flag=policy is None and required,
        actor=actor,
    )


def reverse_award(
    self: Volunteer,
    *,
    entry_id: UUID,
    reason: str,
    actor: Actor,
    hours_recorded_by: frozenset[str] = frozenset(),
) -> UUID:
    """Withdraw an award's points and hours. An award is reversed at most once, in full,
    and not by anyone in ``hours_recorded_by`` (who recorded the hours it credits)."""
    award = _reversible(self, entry_id, reason, actor, hours_recorded_by)
    reversal_id = derived_entry_id("reversal", entry_id)
    self._points_reversed(
        entry_id=reversal_id,
        reverses=entry_id,
        activity_id=award.activity_id,
        points=award.points,
        hours=award.hours,
        backfill=award.backfill,
        reason=reason.strip(),
        actor=actor,
    )
    return reversal_id


def _reversible(
    self: Volunteer,
    entry_id: UUID,
    reason: str,
    actor: Actor,
    hours_recorded_by: frozenset[str],
) -> StandingAward:
    award = self.awards.get(entry_id)
    if award is None:
        raise rule_violation(
            "reversal-names-award",
            f"volunteer {self.id} has no award {entry_id} to reverse",
        )
    if actor.user_id in hours_recorded_by:
        raise rule_violation(
            "four-eyes",
            f"{actor.user_id} recorded the hours award {entry_id} credits and cannot also "
            "reverse it",
            f"双人复核：{actor.user_id} 登记了奖励 {entry_id} 所依据的服务时长，不能再撤销该奖励",
        )
    if award.reversed:
        raise rule_violation(
            "reversal-once", f"award {entry_id} of volunteer {self.id} is already reversed"
        )
    require_nonblank(reason, "reason-required", "a reversal needs a reason")
    check_text("reason", reason, multiline=True, required=False)
    return award
