"""Courtesy benefits redeemed and handed over, people served and media coverage, on SQLite
and PostgreSQL: the use cases, the read models the bulletin reads, and the annual review."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from application.commands.activities import (
    CompleteActivity,
    RecordBeneficiaries,
    RecordMedia,
    VerifyActivity,
)
from application.commands.people import RedeemPoints, UseVoucher
from application.readmodel.queries.served import (
    beneficiary_totals,
    media_coverage,
    voucher,
    vouchers_of,
)
from application.readmodel.tables import ENTRY
from domain.errors import DomainError
from domain.ranking import Period
from domain.values import BeneficiaryType, MediaLevel
from domain.volunteer import voucher_code
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, STAFF, activity, at, hours, team, volunteer

MAY = [date(2022, 5, d) for d in (11, 12, 13)]


def _served(container: Container, tid: UUID, vid: UUID, day: date, **counts: int) -> UUID:
    """A verified emergency rescue of 10 h (20 points) that served ``counts`` people."""
    ledger = container.ledger
    aid = activity(ledger, tid, day=day, category="emergency_rescue")
    hours(ledger, aid, vid, at(day, 8), at(day, 18))
    ledger.record_beneficiaries(
        RecordBeneficiaries(
            activity_id=aid, counts={BeneficiaryType(k): n for k, n in counts.items()}
        ),
        actor=STAFF,
    )
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    return aid


def test_a_benefit_is_redeemed_within_the_tier_and_its_voucher_handed_over_once(
    container: Container,
) -> None:
    ledger = container.ledger
    tid, vid = team(ledger), volunteer(ledger)
    _served(container, tid, vid, MAY[0], veteran=3)
    _served(container, tid, vid, MAY[1], veteran=2)
    with pytest.raises(DomainError) as early:  # 40 lifetime points: below bronze
        ledger.redeem_points(RedeemPoints(volunteer_id=vid, benefit="haircut"), actor=STAFF)
    assert early.value.rule == "benefit-not-in-tier"
    _served(container, tid, vid, MAY[2], public=10)  # 60: bronze

    with pytest.raises(DomainError) as unknown:
        ledger.redeem_points(RedeemPoints(volunteer_id=vid, benefit="spa_day"), actor=STAFF)
    assert unknown.value.rule == "unknown-benefit"
    recorded = ledger.redeem_points(
        RedeemPoints(volunteer_id=vid, benefit="health_check"), actor=STAFF
    )
    entry_id = recorded.created["entry_id"]
    code = voucher_code(entry_id)
    with pytest.raises(DomainError) as short:  # 20 left, the check costs 40
        ledger.redeem_points(RedeemPoints(volunteer_id=vid, benefit="health_check"), actor=STAFF)
    assert short.value.rule == "redemption-within-balance"

    container.runner().catch_up()
    reads = container.read_models()
    entry = reads.store.get(ENTRY, (str(entry_id),))
    assert entry is not None and entry["kind"] == "redemption" and entry["points"] == "-40"
    assert "健康体检套餐" in entry["detail"]
    assert reads.ledger(str(vid))["balance"] == "20"
    issued = voucher(reads.store, code)
    assert issued is not None
    assert (issued["status"], issued["benefit"], issued["points"]) == (
        "issued",
        "health_check",
        "40",
    )
    assert issued["volunteer_name"] == "王建国"

    ledger.use_voucher(UseVoucher(volunteer_id=vid, code=code), actor=STAFF)
    with pytest.raises(DomainError) as twice:
        ledger.use_voucher(UseVoucher(volunteer_id=vid, code=code), actor=BUREAU)
    assert twice.value.rule == "voucher-used"
    container.runner().catch_up()
    [used] = vouchers_of(container.read_models().store, str(vid))
    assert (used["status"], used["used_by"]) == ("used", STAFF.user_id)

    # the review lists it under the year it was recorded in (Asia/Shanghai), as decisions
    recorded_year = int(str(entry["recorded_at"])[:4])
    [redeemed] = container.review(recorded_year)["redemptions"]
    assert (redeemed["benefit"], redeemed["points"], redeemed["used"]) == (
        "health_check",
        "40",
        True,
    )


def test_people_served_are_totalled_by_type_per_unit_and_period(container: Container) -> None:
    ledger = container.ledger
    tid, vid = team(ledger), volunteer(ledger)
    first = _served(container, tid, vid, MAY[0], veteran=3, public=4)
    _served(container, tid, vid, MAY[1], veteran=2, martyr_family=1)
    unverified = activity(ledger, tid, day=MAY[2])  # planned only: not counted
    ledger.record_beneficiaries(
        RecordBeneficiaries(activity_id=unverified, counts={BeneficiaryType.PUBLIC: 50}),
        actor=STAFF,
    )
    ledger.record_media(
        RecordMedia(
            activity_id=first,
            outlet="鄂尔多斯日报",
            level=MediaLevel.CITY,
            url="https://example.cn/news/1",
            published_on=date(2022, 5, 12),
        ),
        actor=STAFF,
    )
    ledger.record_media(
        RecordMedia(
            activity_id=first,
            outlet="乌审旗融媒体中心",
            level=MediaLevel.BANNER,
            url="https://example.cn/news/2",
            published_on=date(2022, 6, 2),
        ),
        actor=STAFF,
    )
    container.runner().catch_up()
    store, rulebook = container.read_models().store, container.rulebook

    by_category = beneficiary_totals(store, rulebook, Period.parse("2022-05"), "category")
    assert by_category["total"] == 10
    assert {k: v["count"] for k, v in by_category["by_type"].items()} == {
        "martyr_family": 1,
        "public": 4,
        "veteran": 5,
    }
    assert by_category["by_type"]["martyr_family"]["label_zh"] == "烈属"
    [row] = by_category["rows"]
    assert (row["name"], row["activities"], row["people"]) == ("应急抢险救援", 2, 10)
    by_team = beneficiary_totals(store, rulebook, Period.parse("2022"), "team")
    assert [(r["unit_id"], r["people"]) for r in by_team["rows"]] == [(str(tid), 10)]
    by_station = beneficiary_totals(store, rulebook, Period.parse("2022-Q2"), "station")
    [at_station] = by_station["rows"]  # both at the township's one registered station
    assert (at_station["name"], at_station["people"]) == ("巴彦镇退役军人服务站", 10)
    assert beneficiary_totals(store, rulebook, Period.parse("2022-06"), "station")["total"] == 0

    [may] = media_coverage(store, Period.parse("2022-05"))
    assert (may["outlet"], may["level_zh"], may["activity_title"]) == (
        "鄂尔多斯日报",
        "市级",
        "健康知识进社区",
    )
    assert [m["outlet"] for m in media_coverage(store, Period.parse("2022"))] == [
        "鄂尔多斯日报",
        "乌审旗融媒体中心",
    ]
