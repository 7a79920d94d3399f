"""Sign-in sheets over HTTP as the office uses them: the Excel sheet downloaded, filled in
Excel (here with openpyxl), uploaded back; CSVs as Excel and Chinese Windows save them;
every bad row named by the row number the clerk sees; nothing recorded unless all is well."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, time
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.e2e.api_support import activity, ok, problem, team, volunteer
from tests.e2e.http_support import Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_ROW = 4  # title, activity line, headings, then the volunteers


def _head(api: Api) -> int:
    return int(httpx.get(f"{api.base_url}/readyz").json()["head"])


def _national_id(api: Api, admin: httpx.Client, vid: str) -> str:
    shown = ok(admin.get(f"/volunteers/{vid}", params={"min_position": _head(api)}))
    return str(shown["national_id"])


def _scene(staff: httpx.Client, title: str, names: list[str]) -> tuple[str, list[str]]:
    team_id = team(staff, f"{title}队")
    vids = [volunteer(staff, n) for n in names]
    aid = activity(staff, team_id, title)
    for vid in vids:
        ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    return aid, vids


def _participants(staff: httpx.Client, aid: str, position: int) -> dict[str, dict[str, Any]]:
    shown = ok(staff.get(f"/activities/{aid}", params={"min_position": position}))
    return {p["volunteer_id"]: p for p in shown["participants"]}


def _upload(staff: httpx.Client, aid: str, body: bytes, media_type: str) -> httpx.Response:
    return staff.post(
        f"/activities/{aid}/hours/bulk", content=body, headers={"Content-Type": media_type}
    )


def _filled(sheet_bytes: bytes, times: dict[int, tuple[object, object]]) -> bytes:
    workbook = load_workbook(io.BytesIO(sheet_bytes))
    sheet = workbook.active
    for row, (start, end) in times.items():
        sheet.cell(row, 5).value = start
        sheet.cell(row, 6).value = end
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_excel_sheet_round_trip_records_the_hours_filled_in(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    injected = '=HYPERLINK("http://x","点我")'
    aid, vids = _scene(staff, "签到表往返", ["乌力吉", injected, "-1+2"])
    downloaded = staff.get(f"/activities/{aid}/sheet.xlsx")
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.headers["content-type"] == XLSX
    assert staff.get(f"/activities/{aid}/sheet.xlsx").content == downloaded.content

    workbook = load_workbook(io.BytesIO(downloaded.content))
    sheet = workbook.active
    assert "签到表往返" in sheet.cell(1, 1).value
    headings = [sheet.cell(FIRST_ROW - 1, c).value for c in range(1, 7)]
    assert headings == [
        "序号",
        "姓名",
        "身份证号（部分隐去）",
        "志愿者编号",
        "开始时间",
        "结束时间",
    ]
    rows = {sheet.cell(r, 4).value: r for r in range(FIRST_ROW, FIRST_ROW + 3)}
    assert set(rows) == set(vids)
    xml = _sheet_xml(downloaded.content)
    for vid, row in rows.items():
        full = _national_id(api, admin, vid)
        shown = sheet.cell(row, 3).value
        assert full not in xml
        assert shown[:6] == full[:6] and shown[-4:] == full[-4:] and "*" in shown
        assert sheet.cell(row, 5).value is None and sheet.cell(row, 6).value is None
    # Names that look like formulas are text, never formulas Excel would run.
    by_name = {sheet.cell(r, 2).value: sheet.cell(r, 2) for r in rows.values()}
    for name in (injected, "-1+2"):
        assert by_name[name].data_type == "s"
    assert "<f>" not in xml and "HYPERLINK" in xml
    validations = sheet.data_validations.dataValidation
    assert any(v.type == "date" and f"E{FIRST_ROW}" in str(v.sqref) for v in validations)

    first, second, absent = (rows[v] for v in vids)
    filled = _filled(
        downloaded.content,
        {
            first: (datetime(2022, 5, 11, 9, 0), datetime(2022, 5, 11, 12, 30)),
            second: (time(13, 0), time(15, 0)),  # a time alone: on the activity's day
        },
    )
    recorded = ok(_upload(staff, aid, filled, XLSX))
    shown = _participants(staff, aid, recorded["position"])
    assert shown[vids[0]]["started_at"].startswith("2022-05-11T09:00:00")
    assert shown[vids[0]]["ended_at"].startswith("2022-05-11T12:30:00")
    assert shown[vids[1]]["started_at"].startswith("2022-05-11T13:00:00")
    assert not shown[vids[2]]["started_at"]  # left blank: did not come
    assert absent == rows[vids[2]]


def _sheet_xml(raw: bytes) -> str:
    """The worksheet's cells and its shared strings, as stored."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")
        return "".join(z.read(n).decode() for n in names if n in z.namelist())


