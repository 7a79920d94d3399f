"""The office console in a real headless Chromium against a real `volunteer-ledger serve`.

One server (the demo year, as a newcomer's first `make run` records it) and one browser
for the module; each test opens its own signed-in browser context.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Route, expect

from tests.clusters import free_port
from tests.e2e.console_support import (
    CHROMIUM,
    PHONE,
    SCREENSHOTS,
    Console,
    InsuredMembers,
    form_value,
    sign_in,
    start,
)
from tests.e2e.http_support import stop

TOWNSHIP = "嘎鲁图镇"
OTHER_TOWNSHIP = "乌审召镇"
DAY = "2022-12-30"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start(tmp_path_factory.mktemp("console"), free_port())
    try:
        team_id = str(
            found.query("SELECT team_id FROM rm_team WHERE township = ?", (TOWNSHIP,))[0][0]
        )
        found.add_person("clerk", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("clerk2", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("far-clerk", "--role", "station_staff", "--township", OTHER_TOWNSHIP)
        found.add_person("leader", "--role", "team_leader", "--team", team_id)
        found.add_person("auditor", "--role", "auditor")
        found.add_person("locked", "--role", "auditor")
        found.api.add_users({"api-admin": ["--role", "admin"]})
        yield found
    finally:
        stop(found.process, found.log)


@pytest.fixture(scope="module")
def volunteers(console: Console) -> InsuredMembers:
    return InsuredMembers(console, TOWNSHIP, DAY, team_only=False)


def _plan_by_api(console: Console, volunteers: InsuredMembers, user: str = "clerk") -> str:
    with console.api.client(user) as api:
        made = api.post(
            "/activities",
            json={
                "title": "测试活动",
                "category": "condolence_visit",
                "team_id": volunteers.team_id,
                "township": TOWNSHIP,
                "station_id": volunteers.station,
                "location": "嘎鲁图镇文化广场",
                "starts_at": f"{DAY}T08:00:00+08:00",
                "ends_at": f"{DAY}T18:00:00+08:00",
                "beneficiary_types": ["veteran"],
                "capacity": 20,
            },
        )
        assert made.status_code == 201, made.text
        api.get(
            f"/activities/{made.json()['id']}", params={"min_position": made.json()["position"]}
        )
        return str(made.json()["id"])


def _completed_by_api(console: Console, volunteers: InsuredMembers, recorder: str) -> str:
    """An activity whose one participant's hours ``recorder`` recorded, marked completed."""
    activity = _plan_by_api(console, volunteers, recorder)
    volunteer = volunteers.pop()
    with console.api.client(recorder) as api:
        assert (
            api.post(
                f"/activities/{activity}/signups", json={"volunteer_id": volunteer}
            ).status_code
            == 200
        )
        hours = api.post(
            f"/activities/{activity}/hours",
            json={
                "volunteer_id": volunteer,
                "started_at": f"{DAY}T09:00:00+08:00",
                "ended_at": f"{DAY}T11:00:00+08:00",
                "source": "organiser",
            },
        )
        assert hours.status_code == 200, hours.text
        done = api.post(f"/activities/{activity}/complete")
        assert done.status_code == 200, done.text
        api.get(f"/activities/{activity}", params={"min_position": done.json()["position"]})
    return activity


def _activity(console: Console, activity_id: str) -> dict[str, Any]:
    with console.api.client("api-admin") as api:
        got = api.get(f"/activities/{activity_id}")
        assert got.status_code == 200
        return dict(got.json())


# ------------------------------------------------------------------ sign-in


def test_the_first_serve_writes_the_admin_password_to_an_owner_only_file_and_it_signs_in(
    console: Console, browser: Browser
) -> None:
    printed = console.log_path.read_text()
    path = Path(re.search(r"password in (\S+)", printed).group(1))  # type: ignore[union-attr]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert console.admin_password not in printed
    page = sign_in(browser, console, "admin")
    expect(page.locator(".who")).to_contain_text("admin（管理员）")
    page.context.close()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("clerk", "clerk（服务站工作人员，嘎鲁图镇）"),
        ("leader", "leader（队长"),
        ("auditor", "auditor（审计员）"),
    ],
)
def test_each_role_signs_in_with_its_password(
    console: Console, browser: Browser, name: str, shown: str
) -> None:
    page = sign_in(browser, console, name)
    expect(page.locator(".who")).to_contain_text(shown)
    expect(page.locator("h1")).to_contain_text("首页")
    page.context.close()


