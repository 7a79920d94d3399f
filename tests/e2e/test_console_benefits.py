"""The console's courtesy benefit pages in a real headless Chromium: a clerk redeems a
benefit on a volunteer's page, hands it over against the voucher code at the counter, and
a second hand-over of the same code is refused in Chinese and records nothing."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.clusters import free_port
from tests.e2e.console_support import CHROMIUM, Console, sign_in, start
from tests.e2e.http_support import stop

TOWNSHIP = "嘎鲁图镇"
OTHER_TOWNSHIP = "乌审召镇"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start(tmp_path_factory.mktemp("console-benefits"), free_port())
    try:
        found.add_person("clerk", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("far-clerk", "--role", "station_staff", "--township", OTHER_TOWNSHIP)
        found.add_person("auditor", "--role", "auditor")
        yield found
    finally:
        stop(found.process, found.log)


def _bronze_or_better(console: Console) -> str:
    """A volunteer of the township with at least bronze's 50 lifetime points."""
    rows = console.query(
        "SELECT v.volunteer_id FROM rm_volunteer v JOIN rm_ledger_account a "
        "ON a.volunteer_id = v.volunteer_id WHERE v.township = ? AND v.status = 'active' "
        "AND CAST(a.lifetime_points AS REAL) >= 50 ORDER BY v.volunteer_id",
        (TOWNSHIP,),
    )
    assert rows, "the demo year has no volunteer with a courtesy tier in the township"
    return str(rows[0][0])


