"""The Volunteer aggregate: registration, training, insurance and the lifetime points ledger."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.awards import StandingAward, award_entry_id, derived_entry_id
from domain.copying import CopiedOnLoad
from domain.errors import invalid_value, rule_violation
from domain.points import ZERO, AwardFigures, compute_award, training_points
from domain.rulebook import CourtesyBenefit, MissingInsurance, RulebookVersion
from domain.values import (
    Actor,
    Category,
    HoursSource,
    InsurancePolicy,
    Interval,
    PersonType,
    VolunteerStatus,
    check_text,
    check_texts,
    normalise_national_id,
)

T = "volunteer-ledger:Volunteer"
TIER_ZH = {"bronze": "铜牌", "silver": "银牌", "gold": "金牌"}
_VOUCHER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed in


def voucher_code(entry_id: UUID) -> str:
    """The voucher code of a redemption: 12 characters derived from its entry id, in three
    groups (``LY`` for 礼遇): the same redemption always has the same code."""
    n = entry_id.int
    chars = []
    for _ in range(12):
        n, r = divmod(n, len(_VOUCHER_ALPHABET))
        chars.append(_VOUCHER_ALPHABET[r])
    body = "".join(chars)
    return f"LY-{body[:4]}-{body[4:8]}-{body[8:]}"


class Volunteer(CopiedOnLoad, Aggregate):
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
        # The period each held commendation is for: one commendation per period.
        self.commended_periods: dict[str, UUID] = {}
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
        for field, value in (("name", name), ("national_id", national_id), ("township", township)):
            if not value.strip():
                raise rule_violation("required-field", f"volunteer {field} must not be empty")
        check_text("name", name)
        check_text("phone", phone, required=False, max_length=40)
        check_text("township", township)
        check_texts("skills", skills)
        return cls(
            name=name.strip(),
            national_id=normalise_national_id(national_id),
            phone=phone.strip(),
            person_type=person_type,
            township=township.strip(),
            skills=[s.strip() for s in skills if s.strip()],
            actor=actor,
        )

    # ----------------------------------------------------------------- guards

    def _require_not_withdrawn(self, doing: str) -> None:
        if self.status is VolunteerStatus.WITHDRAWN:
            raise rule_violation(
                "volunteer-withdrawn", f"volunteer {self.id} has withdrawn: cannot {doing}"
            )

    def require_active(self, doing: str) -> None:
        """Sign-ups and new service need an active volunteer."""
        if self.status is not VolunteerStatus.ACTIVE:
            raise rule_violation(
                "volunteer-not-active",
                f"volunteer {self.id} is {self.status.value}: cannot {doing}",
            )

    # ----------------------------------------------------------------- profile

    def update_profile(
        self, *, phone: str | None, township: str | None, skills: list[str] | None, actor: Actor
    ) -> None:
        self._require_not_withdrawn("update the profile")
        if phone is not None:
            check_text("phone", phone, required=False, max_length=40)
        if township is not None:
            check_text("township", township)
        if skills is not None:
            check_texts("skills", skills)
        self._profile_updated(
            phone=self.phone if phone is None else phone.strip(),
            township=self.township if township is None else township.strip(),
            skills=self.skills if skills is None else [s.strip() for s in skills if s.strip()],
            actor=actor,
        )

    @event("ProfileUpdated", topic=f"{T}.ProfileUpdated")
    def _profile_updated(self, phone: str, township: str, skills: list[str], actor: Actor) -> None:
        self.phone, self.township, self.skills = phone, township, list(skills)

    # ----------------------------------------------------------------- training

    def complete_training(
        self,
        *,
        course: str,
        hours: Decimal,
        completed_on: date,
        rules: RulebookVersion,
        rulebook_hash: str,
        actor: Actor,
    ) -> UUID:
        self._require_not_withdrawn("record training")
        if not course.strip():
            raise rule_violation("required-field", "training course must not be empty")
        check_text("course", course)
        if hours <= 0 or hours > 24:
            raise rule_violation(
                "training-hours", f"training hours {hours} must be more than 0 and at most 24"
            )
        if hours % rules.hours_step:
            raise invalid_value(
                "hours",
                "hours-step",
                f"training hours {hours} are not a multiple of {rules.hours_step} "
                f"(rulebook {rules.version} credits hours in steps of {rules.hours_step})",
            )
        if (course.strip(), completed_on) in self.courses:
            raise rule_violation(
                "training-once",
                f"training {course!r} on {completed_on} is already recorded for volunteer {self.id}",
            )
        entry_id = derived_entry_id("training", self.id, course.strip(), completed_on)
        self._training_completed(
            entry_id=entry_id,
            course=course.strip(),
            hours=hours,
            completed_on=completed_on,
            points=training_points(hours, rules),
            rulebook_version=rules.version,
            rulebook_hash=rulebook_hash,
            actor=actor,
        )
        return entry_id

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

    # ----------------------------------------------------------------- insurance

    def record_insurance(self, policy: InsurancePolicy, actor: Actor) -> None:
        # Checked here, not in InsurancePolicy: stored events are decoded through it.
        check_text("policy_number", policy.policy_number)
        check_text("insurer", policy.insurer)
        self._require_not_withdrawn("record insurance")
        if policy.policy_number in self.policies:
            raise rule_violation(
                "policy-once",
                f"policy {policy.policy_number} is already recorded for volunteer {self.id}",
            )
        self._insurance_recorded(policy=policy, actor=actor)

    @event("InsuranceRecorded", topic=f"{T}.InsuranceRecorded")
    def _insurance_recorded(self, policy: InsurancePolicy, actor: Actor) -> None:
        self.policies[policy.policy_number] = policy

    def cancel_insurance(self, policy_number: str, reason: str, actor: Actor) -> None:
        check_text("reason", reason, multiline=True, required=False)
        if policy_number not in self.policies:
            raise rule_violation(
                "policy-unknown", f"volunteer {self.id} holds no policy {policy_number!r}"
            )
        self._insurance_cancelled(policy_number=policy_number, reason=reason, actor=actor)

    @event("InsuranceCancelled", topic=f"{T}.InsuranceCancelled")
    def _insurance_cancelled(self, policy_number: str, reason: str, actor: Actor) -> None:
        del self.policies[policy_number]

    def cover_on(self, day: date) -> InsurancePolicy | None:
        """The policy covering ``day``, if any (the one ending last, for determinism)."""
        covering = [p for p in self.policies.values() if p.covers(day)]
        return max(covering, key=lambda p: (p.covers_to, p.policy_number)) if covering else None

    def check_insured(
        self, rules: RulebookVersion, category: Category, day: date
    ) -> InsurancePolicy | None:
        """Raise if the rulebook requires cover for ``category`` and rejects participation without it."""
        rule = rules.category(category)
        policy = self.cover_on(day)
        if (
            policy is None
            and rule.insurance_required
            and rule.on_missing_insurance is MissingInsurance.REJECT
        ):
            raise rule_violation(
                "insurance-required",
                f"volunteer {self.id} ({self.name}) has no accident insurance covering {day}; "
                f"rulebook {rules.version} requires it for {category.code}",
            )
        return policy

    # ----------------------------------------------------------------- service intervals

    def credited_on(self, day: date) -> Decimal:
        return sum(
            (a.hours for a in self.awards.values() if not a.reversed and a.service_date == day),
            ZERO,
        )

    def check_no_overlap(self, interval: Interval, activity_id: UUID) -> None:
        for award in self.awards.values():
            if not award.reversed and award.interval.overlaps(interval):
                raise rule_violation(
                    "overlapping-service",
                    f"volunteer {self.id}: hours {interval} overlap hours {award.interval} "
                    f"already credited for activity {award.activity_id}",
                )

    # ----------------------------------------------------------------- points

    def award_points(
        self,
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
        """Credit a verified participation. The figures come from the pure points formula."""
        self._require_not_withdrawn("be awarded points")
        entry_id = award_entry_id(activity_id, self.id, attendance_version)
        if entry_id in self.awards:
            raise rule_violation(
                "award-once",
                f"award {entry_id} for activity {activity_id} is already recorded "
                f"for volunteer {self.id}",
            )
        self.check_no_overlap(interval, activity_id)
        day = interval.local_date(rules.utc_offset)
        self.check_insured(rules, category, day)
        # The daily cap is applied in the order the service happened: the day's awards for
        # later service are reversed, this one is credited, then they are credited again.
        later = sorted(
            (
                a
                for a in self.awards.values()
                if not a.reversed and a.service_date == day and a.interval.start > interval.start
            ),
            key=lambda a: (a.interval.start, a.entry_id),
        )
        for standing in later:
            self.reverse_award(
                entry_id=standing.entry_id,
                reason=f"earlier service that day credited first (award {entry_id}): "
                "credited again in the order served",
                actor=actor,
            )
        self._credit(
            entry_id,
            activity_id,
            category,
            interval,
            source,
            attendance_version,
            rules,
            rulebook_hash,
            actor,
        )
        if later:
            again = []
            for standing in later:
                reawarded = derived_entry_id("reaward", standing.entry_id, entry_id)
                self._credit(
                    reawarded,
                    standing.activity_id,
                    standing.category,
                    standing.interval,
                    standing.source,
                    standing.attendance_version,
                    rules,
                    rulebook_hash,
                    actor,
                )
                again.append(reawarded)
            self._awards_resequenced(
                service_date=day,
                cause=entry_id,
                reversed_ids=[a.entry_id for a in later],
                reawarded_ids=again,
                actor=actor,
            )
        return entry_id

    def _credit(
        self,
        entry_id: UUID,
        activity_id: UUID,
        category: Category,
        interval: Interval,
        source: HoursSource,
        attendance_version: int,
        rules: RulebookVersion,
        rulebook_hash: str,
        actor: Actor,
    ) -> None:
        day = interval.local_date(rules.utc_offset)
        policy = self.cover_on(day)
        required = rules.category(category).insurance_required
        figures = compute_award(rules, category, interval, source, self.credited_on(day))
        self._points_awarded(
            entry_id=entry_id,
            activity_id=activity_id,
            category=category,
            interval=interval,
            source=source,
            service_date=day,
            attendance_version=attendance_version,
            hours=figures.credited_hours,
            points=figures.points,
            figures=figures,
            rulebook_version=rules.version,
            rulebook_hash=rulebook_hash,
            insurance_policy=policy.policy_number if policy else None,
            uninsured_flag=policy is None and required,
            actor=actor,
        )

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

    def standing_awards_for(self, activity_id: UUID) -> list[UUID]:
        """This volunteer's awards for the activity that are not reversed."""
        return [
            a.entry_id
            for a in self.awards.values()
            if a.activity_id == activity_id and not a.reversed
        ]

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

    def reverse_award(
        self,
        *,
        entry_id: UUID,
        reason: str,
        actor: Actor,
        hours_recorded_by: frozenset[str] = frozenset(),
    ) -> UUID:
        """Withdraw an award's points and hours. An award is reversed at most once, in full,
        and not by anyone in ``hours_recorded_by`` (who recorded the hours it credits)."""
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
        if not reason.strip():
            raise rule_violation("reason-required", "a reversal needs a reason")
        check_text("reason", reason, multiline=True, required=False)
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

    def redeem(self, *, points: Decimal, benefit: str, actor: Actor) -> UUID:
        """Spend ``points`` on a benefit named in words (the use cases redeem the
        rulebook's benefits: :meth:`redeem_benefit`)."""
        return self._spend(points=points, benefit=benefit, actor=actor, code=None)

    def _spend(self, *, points: Decimal, benefit: str, actor: Actor, code: str | None) -> UUID:
        """Spend ``points`` (0 for a benefit the tier grants free) on ``benefit``. A
        redemption of a rulebook benefit (its ``code``) also issues a voucher code the
        provider redeems once (:meth:`use_voucher`)."""
        benefit_code = code
        self._require_not_withdrawn("redeem points")
        if points < 0 or (points == 0 and benefit_code is None):
            raise rule_violation("redemption-positive", f"points to redeem ({points}) must be > 0")
        if points > self.balance:
            raise rule_violation(
                "redemption-within-balance",
                f"volunteer {self.id} cannot redeem {points} points: balance is {self.balance}",
                f"积分余额不足：兑换需 {points} 分，当前余额 {self.balance} 分",
            )
        if not benefit.strip():
            raise rule_violation("required-field", "a redemption must name the benefit")
        check_text("benefit", benefit)
        entry_id = derived_entry_id("redemption", self.id, self.version + 1)
        self._points_redeemed(
            entry_id=entry_id,
            points=points,
            benefit=benefit.strip(),
            actor=actor,
            benefit_code=benefit_code,
            voucher_code=voucher_code(entry_id) if benefit_code else None,
        )
        return entry_id

    def redeem_benefit(
        self,
        *,
        benefit: CourtesyBenefit,
        rules: RulebookVersion,
        actor: Actor,
        points: Decimal | None = None,
    ) -> UUID:
        """Redeem a courtesy benefit of the rulebook: refused unless the volunteer's tier
        (by lifetime points) includes it, and unless the balance covers its cost for that
        tier. ``points``, when given, must be that cost (what the clerk told the volunteer)."""
        self._require_not_withdrawn("redeem points")
        tier = rules.courtesy_tier(self.lifetime_points)
        terms = rules.benefits_for(tier).get(benefit.code)
        if terms is None:
            held = tier or "none"
            raise rule_violation(
                "benefit-not-in-tier",
                f"benefit {benefit.code!r} needs courtesy tier {benefit.tier}; volunteer "
                f"{self.id} has {self.lifetime_points} lifetime points (tier: {held})",
                f"礼遇“{benefit.name_zh}”须达到{TIER_ZH.get(benefit.tier, benefit.tier)}等级，"
                f"该志愿者累计积分 {self.lifetime_points} 分（当前等级："
                f"{TIER_ZH.get(tier or '', '未达等级')}）",
            )
        if points is not None and points != terms.points:
            raise rule_violation(
                "redemption-cost",
                f"benefit {terms.code!r} costs {terms.points} points at tier {tier}, not {points}",
                f"礼遇“{terms.name_zh}”在{TIER_ZH.get(tier or '', tier)}等级需 {terms.points} 分，"
                f"不是 {points} 分",
            )
        return self._spend(points=terms.points, benefit=terms.name_zh, actor=actor, code=terms.code)

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

    def use_voucher(self, *, code: str, actor: Actor) -> None:
        """The provider hands over the benefit a voucher stands for: once only."""
        used = self.vouchers.get(code)
        if used is None:
            raise rule_violation(
                "voucher-unknown",
                f"volunteer {self.id} holds no voucher {code}",
                f"该志愿者没有礼遇凭证 {code}",
            )
        if used:
            raise rule_violation(
                "voucher-used",
                f"voucher {code} has already been redeemed",
                f"礼遇凭证 {code} 已核销，不能重复核销",
            )
        self._voucher_used(code=code, actor=actor)

    @event("VoucherUsed", topic=f"{T}.VoucherUsed")
    def _voucher_used(self, code: str, actor: Actor) -> None:
        self.vouchers[code] = True

    # ----------------------------------------------------------------- decisions

    def credited_hours_through(self, year: int) -> Decimal:
        """Credited hours for service up to 31 December of ``year`` (awards still standing)."""
        return sum(
            (
                a.hours
                for a in self.awards.values()
                if not a.reversed and a.service_date.year <= year
            ),
            ZERO,
        )

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

    def certify_star_level(
        self,
        *,
        level: int,
        basis_position: int,
        service_year: int,
        rules: RulebookVersion,
        actor: Actor,
    ) -> None:
        """Certify a star level for ``service_year``: reached by the hours served up to the
        end of that year (a later year's service does not raise an earlier certification)."""
        hours = self.credited_hours_through(service_year)
        reached = rules.star_level(hours)
        if not 1 <= level <= len(rules.star_thresholds_hours):
            raise rule_violation(
                "star-level-range",
                f"star level {level} must be between 1 and {len(rules.star_thresholds_hours)}",
            )
        if level > reached:
            raise rule_violation(
                "star-level-not-reached",
                f"volunteer {self.id} has {hours} credited hours for service up to the end of "
                f"{service_year}: star level {reached} reached, cannot certify {level}",
                f"志愿者截至{service_year}年底累计服务{hours}小时，已达{reached}星，不能认定为{level}星",
            )
        if level <= self.star_level_certified:
            raise rule_violation(
                "star-level-certified",
                f"volunteer {self.id} is already certified at star level {self.star_level_certified}",
            )
        self._star_level_certified(
            level=level, basis_position=basis_position, service_year=service_year, actor=actor
        )

    @event(StarLevelCertified)
    def _star_level_certified(
        self, level: int, basis_position: int, service_year: int | None, actor: Actor
    ) -> None:
        self.star_level_certified = level

    def grant_commendation(
        self, *, title: str, period: str, basis_position: int, reason: str, actor: Actor
    ) -> UUID:
        self._require_not_withdrawn("be commended")
        if not title.strip():
            raise rule_violation("required-field", "a commendation needs a title")
        check_text("title", title)
        check_text("period", period, max_length=40)
        check_text("reason", reason, multiline=True, required=False)
        period = period.strip()
        held = self.commended_periods.get(period)
        if held is not None:
            raise rule_violation(
                "commendation-once",
                f"volunteer {self.id} already holds commendation {held} "
                f"({self.commendations[held]!r}) for {period}: one commendation per period",
                f"该志愿者{period}期间已获表彰（{self.commendations[held]}），同一期间只能表彰一次",
            )
        commendation_id = derived_entry_id("commendation", self.id, title.strip(), period)
        self._commendation_granted(
            commendation_id=commendation_id,
            title=title.strip(),
            period=period,
            basis_position=basis_position,
            reason=reason,
            actor=actor,
        )
        return commendation_id

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
        self.commended_periods[period.strip()] = commendation_id

    def revoke_commendation(self, *, commendation_id: UUID, reason: str, actor: Actor) -> None:
        check_text("reason", reason, multiline=True, required=False)
        if commendation_id not in self.commendations:
            raise rule_violation(
                "commendation-unknown",
                f"volunteer {self.id} holds no commendation {commendation_id}",
            )
        self._commendation_revoked(commendation_id=commendation_id, reason=reason, actor=actor)

    @event("CommendationRevoked", topic=f"{T}.CommendationRevoked")
    def _commendation_revoked(self, commendation_id: UUID, reason: str, actor: Actor) -> None:
        del self.commendations[commendation_id]
        self.commended_periods = {
            p: c for p, c in self.commended_periods.items() if c != commendation_id
        }

    # ----------------------------------------------------------------- status

    def suspend(self, *, reason: str, actor: Actor) -> None:
        check_text("reason", reason, multiline=True, required=False)
        self.require_active("be suspended")
        self._suspended(reason=reason, actor=actor)

    @event("Suspended", topic=f"{T}.Suspended")
    def _suspended(self, reason: str, actor: Actor) -> None:
        self.status = VolunteerStatus.SUSPENDED

    def reinstate(self, *, reason: str, actor: Actor) -> None:
        check_text("reason", reason, multiline=True, required=False)
        # A withdrawn volunteer who comes back is reinstated: their record (and national
        # id) stays theirs, so re-registration is a reinstatement, not a second record.
        if self.status is VolunteerStatus.ACTIVE:
            raise rule_violation(
                "reinstate-suspended",
                f"volunteer {self.id} is active, not suspended or withdrawn",
                f"志愿者 {self.id} 处于在册状态，只有暂停或已退出的志愿者可以恢复",
            )
        self._reinstated(reason=reason, actor=actor)

    @event("Reinstated", topic=f"{T}.Reinstated")
    def _reinstated(self, reason: str, actor: Actor) -> None:
        self.status = VolunteerStatus.ACTIVE

    def withdraw(self, *, reason: str, actor: Actor) -> None:
        check_text("reason", reason, multiline=True, required=False)
        self._require_not_withdrawn("withdraw again")
        self._withdrawn(reason=reason, actor=actor)

    @event("Withdrawn", topic=f"{T}.Withdrawn")
    def _withdrawn(self, reason: str, actor: Actor) -> None:
        self.status = VolunteerStatus.WITHDRAWN

    def state(self) -> dict[str, Any]:
        """Comparable state, for checking a rebuilt aggregate against the live one."""
        return dict(vars(self))
