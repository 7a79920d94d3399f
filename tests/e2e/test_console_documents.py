"""Documents and Excel in the office console, in a real headless Chromium against a real
`volunteer-ledger serve` on the demo year: the bulletin, annual report and certificate links
download the documents with the session; the activity page's Excel sign-in sheet comes back
filled in and records the hours, or names every bad row in Chinese; an oversize sheet is a
page in Chinese; a station clerk's volunteer and need lists hold their township only."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.clusters import free_port
from tests.e2e.console_support import (
    CHROMIUM,
    SCREENSHOTS,
    Console,
    InsuredMembers,
    sign_in,
    start,
)
from tests.e2e.http_support import stop

TOWNSHIP = "嘎鲁图镇"
OTHER_TOWNSHIP = "乌审召镇"
DAY = "2022-12-29"
SHEET_LIMIT = 65_536
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start(
        tmp_path_factory.mktemp("console-documents"),
        free_port(),
        {"VL_MAX_SHEET_BYTES": str(SHEET_LIMIT)},
    )
    try:
        found.add_person("clerk", "--role", "station_staff", "--township", TOWNSHIP)
        found.add_person("auditor", "--role", "auditor")
        found.api.add_users({"api-admin": ["--role", "admin"]})
        yield found
    finally:
        stop(found.process, found.log)


@pytest.fixture(scope="module")
def members(console: Console) -> InsuredMembers:
    return InsuredMembers(console, TOWNSHIP, DAY, team_only=True)


def _activity_with_signups(console: Console, members: InsuredMembers, volunteers: list[str]) -> str:
    """An activity on DAY, 08:00–18:00, planned by the clerk, ``volunteers`` signed up."""
    with console.api.client("clerk") as api:
        made = api.post(
            "/activities",
            json={
                "title": "签到表测试活动",
                "category": "condolence_visit",
                "team_id": members.team_id,
                "township": TOWNSHIP,
                "station_id": members.station,
                "location": "嘎鲁图镇文化广场",
                "starts_at": f"{DAY}T08:00:00+08:00",
                "ends_at": f"{DAY}T18:00:00+08:00",
                "beneficiary_types": ["veteran"],
                "capacity": 20,
            },
        )
        assert made.status_code == 201, made.text
        activity, position = str(made.json()["id"]), made.json()["position"]
        for volunteer in volunteers:
            signed = api.post(f"/activities/{activity}/signups", json={"volunteer_id": volunteer})
            assert signed.status_code == 200, signed.text
            position = signed.json()["position"]
        api.get(f"/activities/{activity}", params={"min_position": position})
    return activity


def _participants(console: Console, activity: str) -> dict[str, dict[str, Any]]:
    with console.api.client("api-admin") as api:
        got = api.get(f"/activities/{activity}")
        assert got.status_code == 200, got.text
        return {p["volunteer_id"]: p for p in got.json()["participants"]}


def _downloaded(page: Page, console: Console, link_name: str) -> tuple[bytes, str]:
    """Click the link named ``link_name``: the file the browser saved, and the content type
    the same address answers this signed-in browser with."""
    link = page.get_by_role("link", name=link_name, exact=True)
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path()).read_bytes()
    href = link.get_attribute("href")
    assert href is not None
    answer = page.request.get(f"{console.base_url}{href}")
    assert answer.status == 200, answer.text()
    return saved, answer.headers["content-type"]


def _filled_sheet(page: Page, times: dict[str, tuple[str, str]]) -> bytes:
    """Download the activity page's Excel sign-in sheet and fill in each volunteer's row
    (``"HH:MM"`` on DAY; ``""`` leaves the cell blank), as the office does in Excel."""
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本活动的 Excel 签到表").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    assert sheet is not None
    rows = {str(sheet.cell(r, 4).value): r for r in range(4, sheet.max_row + 1)}
    for volunteer, (begins, ends) in times.items():
        for column, at in ((5, begins), (6, ends)):
            if at:
                sheet.cell(rows[volunteer], column).value = datetime.fromisoformat(f"{DAY}T{at}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(page: Page, name: str, data: bytes, media_type: str) -> Any:
    page.set_input_files("#f-sheet", files=[{"name": name, "mimeType": media_type, "buffer": data}])
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="上传并记录").click()
    return navigation.value


# ------------------------------------------------------------------ documents


@pytest.mark.parametrize(
    ("link", "magic", "media_type"),
    [
        ("苏木镇服务站通报（PDF）", b"%PDF", "application/pdf"),
        ("苏木镇服务站通报（Excel）", b"PK\x03\x04", XLSX),
    ],
)
def test_the_rankings_page_links_the_bulletin_and_a_clerk_downloads_it(
    console: Console, browser: Browser, link: str, magic: bytes, media_type: str
) -> None:
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/rankings?period=2022")
    saved, content_type = _downloaded(page, console, link)
    assert saved.startswith(magic)
    assert content_type == media_type
    page.context.close()


def test_the_annual_review_page_links_the_annual_report_and_an_auditor_downloads_it(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "auditor")
    page.goto(f"{console.base_url}/reviews?year=2022")
    saved, content_type = _downloaded(page, console, "2022 年度报告（PDF）")
    assert saved.startswith(b"%PDF")
    assert content_type == "application/pdf"
    page.context.close()


def _served_volunteer(console: Console) -> str:
    """A volunteer of the township with verified service on their ledger."""
    rows = console.query(
        "SELECT DISTINCT e.volunteer_id FROM rm_ledger_entry e "
        "JOIN rm_volunteer v ON v.volunteer_id = e.volunteer_id "
        "WHERE e.kind = 'award' AND v.township = ? ORDER BY e.volunteer_id LIMIT 1",
        (TOWNSHIP,),
    )
    assert rows, f"the demo year has no service in {TOWNSHIP}"
    return str(rows[0][0])


def test_a_volunteers_profile_links_their_certificate_and_their_townships_clerk_downloads_it(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/volunteers/{_served_volunteer(console)}")
    saved, content_type = _downloaded(page, console, "全部服务记录证明（PDF）")
    assert saved.startswith(b"%PDF")
    assert content_type == "application/pdf"
    page.context.close()


def test_an_auditor_is_refused_a_certificate_with_a_page_in_chinese(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "auditor")
    volunteer = _served_volunteer(console)
    page.goto(f"{console.base_url}/volunteers/{volunteer}")
    expect(page.locator("#certificate-links")).to_have_count(0)
    answer = page.goto(f"{console.base_url}/volunteers/{volunteer}/certificate")
    assert answer is not None and answer.status == 403
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_contain_text("无权访问")
    page.context.close()


# ------------------------------------------------------------------ Excel sign-in sheets


def test_the_excel_sheet_from_the_activity_page_filled_in_and_uploaded_records_the_hours(
    console: Console, browser: Browser, members: InsuredMembers
) -> None:
    first, second = members.take(2)
    activity = _activity_with_signups(console, members, [first, second])
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    filled = _filled_sheet(page, {first: ("09:00", "12:00"), second: ("13:00", "16:30")})
    _upload(page, "签到表.xlsx", filled, XLSX)
    expect(page.locator(".notice")).to_be_visible()
    for volunteer, begins, ends in ((first, "09:00", "12:00"), (second, "13:00", "16:30")):
        row = page.locator("tr", has=page.locator(f"a[href='/volunteers/{volunteer}']"))
        expect(row).to_contain_text(f"{DAY} {begins}")
        expect(row).to_contain_text(f"{DAY} {ends}")
    recorded = _participants(console, activity)
    assert recorded[first]["started_at"] == f"{DAY}T09:00:00+08:00"
    assert recorded[second]["ended_at"] == f"{DAY}T16:30:00+08:00"
    page.context.close()


def test_an_excel_sheet_with_bad_rows_names_each_by_its_row_in_chinese_and_records_nothing(
    console: Console, browser: Browser, members: InsuredMembers
) -> None:
    good, backwards, unfinished, late = members.take(4)
    activity = _activity_with_signups(console, members, [good, backwards, unfinished, late])
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    filled = _filled_sheet(
        page,
        {
            good: ("09:00", "11:00"),
            backwards: ("13:00", "12:00"),  # ends before it starts
            unfinished: ("09:00", ""),  # no end time
            late: ("19:00", "21:00"),  # after the activity's 18:00
        },
    )
    rows_of = {good: 4, backwards: 5, unfinished: 6, late: 7}  # the sheet lists sign-ups
    answer = _upload(page, "签到表.xlsx", filled, XLSX)
    assert answer.status == 422
    shown = page.locator("#sheet-error table.rows tbody tr")
    expect(shown).to_have_count(3)
    lines = [int(shown.nth(i).locator("td").first.inner_text()) for i in range(3)]
    sheet_rows = sorted(rows_of[v] for v in (backwards, unfinished, late))
    assert lines == sheet_rows
    for i in range(3):
        message = shown.nth(i).locator("td").nth(2).inner_text()
        assert re.search(r"[\u4e00-\u9fff]", message), message
        assert not re.search(r"[A-Za-z]{4,}", message), message  # no English sentence
    expect(page.locator("#sheet-error")).to_contain_text("整张表未记录")
    assert _participants(console, activity)[good]["started_at"] is None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#sheet-error").screenshot(path=str(SCREENSHOTS / "sheet-bad-rows.png"))
    page.context.close()


def test_an_oversize_sheet_is_refused_with_a_page_in_chinese_and_records_nothing(
    console: Console, browser: Browser, members: InsuredMembers
) -> None:
    (volunteer,) = members.take(1)
    activity = _activity_with_signups(console, members, [volunteer])
    page = sign_in(browser, console, "clerk")
    page.goto(f"{console.base_url}/activities/{activity}")
    row = f"{volunteer},{DAY}T09:00:00+08:00,{DAY}T11:00:00+08:00,checkin\n"
    sheet = ("volunteer_id,started_at,ended_at,source\n" + row).encode()
    sheet += b"\n" * (SHEET_LIMIT + 1 - len(sheet))
    answer = _upload(page, "sheet.csv", sheet, "text/csv")
    assert answer.status == 413
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_contain_text("文件过大")
    expect(page.locator(".error")).to_contain_text(f"{SHEET_LIMIT:,} 字节")
    expect(page.locator(".error")).to_contain_text("未记录任何内容")
    assert _participants(console, activity)[volunteer]["started_at"] is None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sheet-too-large.png"))
    page.context.close()


# ------------------------------------------------------------------ a clerk's township


def _other_townships_volunteer(console: Console) -> tuple[str, str]:
    """A volunteer of the other township whose name no volunteer of the clerk's has."""
    rows = console.query(
        "SELECT volunteer_id, name FROM rm_volunteer WHERE township = ? AND name NOT IN "
        "(SELECT name FROM rm_volunteer WHERE township = ?) ORDER BY volunteer_id LIMIT 1",
        (OTHER_TOWNSHIP, TOWNSHIP),
    )
    return str(rows[0][0]), str(rows[0][1])