def test_a_sheet_with_bad_rows_is_refused_naming_each_row_and_records_nothing(api: Api) -> None:
    staff = api.client("staff")
    aid, vids = _scene(staff, "签到表错行", ["其木格", "宝音", "阿拉坦"])
    downloaded = staff.get(f"/activities/{aid}/sheet.xlsx").content
    sheet = load_workbook(io.BytesIO(downloaded)).active
    rows = {sheet.cell(r, 4).value: r for r in range(FIRST_ROW, FIRST_ROW + 3)}
    good, late, garbled = (rows[v] for v in vids)
    filled = _filled(
        downloaded,
        {
            good: (datetime(2022, 5, 11, 9, 0), datetime(2022, 5, 11, 11, 0)),
            late: (datetime(2022, 5, 11, 19, 0), datetime(2022, 5, 11, 21, 0)),  # after it ends
            garbled: ("上午九点", datetime(2022, 5, 11, 11, 0)),
        },
    )
    before = _head(api)
    refused = problem(_upload(staff, aid, filled, XLSX), 422)
    assert sorted({e["line"] for e in refused["errors"]}) == sorted([late, garbled])
    assert any(e["field"] == f"rows[{garbled}].started_at" for e in refused["errors"])
    assert f"第 {late} 行" in refused["detail_zh"] and f"第 {garbled} 行" in refused["detail_zh"]
    assert "未记录" in refused["detail_zh"]
    assert _head(api) == before

    not_a_sheet = problem(_upload(staff, aid, b"PK\x03\x04 not really", XLSX), 422)
    assert "Excel" in not_a_sheet["detail_zh"]
    assert _head(api) == before


def _csv_rows(rows: list[list[str]], newline: str = "\r\n") -> str:
    return newline.join(",".join(r) for r in rows) + newline


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csvs_as_excel_saves_them_are_read_with_chinese_headings_and_national_ids(
    api: Api, encoding: str
) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    aid, vids = _scene(staff, f"签到表{encoding}", ["那日苏", "额尔敦"])
    national = _national_id(api, admin, vids[1])
    text = _csv_rows(
        [
            ["姓名", "志愿者编号", "身份证号", "开始时间", "结束时间", "来源"],
            ["那日苏", vids[0], "", "2022-05-11 09:00", "2022-05-11 11:00", "签到"],
            ["额尔敦", "", national, "2022-05-11T13:00:00+08:00", "2022-05-11T14:30:00+08:00", ""],
        ]
    )
    raw = text.encode(encoding)
    assert (raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw) or encoding == "gb18030"
    recorded = ok(_upload(staff, aid, raw, "text/csv"))
    shown = _participants(staff, aid, recorded["position"])
    assert shown[vids[0]]["started_at"].startswith("2022-05-11T09:00:00")
    assert shown[vids[1]]["ended_at"].startswith("2022-05-11T14:30:00")


def test_csv_rows_by_unknown_national_id_and_undecodable_csvs_are_refused(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    aid, vids = _scene(staff, "签到表身份证", ["图雅"])
    national = _national_id(api, admin, vids[0])
    stranger = national[:17] + ("0" if national[17] != "0" else "1")  # a wrong check character
    unknown = "11010519491231002X"  # well formed, registered to no one here
    text = _csv_rows(
        [
            ["身份证号", "开始时间", "结束时间"],
            [national, "2022-05-11 09:00", "2022-05-11 10:00"],
            [stranger, "2022-05-11 09:00", "2022-05-11 10:00"],
            [unknown, "2022-05-11 09:00", "2022-05-11 10:00"],
        ]
    )
    before = _head(api)
    refused = problem(_upload(staff, aid, text.encode("utf-8-sig"), "text/csv"), 422)
    assert [(e["line"], e["field"]) for e in refused["errors"]] == [
        (3, "rows[3].national_id"),
        (4, "rows[4].national_id"),
    ]
    assert "没有以该身份证号登记的志愿者" in refused["detail_zh"]

    undecodable = b"\x80\x81\xff," + "开始时间".encode() + b"\r\n"
    garbled = problem(_upload(staff, aid, undecodable, "text/csv"), 422)
    assert "UTF-8" in garbled["detail"] and "CSV UTF-8" in garbled["detail_zh"]
    assert _head(api) == before