def test_the_session_cookie_is_httponly_and_samesite_lax(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "vl_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    page.context.close()


def test_a_page_without_a_session_sends_to_the_sign_in_page(
    console: Console, browser: Browser
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{console.base_url}/activities")
    assert page.url.startswith(f"{console.base_url}/login?next=/activities")
    context.close()


def test_signing_out_ends_the_session(console: Console, browser: Browser) -> None:
    page = sign_in(browser, console, "auditor")
    page.click("text=退出登录")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto(f"{console.base_url}/")
    assert "/login" in page.url
    page.context.close()


def test_repeated_wrong_passwords_lock_the_user_and_say_until_when(
    console: Console, browser: Browser
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{console.base_url}/login")
    for _ in range(5):
        page.fill("#name", "locked")
        page.fill("#password", "wrong-password!")
        page.click("button[type=submit]")
    page.fill("#name", "locked")
    page.fill("#password", console.passwords["locked"])  # the right one: still refused
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("已暂时锁定")
    expect(page.locator("#login-error")).to_contain_text(
        re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
    )
    assert "/login" in page.url
    context.close()


def test_a_form_without_the_csrf_token_is_refused_and_records_nothing(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    activity = _plan_by_api(console, volunteers)
    page = sign_in(browser, console, "clerk")
    sent = page.request.post(
        f"{console.base_url}/activities/{activity}/signups",
        form={"volunteer_id": volunteers.pop(), "form_key": "k-no-csrf"},
        max_redirects=0,
    )
    assert sent.status == 403
    assert "安全令牌" in sent.text()
    assert _activity(console, activity)["signups"] == 0
    page.context.close()


# ------------------------------------------------------------------ activities


def test_the_life_of_an_activity_from_planning_to_verification_through_the_pages(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    first, second = volunteers.pop(), volunteers.pop()
    clerk = sign_in(browser, console, "clerk")
    clerk.goto(f"{console.base_url}/activities/new")
    clerk.fill("#f-title", "节日慰问老兵")
    clerk.select_option("#f-category", "condolence_visit")
    clerk.select_option("#f-team_id", volunteers.team_id)
    clerk.select_option("#f-station_id", volunteers.station)
    clerk.fill("#f-location", "嘎鲁图镇敬老院")
    clerk.fill("#f-starts_at", f"{DAY}T08:00")
    clerk.fill("#f-ends_at", f"{DAY}T18:00")
    clerk.check("input[value=veteran]")
    clerk.fill("#f-capacity", "10")
    clerk.click("text=保存活动")
    clerk.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    activity = clerk.url.rsplit("/", 1)[1]
    expect(clerk.locator("h1")).to_have_text("节日慰问老兵")
    for volunteer in (first, second):
        clerk.fill("form[action$='/signups'] #f-volunteer_id", volunteer)
        with clerk.expect_navigation():
            clerk.click("form[action$='/signups'] button")
        expect(clerk.locator(".notice")).to_be_visible()
    clerk.fill("form[action$='/hours'] #f-volunteer_id", first)
    clerk.fill("#f-started_at", f"{DAY}T09:00")
    clerk.fill("#f-ended_at", f"{DAY}T12:00")
    with clerk.expect_navigation():
        clerk.click("form[action$='/hours'] button")
    expect(clerk.locator(".notice")).to_be_visible()
    clerk.set_input_files(
        "#f-sheet",
        files=[
            {
                "name": "sheet.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "volunteer_id,started_at,ended_at,source\n"
                    f"{second},{DAY}T13:00:00+08:00,{DAY}T16:30:00+08:00,checkin\n"
                ).encode(),
            }
        ],
    )
    with clerk.expect_navigation():
        clerk.click("form[action$='/sheet'] button")
    expect(clerk.locator(".notice")).to_be_visible()
    expect(clerk.locator("table").first).to_contain_text("现场签到")  # the sheet's row
    clerk.click("text=标记为已完成")
    expect(clerk.locator("#activity-status")).to_have_text("已完成（待核验）")
    clerk.context.close()

    admin = sign_in(browser, console, "admin")
    admin.goto(f"{console.base_url}/activities/{activity}")
    admin.click("text=核验并计分")
    expect(admin.locator("#activity-status")).to_have_text("已核验")
    admin.context.close()
    recorded = _activity(console, activity)
    assert recorded["status"] == "verified"
    assert {p["volunteer_id"] for p in recorded["participants"] if p["entry_id"]} == {first, second}


def test_a_sheet_with_bad_rows_shows_every_bad_row_and_records_nothing(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    activity = _plan_by_api(console, volunteers)
    good = volunteers.pop()
    with console.api.client("clerk") as api:
        assert (
            api.post(f"/activities/{activity}/signups", json={"volunteer_id": good}).status_code
            == 200
        )
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    sheet = (
        "volunteer_id,started_at,ended_at,source\n"
        f"{good},{DAY}T09:00:00+08:00,{DAY}T11:00:00+08:00,checkin\n"
        f"not-an-id,{DAY}T09:00:00+08:00,{DAY}T11:00:00+08:00,checkin\n"
        f"{good},yesterday,{DAY}T11:00:00+08:00,checkin\n"
    )
    page.set_input_files(
        "#f-sheet", files=[{"name": "s.csv", "mimeType": "text/csv", "buffer": sheet.encode()}]
    )
    page.click("text=上传并记录")
    rows = page.locator("#sheet-error table.rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")
    expect(rows.nth(1)).to_contain_text("4")
    expect(page.locator("#sheet-error")).to_contain_text("整张表未记录")
    assert _activity(console, activity)["participants"][0]["started_at"] is None
    page.context.close()


def test_verifying_ones_own_recorded_hours_is_refused_in_the_page_with_four_eyes_explained(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    activity = _completed_by_api(console, volunteers, "clerk")
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    page.click("text=核验并计分")
    expect(page.locator("#verify-error")).to_contain_text("四眼原则")
    expect(page.locator("#activity-status")).to_have_text("已完成（待核验）")
    assert _activity(console, activity)["status"] == "completed"
    page.context.close()


def test_a_refused_form_keeps_what_was_typed_and_names_the_field_in_chinese(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/new")
    page.fill("#f-title", "留住输入的活动")
    page.select_option("#f-category", "condolence_visit")
    page.select_option("#f-team_id", volunteers.team_id)
    page.select_option("#f-station_id", volunteers.station)
    page.fill("#f-location", "某地")
    page.fill("#f-starts_at", f"{DAY}T18:00")
    page.fill("#f-ends_at", f"{DAY}T08:00")  # ends before it starts
    page.fill("#f-capacity", "10")
    before = len(console.query("SELECT 1 FROM rm_activity"))
    page.click("text=保存活动")
    expect(page.locator("#plan-error")).to_contain_text("结束时间须晚于开始时间")
    assert form_value(page, "#f-title") == "留住输入的活动"
    assert form_value(page, "#f-location") == "某地"
    assert len(console.query("SELECT 1 FROM rm_activity")) == before
    page.context.close()


def test_a_double_submitted_form_records_once(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    activity = _plan_by_api(console, volunteers)
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    form = page.locator("form[action$='/signups']")
    fields = {
        "csrf": form_value(page, "form[action$='/signups'] input[name=csrf]"),
        "form_key": form_value(page, "form[action$='/signups'] input[name=form_key]"),
        "volunteer_id": volunteers.pop(),
    }
    assert form.count() == 1
    answers = [
        page.request.post(
            f"{console.base_url}/activities/{activity}/signups", form=fields, max_redirects=0
        )
        for _ in range(2)
    ]
    assert [a.status for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert _activity(console, activity)["signups"] == 1
    page.context.close()


# ------------------------------------------------------------------ scopes and audit


def test_a_station_clerk_gets_a_403_page_for_another_townships_activity(
    console: Console, browser: Browser, volunteers: InsuredMembers
) -> None:
    activity = _plan_by_api(console, volunteers)
    page = sign_in(browser, console, "far-clerk")
    answer = page.goto(f"{console.base_url}/activities/{activity}")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_contain_text("无权访问")
    page.context.close()


def test_an_awards_explanation_page_shows_exactly_the_apis_explanation(
    console: Console, browser: Browser
) -> None:
    entry_id = str(
        console.query("SELECT entry_id FROM rm_ledger_entry WHERE kind = 'award' LIMIT 1")[0][0]
    )
    with console.api.client("auditor") as api:
        expected = api.get(f"/audit/awards/{entry_id}")
    assert expected.status_code == 200
    page = sign_in(browser, console, "auditor")
    page.goto(f"{console.base_url}/audit/awards/{entry_id}")
    shown = json.loads(page.locator("#award-json").text_content() or "")
    assert shown == expected.json()
    expect(page.locator("#points")).to_have_text(expected.json()["points"])
    expect(page.locator("#recomputed-points")).to_have_text(expected.json()["recomputed_points"])
    expect(page.locator("#events tbody tr")).to_have_count(len(expected.json()["events"]))
    page.context.close()


@pytest.mark.parametrize("known_on", ["2021-06-30", "today"])
def test_a_ranking_as_known_on_a_day_is_the_apis_ranking_known_at_the_end_of_that_day(
    console: Console, browser: Browser, known_on: str
) -> None:
    day = (
        datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        if known_on == "today"
        else known_on
    )
    with console.api.client("auditor") as api:
        expected = api.get(
            "/rankings",
            params={
                "unit": "station",
                "period": "2022",
                "known_at": f"{day}T23:59:59.999999+08:00",
            },
        )
    assert expected.status_code == 200
    page = sign_in(browser, console, "auditor")
    page.goto(f"{console.base_url}/rankings?unit=station&period=2022&known_on={day}")
    shown = page.locator("table tbody tr td:nth-child(2)").all_text_contents()
    assert shown == [r["name"] for r in expected.json()["items"]]
    if known_on != "today":
        assert shown == []  # the demo year was recorded when the server first started
        expect(page.locator("main")).to_contain_text("该期间没有排名数据")
    page.context.close()


def test_a_clerk_is_refused_the_audit_pages(console: Console, browser: Browser) -> None:
    page = sign_in(browser, console, "clerk")
    answer = page.goto(f"{console.base_url}/audit")
    assert answer is not None and answer.status == 403
    page.context.close()


# ------------------------------------------------------------------ offline, accessible, screens

MAIN_PAGES = {
    "dashboard": "/",
    "activities": "/activities",
    "activity": None,  # one waiting for verification: its page shows the forms
    "plan": "/activities/new",
    "volunteers": "/volunteers",
    "volunteer": None,
    "teams": "/teams",
    "rankings": "/rankings?period=2022",
    "audit": "/audit",
    "award": None,
    "verify": "/audit/verify",
    "review": "/reviews?year=2022",
}


def _main_pages(console: Console) -> dict[str, str]:
    activity = console.query(
        "SELECT activity_id FROM rm_activity WHERE status = 'completed' ORDER BY start_date LIMIT 1"
    )[0][0]
    award, volunteer = console.query(
        "SELECT entry_id, volunteer_id FROM rm_ledger_entry WHERE kind = 'award' LIMIT 1"
    )[0]
    found = dict(MAIN_PAGES)
    found["activity"] = f"/activities/{activity}"
    found["volunteer"] = f"/volunteers/{volunteer}"
    found["award"] = f"/audit/awards/{award}"
    return {k: v for k, v in found.items() if v}


def test_every_page_and_the_api_docs_load_with_the_internet_cut_off(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "admin")
    outside: list[str] = []
    failed: list[str] = []

    def cut_off(route: Route) -> None:
        if route.request.url.startswith(console.base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", cut_off)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    for path in [*_main_pages(console).values(), "/docs"]:
        page.goto(f"{console.base_url}{path}", wait_until="networkidle")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Volunteer Ledger")
    assert outside == []
    assert failed == []
    page.context.close()


def test_the_main_pages_have_no_serious_accessibility_violations_and_are_screenshotted(
    console: Console, browser: Browser
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in(browser, console, "admin")
    axe = Axe()
    serious: dict[str, list[str]] = {}
    for name, path in _main_pages(console).items():
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


@pytest.mark.parametrize("path", ["/", "/activities", "/volunteers"])
def test_pages_fit_a_phone_width_screen_without_sideways_scrolling(
    console: Console, browser: Browser, path: str
) -> None:
    page = sign_in(browser, console, "leader", viewport=PHONE)
    page.goto(f"{console.base_url}{path}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.context.close()


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_to_the_content(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.context.close()


def test_api_tokens_keep_working_beside_the_console(console: Console) -> None:
    answer = httpx.get(
        f"{console.base_url}/api/v1/me",
        headers={"Authorization": f"Bearer {console.api.tokens['clerk']}"},
    )
    assert answer.status_code == 200
    assert answer.json()["name"] == "clerk"
