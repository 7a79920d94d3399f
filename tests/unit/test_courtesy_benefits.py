"""Courtesy benefits (礼遇): what a tier includes, redeeming one, and its voucher used once.

One behaviour per test, given / when / then. Tiers by lifetime points: bronze from 50,
silver and gold above; ``earn(volunteer, days)`` gives 20 points a day.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.volunteer import Volunteer, voucher_code


@pytest.fixture
def earn(at, award):
    """Give a volunteer ``days`` days of 10 h emergency rescue: 20 points a day."""

    def earn(volunteer, days: int):
        for d in range(1, days + 1):
            award(volunteer, at(2022, 5, d, 8), at(2022, 5, d, 18), category="emergency_rescue")
        volunteer.collect_events()
        return volunteer

    return earn


@pytest.fixture
def bronze(volunteer, earn):
    """A volunteer with 60 lifetime points and 60 to spend: the bronze tier."""
    return earn(volunteer, 3)


def redeem(volunteer, rules, actor, code, **points):
    return volunteer.redeem_benefit(benefit=rules.benefit(code), rules=rules, actor=actor, **points)


# ----------------------------------------------------------------- the rulebook's tiers


def test_below_the_first_tier_no_benefit_is_included(rules):
    # When the benefits of no tier are asked, then there are none
    assert rules.benefits_for(None) == {}


def test_a_tier_includes_every_lower_tiers_benefits(rules):
    # When the benefits of bronze, silver and gold are asked
    bronze, silver, gold = (rules.benefits_for(t) for t in ("bronze", "silver", "gold"))

    # Then each includes the tier below's, and more
    assert set(bronze) == {"daily_goods", "haircut", "health_check"}
    assert set(silver) == set(bronze) | {"scenic_pass"}
    assert set(gold) == set(silver) | {"bus_pass"}


def test_each_tier_offers_a_benefit_on_its_own_terms(rules):
    # When the health check's cost is asked at each tier
    costs = [rules.benefits_for(t)["health_check"].points for t in ("bronze", "silver", "gold")]

    # Then it costs 40 at bronze, 20 at silver, nothing at gold
    assert costs == [40, 20, 0]


def test_an_unknown_benefit_code_is_refused_naming_the_known_ones(rules):
    # When a benefit the rulebook lacks is asked
    with pytest.raises(DomainError) as refused:
        rules.benefit("spa_day")

    # Then it is refused, naming the known ones, in Chinese too
    assert refused.value.rule == "unknown-benefit"
    assert "health_check" in str(refused.value) and refused.value.message_zh


# ----------------------------------------------------------------- redeeming


def test_below_the_first_tier_a_benefit_is_refused(volunteer, earn, rules, actor, rejects):
    # Given 40 lifetime points (bronze needs 50)
    earn(volunteer, 2)

    # When a haircut is redeemed, then that is refused and nothing is spent
    with rejects(volunteer, "benefit-not-in-tier"):
        redeem(volunteer, rules, actor, "haircut")
    assert volunteer.balance == 40


def test_a_benefit_of_a_higher_tier_is_refused_in_chinese_too(bronze, rules, actor, rejects):
    # Given a bronze volunteer
    # When the gold tier's bus pass is redeemed
    with rejects(bronze, "benefit-not-in-tier") as refused:
        redeem(bronze, rules, actor, "bus_pass")

    # Then the refusal names both tiers in Chinese
    assert "金牌" in (refused.value.message_zh or "") and "铜牌" in (refused.value.message_zh or "")


def test_redeeming_a_benefit_records_it_by_name_and_code(bronze, rules, actor, names):
    # When a bronze volunteer redeems the health check
    redeem(bronze, rules, actor, "health_check")

    # Then the redemption names the benefit in Chinese, its code and its bronze cost
    [redeemed] = bronze.collect_events()
    assert names([redeemed]) == ["PointsRedeemed"]
    assert (redeemed.points, redeemed.benefit, redeemed.benefit_code) == (
        Decimal(40),
        "健康体检套餐",
        "health_check",
    )


def test_redeeming_a_benefit_issues_a_voucher_derived_from_the_entry(bronze, rules, actor):
    # When a benefit is redeemed
    entry = redeem(bronze, rules, actor, "health_check")

    # Then the redemption carries the voucher code of its entry
    [redeemed] = bronze.collect_events()
    assert redeemed.voucher_code == voucher_code(entry)


def test_redeeming_a_benefit_spends_the_balance_not_the_lifetime_points(bronze, rules, actor):
    # When the 40-point health check is redeemed out of 60
    redeem(bronze, rules, actor, "health_check")

    # Then 20 remain to spend; the lifetime points stay at 60
    assert (bronze.balance, bronze.lifetime_points) == (20, 60)


def test_the_balance_must_cover_the_cost(bronze, rules, actor, rejects):
    # Given 20 points left after a health check
    redeem(bronze, rules, actor, "health_check")

    # When a second health check (40) is redeemed, then that is refused
    with rejects(bronze, "redemption-within-balance"):
        redeem(bronze, rules, actor, "health_check")


def test_a_free_benefit_costs_nothing_and_still_issues_a_voucher(bronze, rules, actor):
    # When the free haircut is redeemed
    entry = redeem(bronze, rules, actor, "haircut")

    # Then nothing is spent and an unused voucher is held
    assert bronze.balance == 60
    assert bronze.vouchers == {voucher_code(entry): False}


def test_points_named_must_be_the_tiers_cost(bronze, rules, actor, rejects):
    # When the clerk names 20 points for the 40-point health check, then that is refused
    with rejects(bronze, "redemption-cost"):
        redeem(bronze, rules, actor, "health_check", points=Decimal(20))


def test_a_redemption_recorded_before_benefits_had_codes_still_loads() -> None:
    # Given a stored version 1 redemption
    state: dict[str, object] = {"entry_id": None, "points": Decimal(5), "benefit": "体检"}

    # When it is upcast, then it names no benefit code and no voucher
    Volunteer.PointsRedeemed.upcast_v1_v2(state)
    assert state["benefit_code"] is None and state["voucher_code"] is None


# ----------------------------------------------------------------- vouchers


@pytest.fixture
def voucher(bronze, rules, actor):
    """The code of an unused haircut voucher the bronze volunteer holds."""
    code = voucher_code(redeem(bronze, rules, actor, "haircut"))
    bronze.collect_events()
    return code


def test_using_a_voucher_records_it(bronze, voucher, actor, names):
    # When the provider uses the voucher, then that is recorded
    bronze.use_voucher(code=voucher, actor=actor)
    assert names(bronze.collect_events()) == ["VoucherUsed"]


def test_a_voucher_is_used_once(bronze, voucher, actor, rejects):
    # Given a used voucher
    bronze.use_voucher(code=voucher, actor=actor)

    # When it is used again, then that is refused
    with rejects(bronze, "voucher-used"):
        bronze.use_voucher(code=voucher, actor=actor)


def test_an_unknown_voucher_is_refused(bronze, voucher, actor, rejects):
    # When a code the volunteer does not hold is used, then that is refused
    with rejects(bronze, "voucher-unknown"):
        bronze.use_voucher(code="LY-AAAA-BBBB-CCCC", actor=actor)


def test_a_voucher_code_is_the_same_for_the_same_redemption(bronze, rules, actor):
    # Given a redemption
    entry = redeem(bronze, rules, actor, "haircut")

    # When its code is derived twice, then it is the same
    assert voucher_code(entry) == voucher_code(entry)


def test_a_voucher_code_is_three_groups_without_ambiguous_characters(bronze, voucher):
    # When a voucher is issued, then its code reads LY-XXXX-XXXX-XXXX without 0, 1, O, I or L
    assert len(voucher) == 17 and voucher.startswith("LY-")
    assert not set(voucher[3:].replace("-", "")) & set("01OIL")
