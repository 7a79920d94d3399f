"""需求与项目 in a real headless Chromium against a real `volunteer-ledger serve` on the demo
year: a clerk sees the township's open needs with the days they waited, raises a need,
closes one with a verified activity, declines one; a refusal is shown in Chinese and
records nothing; an auditor reads contacts masked and gets no forms."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.clusters import free_port
from tests.e2e.console_support import (
    CHROMIUM,
    SCREENSHOTS,
    Console,
    sign_in,
    start,
)
from tests.e2e.http_support import stop

TOWNSHIP = "嘎鲁图镇"
OTHER_TOWNSHIP = "图克镇"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start(tmp_path_factory.mktemp("console-needs"), free_port())
    try:
        found.add_person("clerk", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("auditor", "--role", "auditor")
        yield found
    finally:
        stop(found.process, found.log)


def _open_need(console: Console, township: str | None) -> str:
    """An open need (of ``township``, if given), for the test to act on."""
    rows = console.query(
        "SELECT need_id FROM rm_need WHERE status = 'open' AND township = COALESCE(?, township)"
        " ORDER BY need_id",
        (township,),
    )
    assert rows, f"the demo year leaves no open need in {township}"
    return str(rows[0][0])


def test_a_clerk_sees_the_townships_open_needs_with_days_waited(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk")
    page.get_by_role("link", name="需求与项目", exact=True).click()
    page.wait_for_url(f"{console.base_url}/needs")
    needs = page.locator("#needs tbody tr")
    expect(needs.first).to_be_visible()
    townships = needs.locator("td:nth-child(2)").all_inner_texts()
    assert townships and set(townships) == {TOWNSHIP}
    waited = needs.locator("td:nth-child(9)").all_inner_texts()
    assert all(w.isdigit() for w in waited)
    assert set(needs.locator("td:nth-child(10)").all_inner_texts()) == {"待办"}
    # the clerk calls back: contacts of the own township in full
    assert all("*" not in c for c in needs.locator("td:nth-child(8)").all_inner_texts())
    expect(page.locator("#projects")).to_contain_text("服务清单")
    page.context.close()


def test_a_clerk_raises_a_need_and_declines_it(console: Console, browser: Browser) -> None:
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/needs/new")
    page.select_option("#f-beneficiary_type", "disabled_veteran")
    page.select_option("#f-category", "employment_difficulty")
    page.fill("#f-description", "伤残军人希望在家门口从事手工编织，需要联系订单")
    page.fill("#f-raised_by_name", "朝鲁门")
    page.fill("#f-raised_by_contact", "13947709876")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{console.base_url}/needs/*")
    expect(page.locator("#need-status")).to_have_text("待办")
    expect(page.locator("#need-age")).to_have_text("0 天")
    expect(page.locator("main")).to_contain_text("就业困难")

    page.fill("#f-reason", "已由残联纳入居家就业项目")
    page.get_by_role("button", name="不予受理").click()
    expect(page.locator("#need-status")).to_have_text("不予受理")
    expect(page.locator("#need-reason")).to_have_text("已由残联纳入居家就业项目")
    page.context.close()


def test_a_clerk_closes_a_need_with_a_verified_activity(console: Console, browser: Browser) -> None:
    need_id = _open_need(console, TOWNSHIP)
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/needs/{need_id}")
    activity = page.locator("#f-activity_id option").first.get_attribute("value")
    assert activity
    page.fill("#f-outcome", "志愿者上门帮助，问题已解决")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("#need-status")).to_have_text("已满足")
    expect(page.locator("#need-outcome")).to_have_text("志愿者上门帮助，问题已解决")
    expect(page.locator(f"a[href='/activities/{activity}']")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "need.png"), full_page=True)
    page.context.close()


def test_a_need_at_another_townships_station_is_refused_in_chinese(
    console: Console, browser: Browser
) -> None:
    before = console.query("SELECT COUNT(*) FROM rm_need")[0][0]
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/needs/new")
    page.fill("#f-township", TOWNSHIP)
    page.select_option("#f-station_id", label=f"{OTHER_TOWNSHIP}退役军人服务站")
    page.fill("#f-description", "测试：服务站与苏木镇不一致")
    page.fill("#f-raised_by_name", "测试")
    page.fill("#f-raised_by_contact", "13900000000")
    page.click("form.stack button[type=submit]")
    expect(page.locator("#raise-error")).to_contain_text("需求须在本苏木镇的服务站登记")
    assert page.locator("#f-description").input_value() == "测试：服务站与苏木镇不一致"
    assert console.query("SELECT COUNT(*) FROM rm_need")[0][0] == before
    page.context.close()


def test_an_auditor_reads_contacts_masked_and_gets_no_forms(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "auditor")
    page.goto(f"{console.base_url}/needs?status=")
    contacts = page.locator("#needs tbody tr td:nth-child(8)").all_inner_texts()
    assert contacts and all("****" in c for c in contacts)
    expect(page.get_by_role("link", name="登记需求")).to_have_count(0)
    page.goto(f"{console.base_url}/needs/{_open_need(console, None)}")
    expect(page.locator("#need-status")).to_have_text("待办")
    expect(page.get_by_role("button", name="办结")).to_have_count(0)
    page.context.close()


def test_the_page_has_no_serious_accessibility_violations_and_is_screenshotted(
    console: Console, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in(browser, console, "admin")
    axe = Axe()
    serious: dict[str, list[str]] = {}
    for name, path in {"needs": "/needs?status=", "need_new": "/needs/new"}.items():
        page.goto(f"{console.base_url}{path}")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=name == "needs")
        bad = [
            f"{v['id']}: {v['help']}"
            for v in axe.run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        if bad:
            serious[name] = bad
    assert serious == {}
    page.context.close()
