"""The Volunteer aggregate: the events recorded about a volunteer and the state they build.

What a volunteer may be asked to do is decided by concern (``domain.volunteer_commands``
lists the commands and the modules deciding them). Each event's method below only applies
the event: the library replays stored events through them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.awards import StandingAward
from domain.copying import CopiedOnLoad
from domain.points import ZERO, AwardFigures
from domain.values import (
    Actor,
    Category,
    HoursSource,
    InsurancePolicy,
    Interval,
    PersonType,
    VolunteerStatus,
    normalise_national_id,
)
from domain.volunteer_commands import VolunteerCommands
from domain.volunteer_redemption import TIER_ZH, voucher_code
from domain.volunteer_status import check_registration

__all__ = ["TIER_ZH", "Volunteer", "voucher_code"]

T = "volunteer-ledger:Volunteer"


class Volunteer(VolunteerCommands, CopiedOnLoad, Aggregate):
    """A registered volunteer. Holds its awarded intervals so credited service never overlaps."""

    TOPIC = T

    class Created(Aggregate.Created):
        """The library's generic creation event, unused here but needing a topic of its own."""

        TOPIC = f"{T}.Created"

    @event("Registered", topic=f"{T}.Registered")
    def __init__(
        self,
        name: str,
        national_id: str,
        phone: str,
        person_type: PersonType,
        township: str,
        skills: list[str],
        actor: Actor,
    ) -> None:
        self.name = name
        self.national_id = national_id
        self.phone = phone
        self.person_type = person_type
        self.township = township
        self.skills = list(skills)
        self.status = VolunteerStatus.ACTIVE
        self.policies: dict[str, InsurancePolicy] = {}
        self.courses: set[tuple[str, date]] = set()
        self.awards: dict[UUID, StandingAward] = {}
        self.balance = ZERO
        self.lifetime_points = ZERO
        self.credited_hours = ZERO
        self.backfilled_hours = ZERO
        self.training_hours = ZERO
        self.star_level_certified = 0
        self.commendations: dict[UUID, str] = {}
        # Invariant: maps each period of a held commendation (in ``commendations``) to it.
        self._commended_periods: dict[str, UUID] = {}
        self.vouchers: dict[str, bool] = {}  # voucher code → used

    @classmethod
    def register(
        cls,
        *,
        name: str,
        national_id: str,
        phone: str,
        person_type: PersonType,
        township: str,
        skills: list[str],
        actor: Actor,
    ) -> Volunteer:
        """Register a volunteer: a name, a valid national id and a township are required."""
        check_registration(name, national_id, phone, township, skills)
        return cls(
            name=name.strip(),
            national_id=normalise_national_id(national_id),
            phone=phone.strip(),
            person_type=person_type,
            township=township.strip(),
            skills=[s.strip() for s in skills if s.strip()],
            actor=actor,
        )

    @event("ProfileUpdated", topic=f"{T}.ProfileUpdated")
    def _profile_updated(self, phone: str, township: str, skills: list[str], actor: Actor) -> None:
        self.phone, self.township, self.skills = phone, township, list(skills)

    @event("TrainingCompleted", topic=f"{T}.TrainingCompleted")
    def _training_completed(
        self,
        entry_id: UUID,
        course: str,
        hours: Decimal,
        completed_on: date,
        points: Decimal,
        rulebook_version: str,
        rulebook_hash: str,
        actor: Actor,
    ) -> None:
        self.courses.add((course, completed_on))
        self.training_hours += hours
        self.balance += points
        self.lifetime_points += points

    @event("InsuranceRecorded", topic=f"{T}.InsuranceRecorded")
    def _insurance_recorded(self, policy: InsurancePolicy, actor: Actor) -> None:
        self.policies[policy.policy_number] = policy

    @event("InsuranceCancelled", topic=f"{T}.InsuranceCancelled")
    def _insurance_cancelled(self, policy_number: str, reason: str, actor: Actor) -> None:
        del self.policies[policy_number]

    @event("PointsAwarded", topic=f"{T}.PointsAwarded")
    def _points_awarded(
        self,
        entry_id: UUID,
        activity_id: UUID,
        category: Category,
        interval: Interval,
        source: HoursSource,
        service_date: date,
        attendance_version: int,
        hours: Decimal,
        points: Decimal,
        figures: AwardFigures,
        rulebook_version: str,
        rulebook_hash: str,
        insurance_policy: str | None,
        uninsured_flag: bool,
        actor: Actor,
    ) -> None:
        backfill = source is HoursSource.BACKFILL
        self.awards[entry_id] = StandingAward(
            entry_id=entry_id,
            activity_id=activity_id,
            interval=interval,
            service_date=service_date,
            hours=hours,
            points=points,
            backfill=backfill,
            category=category,
            source=source,
            attendance_version=attendance_version,
        )
        self.balance += points
        self.lifetime_points += points
        self.credited_hours += hours
        if backfill:
            self.backfilled_hours += hours

    @event("AwardsResequenced", topic=f"{T}.AwardsResequenced")
    def _awards_resequenced(
        self,
        service_date: date,
        cause: UUID,
        reversed_ids: list[UUID],
        reawarded_ids: list[UUID],
        actor: Actor,
    ) -> None:
        """Names the award (``cause``) whose earlier service made the day's later awards be
        reversed and credited again (``reawarded_ids``, in the order of ``reversed_ids``)."""

    @event("PointsReversed", topic=f"{T}.PointsReversed")
    def _points_reversed(
        self,
        entry_id: UUID,
        reverses: UUID,
        activity_id: UUID,
        points: Decimal,
        hours: Decimal,
        backfill: bool,
        reason: str,
        actor: Actor,
    ) -> None:
        self.awards[reverses] = replace(self.awards[reverses], reversed=True)
        self.balance -= points
        self.lifetime_points -= points
        self.credited_hours -= hours
        if backfill:
            self.backfilled_hours -= hours

    class PointsRedeemed(Aggregate.Event):
        """Version 2 names the rulebook benefit (``benefit_code``) and the voucher issued
        for it; version 1 redemptions named a free-text benefit only."""

        TOPIC = f"{T}.PointsRedeemed"
        class_version = 2
        entry_id: UUID
        points: Decimal
        benefit: str
        actor: Actor
        benefit_code: str | None
        voucher_code: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["benefit_code"] = None
            state["voucher_code"] = None

    @event(PointsRedeemed)
    def _points_redeemed(
        self,
        entry_id: UUID,
        points: Decimal,
        benefit: str,
        actor: Actor,
        benefit_code: str | None,
        voucher_code: str | None,
    ) -> None:
        self.balance -= points
        if voucher_code is not None:
            self.vouchers[voucher_code] = False

    @event("VoucherUsed", topic=f"{T}.VoucherUsed")
    def _voucher_used(self, code: str, actor: Actor) -> None:
        self.vouchers[code] = True

    class StarLevelCertified(Aggregate.Event):
        """Version 2 names the year the certification is about (``service_year``); version 1
        certifications named none, and are filed under the year they were recorded."""

        TOPIC = f"{T}.StarLevelCertified"
        class_version = 2
        level: int
        basis_position: int
        service_year: int | None
        actor: Actor

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["service_year"] = None

    @event(StarLevelCertified)
    def _star_level_certified(
        self, level: int, basis_position: int, service_year: int | None, actor: Actor
    ) -> None:
        self.star_level_certified = level

    @event("CommendationGranted", topic=f"{T}.CommendationGranted")
    def _commendation_granted(
        self,
        commendation_id: UUID,
        title: str,
        period: str,
        basis_position: int,
        reason: str,
        actor: Actor,
    ) -> None:
        self.commendations[commendation_id] = title
        self._commended_periods[period.strip()] = commendation_id

    @event("CommendationRevoked", topic=f"{T}.CommendationRevoked")
    def _commendation_revoked(self, commendation_id: UUID, reason: str, actor: Actor) -> None:
        del self.commendations[commendation_id]
        self._commended_periods = {
            p: c for p, c in self._commended_periods.items() if c != commendation_id
        }

    def commendation_for(self, period: str) -> UUID | None:
        """The commendation held for ``period``, if any: one commendation per period."""
        return self._commended_periods.get(period.strip())

    @event("Suspended", topic=f"{T}.Suspended")
    def _suspended(self, reason: str, actor: Actor) -> None:
        self.status = VolunteerStatus.SUSPENDED

    @event("Reinstated", topic=f"{T}.Reinstated")
    def _reinstated(self, reason: str, actor: Actor) -> None:
        self.status = VolunteerStatus.ACTIVE

    @event("Withdrawn", topic=f"{T}.Withdrawn")
    def _withdrawn(self, reason: str, actor: Actor) -> None:
        self.status = VolunteerStatus.WITHDRAWN

    def state(self) -> dict[str, Any]:
        """Comparable state, for checking a rebuilt aggregate against the live one."""
        return dict(vars(self))
