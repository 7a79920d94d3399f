"""Courtesy benefits (礼遇): what a tier includes, redeeming one, and its voucher used once."""

from __future__ import annotations

from decimal import Decimal

import pytest

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


def test_a_tier_includes_its_own_and_every_lower_tiers_benefits_on_its_own_terms(rules):
    assert rules.benefits_for(None) == {}
    bronze = rules.benefits_for("bronze")
    silver = rules.benefits_for("silver")
    gold = rules.benefits_for("gold")
    assert set(bronze) == {"daily_goods", "haircut", "health_check"}
    assert set(silver) == set(bronze) | {"scenic_pass"}
    assert set(gold) == set(silver) | {"bus_pass"}
    # the health check costs 40 at bronze, 20 at silver, nothing at gold
    assert [t["health_check"].points for t in (bronze, silver, gold)] == [40, 20, 0]


def test_an_unknown_benefit_code_is_refused_naming_the_known_ones(rules):
    from domain.errors import DomainError

    with pytest.raises(DomainError) as refused:
        rules.benefit("spa_day")
    assert refused.value.rule == "unknown-benefit"
    assert "health_check" in str(refused.value) and refused.value.message_zh


def test_below_the_first_tier_no_benefit_is_included(volunteer, earn, rules, actor, rejects):
    earn(volunteer, 2)  # 40 lifetime points: bronze needs 50
    with rejects(volunteer, "benefit-not-in-tier"):
        volunteer.redeem_benefit(benefit=rules.benefit("haircut"), rules=rules, actor=actor)
    assert volunteer.balance == 40


def test_a_benefit_of_a_higher_tier_is_refused_in_chinese_too(volunteer, earn, rules, actor):
    from domain.errors import DomainError

    earn(volunteer, 3)  # 60: bronze
    with pytest.raises(DomainError) as refused:
        volunteer.redeem_benefit(benefit=rules.benefit("bus_pass"), rules=rules, actor=actor)
    assert refused.value.rule == "benefit-not-in-tier"
    assert "金牌" in (refused.value.message_zh or "") and "铜牌" in (refused.value.message_zh or "")
    assert volunteer.collect_events() == []


def test_redeeming_spends_the_tiers_cost_and_issues_a_voucher(volunteer, earn, rules, actor, names):
    earn(volunteer, 3)  # 60: bronze
    entry = volunteer.redeem_benefit(
        benefit=rules.benefit("health_check"), rules=rules, actor=actor
    )

    [redeemed] = volunteer.collect_events()
    assert names([redeemed]) == ["PointsRedeemed"]
    assert (redeemed.points, redeemed.benefit, redeemed.benefit_code) == (
        Decimal(40),
        "健康体检套餐",
        "health_check",
    )
    assert redeemed.voucher_code == voucher_code(entry)
    assert (volunteer.balance, volunteer.lifetime_points) == (20, 60)


def test_the_balance_must_cover_the_cost(volunteer, earn, rules, actor, rejects):
    earn(volunteer, 3)
    volunteer.redeem_benefit(benefit=rules.benefit("health_check"), rules=rules, actor=actor)
    volunteer.collect_events()  # 20 left
    with rejects(volunteer, "redemption-within-balance"):
        volunteer.redeem_benefit(benefit=rules.benefit("health_check"), rules=rules, actor=actor)


def test_a_free_benefit_costs_nothing_and_still_issues_a_voucher(volunteer, earn, rules, actor):
    earn(volunteer, 3)
    entry = volunteer.redeem_benefit(benefit=rules.benefit("haircut"), rules=rules, actor=actor)
    assert volunteer.balance == 60
    assert volunteer.vouchers == {voucher_code(entry): False}


def test_points_named_must_be_the_tiers_cost(volunteer, earn, rules, actor, rejects):
    earn(volunteer, 3)
    with rejects(volunteer, "redemption-cost"):
        volunteer.redeem_benefit(
            benefit=rules.benefit("health_check"), rules=rules, actor=actor, points=Decimal(20)
        )


def test_a_voucher_is_used_once(volunteer, earn, rules, actor, rejects, names):
    earn(volunteer, 3)
    code = voucher_code(
        volunteer.redeem_benefit(benefit=rules.benefit("haircut"), rules=rules, actor=actor)
    )
    volunteer.collect_events()
    volunteer.use_voucher(code=code, actor=actor)
    assert names(volunteer.collect_events()) == ["VoucherUsed"]
    with rejects(volunteer, "voucher-used"):
        volunteer.use_voucher(code=code, actor=actor)
    with rejects(volunteer, "voucher-unknown"):
        volunteer.use_voucher(code="LY-AAAA-BBBB-CCCC", actor=actor)


def test_voucher_codes_are_stable_and_unambiguous(volunteer, earn, rules, actor):
    earn(volunteer, 3)
    entry = volunteer.redeem_benefit(benefit=rules.benefit("haircut"), rules=rules, actor=actor)
    code = voucher_code(entry)
    assert code == voucher_code(entry)
    assert len(code) == 17 and code.startswith("LY-")
    assert not set(code[3:].replace("-", "")) & set("01OIL")


def test_a_redemption_recorded_before_benefits_had_codes_still_loads() -> None:
    state: dict[str, object] = {"entry_id": None, "points": Decimal(5), "benefit": "体检"}
    Volunteer.PointsRedeemed.upcast_v1_v2(state)
    assert state["benefit_code"] is None and state["voucher_code"] is None
