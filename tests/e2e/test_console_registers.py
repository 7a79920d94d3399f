"""The console's registers in a real headless Chromium against a real `volunteer-ledger serve`:
服务站 by level, 保险 purchasing, finding and registering volunteers, suspending and
reinstating them, and the dashboard's insurance and chart. One server (the demo year) and
one browser for the module; each test opens its own signed-in browser context.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.clusters import free_port
from tests.e2e.console_support import (
    CHROMIUM,
    PHONE,
    SCREENSHOTS,
    Console,
    sign_in,
    start,
)
from tests.e2e.http_support import stop

TOWNSHIP = "嘎鲁图镇"
OTHER_TOWNSHIP = "乌审召镇"
UNINSURED_DAY = "2023-01-10"  # the demo year's policies end on 2022-12-31

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start(tmp_path_factory.mktemp("console-registers"), free_port())
    try:
        found.add_person("clerk", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("clerk2", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("far-clerk", "--role", "station_staff", "--township", OTHER_TOWNSHIP)
        found.api.add_users({"api-admin": ["--role", "admin"]})
        yield found
    finally:
        stop(found.process, found.log)


def _township_station(console: Console, township: str) -> str:
    return str(
        console.query(
            "SELECT station_id FROM rm_station WHERE level = 'township' AND township = ?",
            (township,),
        )[0][0]
    )


def _active_volunteer(console: Console, township: str, offset: int = 0) -> tuple[str, str, str]:
    """(id, name, national id) of an active volunteer of the township."""
    row = console.query(
        "SELECT volunteer_id, name, national_id, phone FROM rm_volunteer "
        "WHERE township = ? AND status = 'active' ORDER BY volunteer_id LIMIT 1 OFFSET ?",
        (township, offset),
    )[0]
    return str(row[0]), str(row[1]), str(row[2])


# ------------------------------------------------------------------ 服务站


def test_stations_are_listed_by_level_with_the_village_stations_under_their_township_station(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/stations")
    expect(page.locator("table[data-level=banner_centre] tbody tr")).to_have_count(1)
    expect(page.locator("table[data-level=township]")).to_contain_text(f"{TOWNSHIP}退役军人服务站")
    village = page.locator("table[data-level=village] tbody tr", has_text="呼和陶勒盖嘎查")
    expect(village).to_contain_text(f"{TOWNSHIP}退役军人服务站")  # its parent, by name
    page.context.close()


def test_a_clerk_registers_renames_and_closes_a_village_station_of_their_township(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/stations")
    page.fill("#f-name", "嘎鲁图镇测试嘎查退役军人服务站")
    page.select_option("#f-level", "village")
    page.select_option("#f-parent_id", _township_station(console, TOWNSHIP))
    page.click("form[action='/stations/new'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("嘎鲁图镇测试嘎查退役军人服务站")
    expect(page.locator("#station-level")).to_have_text("嘎查村退役军人服务站")
    page.fill("#f-name", "嘎鲁图镇新测试嘎查退役军人服务站")
    page.click("form[action$='/rename'] button[type=submit]")
    expect(page.locator("h1")).to_have_text("嘎鲁图镇新测试嘎查退役军人服务站")
    page.fill("#f-reason", "并入呼和陶勒盖嘎查服务站")
    page.click("form[action$='/close'] button[type=submit]")
    expect(page.locator("#station-status")).to_contain_text("已撤销（并入呼和陶勒盖嘎查服务站）")
    with console.api.client("api-admin") as api:
        listed = api.get("/stations", params={"level": "village", "township": TOWNSHIP})
    (made,) = [s for s in listed.json()["items"] if s["name"] == "嘎鲁图镇新测试嘎查退役军人服务站"]
    assert made["closed"] is True
    page.context.close()


def test_a_refused_station_form_names_the_field_in_chinese_keeps_what_was_typed_and_records_nothing(
    console: Console, browser: Browser
) -> None:
    before = console.query("SELECT COUNT(*) FROM rm_station")[0][0]
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/stations")
    page.fill("#f-name", "没有上级的嘎查服务站")
    page.select_option("#f-level", "village")
    page.fill("#f-township", TOWNSHIP)
    page.click("form[action='/stations/new'] button[type=submit]")
    expect(page.locator("#e-parent_id")).to_contain_text("嘎查村服务站须选择上级苏木镇服务站")
    expect(page.locator("#f-name")).to_have_value("没有上级的嘎查服务站")
    expect(page.locator("#f-level")).to_have_value("village")
    assert console.query("SELECT COUNT(*) FROM rm_station")[0][0] == before
    page.context.close()


def test_a_station_clerk_gets_a_403_page_for_another_townships_station(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "far-clerk")
    answer = page.goto(f"{console.base_url}/stations/{_township_station(console, TOWNSHIP)}")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_contain_text("无权访问")
    listed = page.goto(f"{console.base_url}/stations?township={TOWNSHIP}")
    assert listed is not None and listed.status == 403
    page.context.close()


# ------------------------------------------------------------------ 保险


def test_a_group_policy_with_an_unknown_member_names_its_line_and_records_nothing(
    console: Console, browser: Browser
) -> None:
    volunteer, _, national_id = _active_volunteer(console, TOWNSHIP, 1)
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/insurance")
    page.fill("#f-policy_number", "GRP-TEST-BAD")
    page.fill("#f-insurer", "中国人民财产保险股份有限公司鄂尔多斯市分公司")
    page.fill("#f-covers_from", "2023-01-01")
    page.fill("#f-covers_to", "2023-12-31")
    page.fill("#f-sum_insured", "100000")
    page.fill("#f-members", f"{national_id}\n不是身份证号")
    page.click("form[action='/insurance/group-policies'] button[type=submit]")
    row = page.locator("#group-error table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("2")
    expect(row).to_contain_text("既不是志愿者编号，也不是有效的身份证号")
    expect(page.locator("#f-members")).to_have_value(f"{national_id}\n不是身份证号")
    assert console.query("SELECT COUNT(*) FROM in_policy WHERE policy_number = 'GRP-TEST-BAD'") == [
        (0,)
    ]
    assert console.query(
        "SELECT COUNT(*) FROM in_policy WHERE volunteer_id = ? AND covers_to >= ?",
        (volunteer, UNINSURED_DAY),
    ) == [(0,)]
    page.context.close()


def test_a_group_policy_uploaded_as_a_file_takes_its_members_off_the_uncovered_list(
    console: Console, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    volunteer, _, national_id = _active_volunteer(console, TOWNSHIP, 2)
    other, _, _ = _active_volunteer(console, TOWNSHIP, 3)
    members = tmp_path_factory.mktemp("policy") / "名单.csv"
    members.write_text(f"身份证号\n{national_id}\n{other}\n", encoding="utf-8")
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/insurance?on={UNINSURED_DAY}")
    page.fill("#q-on", UNINSURED_DAY)
    page.fill("#f-policy_number", "GRP-TEST-FILE")
    page.fill("#f-insurer", "中国人民财产保险股份有限公司鄂尔多斯市分公司")
    page.fill("#f-covers_from", "2023-01-01")
    page.fill("#f-covers_to", "2023-12-31")
    page.fill("#f-sum_insured", "100000")
    page.set_input_files("#f-members_file", str(members))
    page.click("form[action='/insurance/group-policies'] button[type=submit]")
    expect(page.locator("p.notice")).to_contain_text("团体保单已录入")
    with console.api.client("api-admin") as api:
        uncovered = api.get("/insurance/uncovered", params={"on": UNINSURED_DAY}).json()["items"]
    ids = {u["volunteer_id"] for u in uncovered}
    assert volunteer not in ids and other not in ids
    clerk = sign_in(browser, console, "clerk")
    clerk.goto(f"{console.base_url}/insurance?on={UNINSURED_DAY}")
    expect(clerk.locator(f"#uncovered a[href='/volunteers/{volunteer}']")).to_have_count(0)
    townships = clerk.locator("#uncovered tbody tr td:nth-child(2)").all_inner_texts()
    assert townships and set(townships) == {TOWNSHIP}  # a clerk sees their township only
    page.context.close()
    clerk.context.close()


# ------------------------------------------------------------------ 志愿者


def test_volunteers_are_found_by_part_of_a_name_and_by_phone(
    console: Console, browser: Browser
) -> None:
    volunteer, name, _ = _active_volunteer(console, TOWNSHIP, 4)
    phone = str(
        console.query("SELECT phone FROM rm_volunteer WHERE volunteer_id = ?", (volunteer,))[0][0]
    )
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/volunteers")
    page.fill("#q", name[:2])
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#volunteer-list tbody")).to_contain_text(name)
    names = page.locator("#volunteer-list tbody tr td:first-child").all_inner_texts()
    assert names and all(name[:2] in n for n in names)
    page.fill("#q", phone[-8:])
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#volunteer-list tbody tr")).to_have_count(1)
    page.locator("#volunteer-list tbody a").click()
    expect(page.locator("h1")).to_have_text(name)
    assert volunteer in page.url
    page.context.close()


def test_registering_a_registered_national_id_is_refused_with_a_link_to_the_existing_record(
    console: Console, browser: Browser
) -> None:
    volunteer, name, national_id = _active_volunteer(console, TOWNSHIP, 5)
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/volunteers/new")
    page.fill("#f-name", "重复登记者")
    page.fill("#f-national_id", national_id)
    page.fill("#f-phone", "13900000001")
    page.click("form[action='/volunteers/new'] button[type=submit]")
    expect(page.locator("#e-national_id")).to_contain_text("该身份证号已登记")
    expect(page.locator("#f-name")).to_have_value("重复登记者")
    page.locator("#register-existing").click()
    expect(page.locator("h1")).to_have_text(name)
    assert volunteer in page.url
    page.context.close()


def test_registering_a_withdrawn_volunteers_national_id_offers_to_reinstate_them(
    console: Console, browser: Browser
) -> None:
    volunteer, name, national_id = _active_volunteer(console, TOWNSHIP, 7)
    with console.api.client("api-admin") as api:
        gone = api.post(f"/volunteers/{volunteer}/withdraw", json={"reason": "本人申请退出"})
        shown = api.get(
            f"/volunteers/{volunteer}", params={"min_position": gone.json()["position"]}
        )
        assert shown.json()["status"] == "withdrawn"
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/volunteers/new")
    page.fill("#f-name", name)
    page.fill("#f-national_id", national_id)
    page.click("form[action='/volunteers/new'] button[type=submit]")
    expect(page.locator("#register-error")).to_contain_text("该志愿者已退出")
    expect(page.locator("#register-existing")).to_have_text("恢复该志愿者")

    page.locator("#register-existing").click()
    expect(page.locator("h1")).to_have_text(name)
    page.fill("#f-reinstate-reason", "已返乡，本人申请恢复")
    page.click("form[action$='/reinstate'] button[type=submit]")

    expect(page.locator("#volunteer-status")).to_have_text("在册")
    with console.api.client("api-admin") as api:
        assert api.get(f"/volunteers/{volunteer}").json()["status"] == "active"
    page.context.close()


def test_a_clerk_suspends_and_reinstates_a_volunteer_with_the_reason_on_record(
    console: Console, browser: Browser
) -> None:
    volunteer, _, _ = _active_volunteer(console, TOWNSHIP, 6)
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/volunteers/{volunteer}")
    page.click("form[action$='/suspend'] button[type=submit]")  # no reason: refused
    expect(page.locator("#volunteer-status")).to_have_text("在册")
    page.fill("#f-suspend-reason", "长期外出务工")
    page.click("form[action$='/suspend'] button[type=submit]")
    expect(page.locator("#volunteer-status")).to_have_text("暂停")
    expect(page.locator("#status-changes")).to_contain_text("暂停 · 经办人 clerk")
    page.fill("#f-reinstate-reason", "已返乡")
    page.click("form[action$='/reinstate'] button[type=submit]")
    expect(page.locator("#volunteer-status")).to_have_text("在册")
    with console.api.client("api-admin") as api:
        assert api.get(f"/volunteers/{volunteer}").json()["status"] == "active"
    page.context.close()


def test_a_completed_training_is_shown_on_the_volunteers_profile(
    console: Console, browser: Browser
) -> None:
    volunteer, _, _ = _active_volunteer(console, TOWNSHIP, 9)
    with console.api.client("api-admin") as api:
        done = api.post(
            f"/volunteers/{volunteer}/trainings",
            json={"course": "应急救护技能培训（测试）", "hours": "4", "completed_on": "2022-11-15"},
        )
        assert done.status_code == 200, done.text
        api.get(f"/volunteers/{volunteer}/ledger", params={"min_position": done.json()["position"]})
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/volunteers/{volunteer}")
    row = page.locator("#trainings tbody tr", has_text="应急救护技能培训（测试）")
    expect(row).to_contain_text("4")
    page.context.close()


def test_the_profile_shows_commendation_candidacy_as_the_api_reads_it(
    console: Console, browser: Browser
) -> None:
    ids = {
        str(r[0])
        for r in console.query(
            "SELECT volunteer_id FROM rm_volunteer WHERE township = ?", (TOWNSHIP,)
        )
    }
    with console.api.client("api-admin") as api:
        read = api.get("/eligibility/volunteers", params={"year": 2022, "limit": 1000}).json()
    mine = [r for r in read["items"] if r["volunteer_id"] in ids]
    busiest = max(mine, key=lambda r: float(r["hours_in_year"]))
    page = sign_in(browser, console, "clerk")

    page.goto(f"{console.base_url}/volunteers/{busiest['volunteer_id']}")

    shown = page.locator("#commendation-candidacy")
    expect(shown).to_contain_text("是" if busiest["commendation_candidate"] else "否")
    expect(shown).to_contain_text(f"年内服务 {busiest['hours_in_year']} 小时")
    expect(shown).to_contain_text(f"参加经核验活动 {busiest['activities_in_year']} 次")
    expect(page.locator("dt", has_text="表彰候选（2022年）")).to_be_visible()
    page.context.close()


def test_a_suspension_without_a_reason_is_refused_beside_the_field(
    console: Console, browser: Browser
) -> None:
    volunteer, _, _ = _active_volunteer(console, TOWNSHIP, 7)
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/volunteers/{volunteer}")
    page.locator("#f-suspend-reason").evaluate("e => e.removeAttribute('required')")
    page.click("form[action$='/suspend'] button[type=submit]")
    expect(page.locator("#e-suspend-reason")).to_contain_text("必填")
    expect(page.locator("#volunteer-status")).to_have_text("在册")
    page.context.close()


# ------------------------------------------------------------------ corrections


def test_a_correction_after_verification_waits_for_another_persons_approval(
    console: Console, browser: Browser
) -> None:
    activity = str(
        console.query(
            "SELECT activity_id FROM rm_activity WHERE status = 'verified' AND township = ? "
            "ORDER BY start_date LIMIT 1",
            (TOWNSHIP,),
        )[0][0]
    )
    day = str(
        console.query("SELECT start_date FROM rm_activity WHERE activity_id = ?", (activity,))[0][0]
    )
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    page.click("#corrections-link")
    expect(page.locator("#four-eyes")).to_contain_text("四眼原则")
    page.select_option("#f-volunteer_id", index=1)
    page.fill("#f-started_at", f"{day}T09:00")
    page.fill("#f-ended_at", f"{day}T10:00")
    page.fill("#f-reason", "签退时间登记错误")
    page.click("form[action$='/corrections'] button[type=submit]")
    expect(page.locator("p.notice")).to_contain_text("等待另一位工作人员批准")
    row = page.locator("#corrections tbody tr", has_text="签退时间登记错误")
    expect(row).to_contain_text("待批准")
    row.locator("button", has_text="批准").click()  # the proposer: refused, explained
    expect(page.locator("[role=alert]")).to_contain_text("提出这项更正的人")
    expect(page.locator("#corrections tbody tr", has_text="签退时间登记错误")).to_contain_text(
        "待批准"
    )
    other = sign_in(browser, console, "clerk2")
    other.goto(f"{console.base_url}/activities/{activity}/corrections")
    other.locator("#corrections tbody tr", has_text="签退时间登记错误").locator(
        "button", has_text="批准"
    ).click()
    expect(other.locator("p.notice")).to_contain_text("更正已批准")
    expect(other.locator("#corrections tbody tr", has_text="签退时间登记错误")).to_contain_text(
        "已批准（clerk2"
    )
    with console.api.client("api-admin") as api:
        (made,) = [
            c
            for c in api.get(f"/activities/{activity}/corrections").json()["items"]
            if c["reason"] == "签退时间登记错误"
        ]
    assert made["status"] == "approved" and made["decided_by"] == "clerk2"
    page.context.close()
    other.context.close()


# ------------------------------------------------------------------ audit


def test_the_chain_verification_page_shows_each_seal_as_positions_key_and_a_verdict(
    console: Console, browser: Browser
) -> None:
    with console.api.client("api-admin") as api:
        sealed = api.post("/audit/seals", json={})
    assert sealed.status_code == 201, sealed.text
    made = sealed.json()
    page = sign_in(browser, console, "admin")
    page.goto(f"{console.base_url}/audit/verify")
    row = page.locator("#seals tbody tr", has_text=str(made["sealed_position"])).last
    expect(row).to_contain_text(str(made["position"]))
    expect(row).to_contain_text(made["key_id"][:16])
    expect(row).to_contain_text("签名有效")
    expect(page.locator("#seals")).not_to_contain_text("sealed_position")  # not a raw dump
    page.context.close()


# ------------------------------------------------------------------ dashboard, every page


def test_the_dashboards_ranking_chart_writes_each_station_name_whole_and_readable(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "admin")
    labels = page.locator("svg.chart").first.locator("text.chart-label")
    texts = labels.evaluate_all("ls => ls.map(l => l.textContent)")
    assert any(t.endswith("退役军人服务站") for t in texts), texts
    sizes = labels.evaluate_all("ls => ls.map(l => l.getBoundingClientRect().height)")
    assert min(sizes) >= 12  # px on a 1366×768 screen, as drawn
    expect(page.locator("body")).to_contain_text("天内到期的保单")
    page.goto(f"{console.base_url}/rankings?period=2022")  # a page-wide chart: not blown up
    wide = page.locator("svg.chart text.chart-label").evaluate_all(
        "ls => ls.map(l => l.getBoundingClientRect().height)"
    )
    assert max(wide) <= 28
    page.context.close()


def test_the_dashboard_lists_the_longest_waiting_open_need_with_its_days_and_a_link(
    console: Console, browser: Browser
) -> None:
    with console.api.client("api-admin") as api:
        oldest = api.get("/needs", params={"status": "open", "limit": 1}).json()["items"][0]
    page = sign_in(browser, console, "admin")
    row = page.locator("#dash-needs tbody tr").first  # oldest first, as GET /needs
    expect(row).to_contain_text(oldest["description"])
    expect(row).to_contain_text(oldest["township"])
    expect(row).to_contain_text(f"{oldest['age_days']} 天")
    row.locator("a").click()
    expect(page.locator("h1")).to_have_text("需求详情")
    assert oldest["need_id"] in page.url
    page.context.close()


def _new_pages(console: Console) -> dict[str, str]:
    volunteer, name, _ = _active_volunteer(console, TOWNSHIP, 8)
    return {
        "stations": "/stations",
        "station": f"/stations/{_township_station(console, TOWNSHIP)}",
        "insurance": f"/insurance?on={UNINSURED_DAY}&year=2022",
        "volunteer-search": f"/volunteers?q={name[:1]}",
        "volunteer-profile": f"/volunteers/{volunteer}",
        "dashboard": "/",
        "chain-verification": "/audit/verify",
        "corrections": "/activities/{}/corrections".format(
            console.query(
                "SELECT activity_id FROM rm_activity WHERE status = 'verified' AND township = ? "
                "LIMIT 1",
                (TOWNSHIP,),
            )[0][0]
        ),
    }


def test_the_register_pages_have_no_serious_accessibility_violations_and_are_screenshotted(
    console: Console, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in(browser, console, "admin")
    axe = Axe()
    serious: dict[str, list[str]] = {}
    for name, path in _new_pages(console).items():
        page.goto(f"{console.base_url}{path}")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        results = axe.run(page)
        bad = [
            f"{v['id']}: {v['help']}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        if bad:
            serious[name] = bad
    assert serious == {}
    page.context.close()


def test_the_register_pages_fit_a_phone_width_screen_without_sideways_scrolling(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk", viewport=PHONE)
    wide = {}
    for name, path in _new_pages(console).items():
        page.goto(f"{console.base_url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[name] = width
    assert wide == {}
    page.context.close()