def test_a_clerk_redeems_a_benefit_and_hands_it_over_once_by_its_code(
    console: Console, browser: Browser, tmp_path: Path
) -> None:
    # the demo year itself redeems rulebook benefits and hands some of them over
    issued, used = console.query("SELECT count(*), sum(used) FROM rm_voucher")[0]
    assert int(str(issued)) > 0 and int(str(used or 0)) > 0
    vid = _bronze_or_better(console)
    clerk = sign_in(browser, console, "clerk")
    clerk.goto(f"{console.base_url}/volunteers/{vid}")
    with clerk.expect_navigation():
        clerk.click("text=礼遇与兑换")
    expect(clerk.locator("h1")).to_contain_text("礼遇")
    expect(clerk.locator("#tier")).not_to_have_text("未达礼遇等级")
    clerk.select_option("#f-benefit", "haircut")  # free from bronze up
    with clerk.expect_navigation():
        clerk.click("text=兑换并出具凭证")
    code = clerk.locator("#voucher-code").inner_text()
    assert re.fullmatch(r"LY-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    row = clerk.locator("#vouchers tbody tr", has_text=code)
    expect(row).to_contain_text("免费理发服务券")
    expect(row).to_contain_text("未核销")

    # at the counter: the code typed in, looked up, handed over
    with clerk.expect_navigation():
        clerk.click("nav >> text=礼遇核销")
    clerk.fill("#f-lookup", code.lower())  # typed as it comes: case does not matter
    with clerk.expect_navigation():
        clerk.click("text=查询")
    expect(clerk.locator("#voucher-status")).to_have_text("未核销")
    with clerk.expect_navigation():
        clerk.click("button:has-text('核销')")
    expect(clerk.locator(".notice")).to_contain_text("已核销")
    expect(clerk.locator("#voucher-status")).to_contain_text("已核销")
    clerk.screenshot(path=str(tmp_path / "voucher-used.png"), full_page=True)

    # the same code again: refused in Chinese, nothing recorded
    with console.api.client("auditor") as api:
        before = api.get(f"/volunteers/{vid}/ledger").json()["entries"]
        trail = api.get("/audit/events", params={"aggregate_id": vid, "limit": 1000}).json()
    with clerk.expect_navigation():
        clerk.click("button:has-text('核销')")
    alert = clerk.locator("[role=alert]")
    expect(alert).to_contain_text("已核销")
    expect(alert).to_contain_text("不能重复核销")
    clerk.screenshot(path=str(tmp_path / "voucher-twice.png"), full_page=True)
    with console.api.client("auditor") as api:
        shown = api.get(f"/vouchers/{code}").json()
        assert shown["status"] == "used" and shown["used_by"] == "clerk"
        assert api.get(f"/volunteers/{vid}/ledger").json()["entries"] == before
        again = api.get("/audit/events", params={"aggregate_id": vid, "limit": 1000}).json()
        assert [e["event_type"] for e in again["items"]].count("VoucherUsed") == 1
        assert len(again["items"]) == len(trail["items"])
    print("screenshots:", tmp_path)


def test_an_unknown_code_is_named_and_another_townships_clerk_is_refused(
    console: Console, browser: Browser
) -> None:
    vid = _bronze_or_better(console)
    far = sign_in(browser, console, "far-clerk")
    far.goto(f"{console.base_url}/vouchers?code=LY-AAAA-BBBB-CCCC")
    expect(far.locator("[role=alert]")).to_contain_text("没有凭证码为 LY-AAAA-BBBB-CCCC")
    response = far.goto(f"{console.base_url}/volunteers/{vid}/benefits")
    assert response is not None and response.status == 403
    auditor = sign_in(browser, console, "auditor")
    auditor.goto(f"{console.base_url}/volunteers/{vid}/benefits")
    expect(auditor.locator("#vouchers")).to_be_visible()
    expect(auditor.locator("text=兑换并出具凭证")).to_have_count(0)  # auditors read only


def test_people_served_and_media_are_recorded_on_an_activitys_page(
    console: Console, browser: Browser
) -> None:
    team_id, station_id = console.query(
        "SELECT team_id, station_id FROM rm_team WHERE township = ? AND dissolved = 0 "
        "ORDER BY team_id",
        (TOWNSHIP,),
    )[0]
    with console.api.client("clerk") as api:
        planned = api.post(
            "/activities",
            json={
                "title": "重阳节慰问",
                "category": "condolence_visit",
                "team_id": str(team_id),
                "township": TOWNSHIP,
                "station_id": str(station_id),
                "location": "嘎鲁图镇敬老院",
                "starts_at": "2022-12-30T08:00:00+08:00",
                "ends_at": "2022-12-30T18:00:00+08:00",
                "beneficiary_types": ["veteran", "martyr_family"],
                "capacity": 20,
            },
        )
        assert planned.status_code == 201, planned.text
        activity = str(planned.json()["id"])
        api.get(f"/activities/{activity}", params={"min_position": planned.json()["position"]})
    with console.api.client("auditor") as api:
        before = api.get(f"/activities/{activity}").json()["beneficiaries"]
    clerk = sign_in(browser, console, "clerk")
    clerk.goto(f"{console.base_url}/activities/{activity}")
    with clerk.expect_navigation():
        clerk.click("text=服务对象与媒体报道")
    clerk.fill("#f-n_martyr_family", "-2")
    with clerk.expect_navigation():
        clerk.click("text=登记人数")
    expect(clerk.locator("[role=alert]")).to_be_visible()  # refused, nothing recorded
    clerk.fill("#f-n_martyr_family", "2")
    with clerk.expect_navigation():
        clerk.click("text=登记人数")
    expect(clerk.locator(".notice")).to_have_text("已记录。")
    expect(clerk.locator("#served tbody")).to_contain_text("烈属")
    clerk.fill("#f-outlet", "乌审旗融媒体中心")
    clerk.select_option("#f-level", "banner")
    clerk.fill("#f-url", "https://example.cn/wushen/2022/12/30")
    clerk.fill("#f-published_on", "2022-12-30")
    with clerk.expect_navigation():
        clerk.click("text=登记报道")
    expect(clerk.locator("#media tbody")).to_contain_text("乌审旗融媒体中心")
    expect(clerk.locator("#media tbody")).to_contain_text("旗级")
    with console.api.client("auditor") as api:
        after = api.get(f"/activities/{activity}").json()["beneficiaries"]
    assert after.get("martyr_family", 0) == before.get("martyr_family", 0) + 2
