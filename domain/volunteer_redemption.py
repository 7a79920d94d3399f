"""Spending points: courtesy benefits of the rulebook's tiers, and the vouchers they issue.

The Volunteer's commands for this concern, bound as its methods in
``domain.volunteer_commands`` (``self`` is the volunteer); the events they record are
applied in ``domain.volunteer``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from domain.awards import derived_entry_id
from domain.errors import rule_violation
from domain.rulebook import CourtesyBenefit, RulebookVersion
from domain.text import require_nonblank
from domain.values import Actor, check_text

if TYPE_CHECKING:
    from domain.volunteer import Volunteer

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


def redeem(self: Volunteer, *, points: Decimal, benefit: str, actor: Actor) -> UUID:
    """Spend ``points`` on a benefit named in words (the use cases redeem the
    rulebook's benefits: :meth:`redeem_benefit`)."""
    return _spend(self, points=points, benefit=benefit, actor=actor, code=None)


def _spend(
    self: Volunteer, *, points: Decimal, benefit: str, actor: Actor, code: str | None
) -> UUID:
    """Spend ``points`` (0 for a benefit the tier grants free) on ``benefit``. A
    redemption of a rulebook benefit (its ``code``) also issues a voucher code the
    provider redeems once (:meth:`use_voucher`)."""
    self._require_not_withdrawn("redeem points")
    _check_spendable(self, points, code)
    require_nonblank(benefit, "required-field", "a redemption must name the benefit")
    check_text("benefit", benefit)
    entry_id = derived_entry_id("redemption", self.id, self.version + 1)
    self._points_redeemed(
        entry_id=entry_id,
        points=points,
        benefit=benefit.strip(),
        actor=actor,
        benefit_code=code,
        voucher_code=voucher_code(entry_id) if code else None,
    )
    return entry_id


def _check_spendable(self: Volunteer, points: Decimal, code: str | None) -> None:
    if points < 0 or (points == 0 and code is None):
        raise rule_violation("redemption-positive", f"points to redeem ({points}) must be > 0")
    if points > self.balance:
        raise rule_violation(
            "redemption-within-balance",
            f"volunteer {self.id} cannot redeem {points} points: balance is {self.balance}",
            f"积分余额不足：兑换需 {points} 分，当前余额 {self.balance} 分",
        )


def redeem_benefit(
    self: Volunteer,
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
    terms = _terms_at_tier(self, benefit, rules)
    if points is not None and points != terms.points:
        tier = rules.courtesy_tier(self.lifetime_points)
        raise rule_violation(
            "redemption-cost",
            f"benefit {terms.code!r} costs {terms.points} points at tier {tier}, not {points}",
            f"礼遇“{terms.name_zh}”在{TIER_ZH.get(tier or '', tier)}等级需 {terms.points} 分，"
            f"不是 {points} 分",
        )
    return _spend(self, points=terms.points, benefit=terms.name_zh, actor=actor, code=terms.code)


def _terms_at_tier(
    self: Volunteer, benefit: CourtesyBenefit, rules: RulebookVersion
) -> CourtesyBenefit:
    """The terms of ``benefit`` at the volunteer's tier; refused if the tier lacks it."""
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
    return terms


def use_voucher(self: Volunteer, *, code: str, actor: Actor) -> None:
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