@pytest.mark.parametrize(("user", "found"), [("clerk", 0), ("admin", 1)])
def test_another_townships_volunteer_is_found_by_the_admin_and_not_by_a_clerk(
    console: Console, browser: Browser, user: str, found: int
) -> None:
    volunteer, name = _other_townships_volunteer(console)
    page = sign_in(browser, console, user)
    page.goto(f"{console.base_url}/volunteers?q={name}")
    expect(page.locator(f"a[href='/volunteers/{volunteer}']")).to_have_count(found)
    page.context.close()


def _other_townships_open_need(console: Console) -> str:
    rows = console.query(
        "SELECT need_id FROM rm_need WHERE status = 'open' AND township = ? ORDER BY need_id",
        (OTHER_TOWNSHIP,),
    )
    assert rows, f"the demo year leaves no open need in {OTHER_TOWNSHIP}"
    return str(rows[0][0])


@pytest.mark.parametrize(("user", "shown"), [("clerk", 0), ("admin", 1)])
def test_another_townships_open_need_is_listed_for_the_admin_and_not_for_a_clerk(
    console: Console, browser: Browser, user: str, shown: int
) -> None:
    need = _other_townships_open_need(console)
    page = sign_in(browser, console, user)
    page.goto(f"{console.base_url}/needs?status=open")
    expect(page.locator(f"main a[href='/needs/{need}']")).to_have_count(shown)
    page.context.close()


@pytest.mark.parametrize(("path", "what"), [("/volunteers", "志愿者"), ("/needs", "服务需求")])
def test_a_clerk_asking_a_list_for_another_township_gets_a_403_page_in_chinese(
    console: Console, browser: Browser, path: str, what: str
) -> None:
    page = sign_in(browser, console, "clerk")
    answer = page.goto(f"{console.base_url}{path}?township={OTHER_TOWNSHIP}")
    assert answer is not None and answer.status == 403
    expect(page.locator(".error")).to_contain_text(f"不能查看{OTHER_TOWNSHIP}的{what}")
    page.context.close()


def test_a_clerks_dashboard_lists_their_own_townships_open_needs_only(
    console: Console, browser: Browser
) -> None:
    page = sign_in(browser, console, "clerk")
    townships = page.locator("#dash-needs tbody tr td:first-child").all_inner_texts()
    assert townships and set(townships) == {TOWNSHIP}
    expect(
        page.locator(f"#dash-needs a[href='/needs/{_other_townships_open_need(console)}']")
    ).to_have_count(0)
    page.context.close()
