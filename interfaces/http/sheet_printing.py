"""The sign-in sheet to print and fill: an Excel workbook pre-filled with the activity and
its signed-up volunteers (name, masked national id, volunteer id) and blank start and end
times, checked by Excel as they are typed. The same sheet is always the same bytes. It
comes back through :mod:`interfaces.http.signin_sheet`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from interfaces.http.signin_sheet import SHANGHAI

_HEAD = ("序号", "姓名", "身份证号（部分隐去）", "志愿者编号", "开始时间", "结束时间")
_WIDTHS = (6, 14, 22, 38, 20, 20)
_TIME_FORMAT = "yyyy-mm-dd hh:mm"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_THIN = Side(style="thin", color="000000")
_HEADING_ROW = 3


def as_text(cell: Any, value: str) -> None:
    """Write ``value`` as text, never as a formula: a name beginning ``=``, ``+``, ``-``
    or ``@`` would otherwise be run by Excel (formula injection). The cell is stored
    as a string and marked with a quote prefix, as Excel marks text typed after '."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True


@dataclass(frozen=True)
class SheetVolunteer:
    name: str
    masked_national_id: str
    volunteer_id: str


def write_sheet(
    *,
    activity_id: str,
    title: str,
    township: str,
    location: str,
    starts_at: datetime,
    ends_at: datetime,
    volunteers: Sequence[SheetVolunteer],
) -> bytes:
    """The printable sign-in sheet: title, the activity, then one row per signed-up
    volunteer with blank start and end times (Excel date-times, validated to the
    activity's days). The same activity and sign-ups give the same bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "签到表"
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    as_text(sheet.cell(1, 1), f"志愿服务活动签到表：{title}")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    as_text(
        sheet.cell(2, 1),
        f"活动时间：{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}（北京时间）　"
        f"地点：{township} {location}　活动编号：{activity_id}",
    )
    _write_headings(sheet)
    first = _HEADING_ROW + 1
    _write_volunteers(sheet, first, volunteers)
    last = max(first, first + len(volunteers) - 1)
    times = _time_validation(start, end)
    times.add(f"E{first}:F{last}")
    sheet.add_data_validation(times)
    _set_printing(sheet, first)
    as_text(
        sheet.cell(last + 2, 1),
        "填写说明：按实际到场时间填写开始、结束时间；未到场者两栏均留空。"
        "填好后在“活动”页上传本表，或 POST /api/v1/activities/{id}/hours/bulk。",
    )
    return _fixed_bytes(workbook)


def _write_headings(sheet: Any) -> None:
    for column, (heading, width) in enumerate(zip(_HEAD, _WIDTHS, strict=True), start=1):
        cell = sheet.cell(_HEADING_ROW, column)
        as_text(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = Border(_THIN, _THIN, _THIN, _THIN)
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = width


def _write_volunteers(sheet: Any, first: int, volunteers: Sequence[SheetVolunteer]) -> None:
    """One bordered row per volunteer: number, name, masked id, volunteer id, blank times."""
    for offset, volunteer in enumerate(volunteers):
        row = first + offset
        sheet.cell(row, 1).value = offset + 1
        as_text(sheet.cell(row, 2), volunteer.name)
        as_text(sheet.cell(row, 3), volunteer.masked_national_id)
        as_text(sheet.cell(row, 4), volunteer.volunteer_id)
        for column in (5, 6):
            sheet.cell(row, column).number_format = _TIME_FORMAT
        for column in range(1, 7):
            sheet.cell(row, column).border = Border(_THIN, _THIN, _THIN, _THIN)


def _time_validation(start: datetime, end: datetime) -> DataValidation:
    """Excel refuses a start or end time outside the activity's days, and says why."""
    day_from = datetime.combine(start.date(), time())
    day_to = datetime.combine(end.date(), time(23, 59))
    return DataValidation(
        type="date",
        operator="between",
        formula1=_excel_serial(day_from),
        formula2=_excel_serial(day_to),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="时间有误",
        error=f"请填写活动期间的日期和时间（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}），"
        "格式如 2022-05-11 09:00",
        promptTitle="填写时间",
        prompt="格式：年-月-日 时:分，如 2022-05-11 09:00；未到场请留空",
        showInputMessage=True,
    )


def _set_printing(sheet: Any, first: int) -> None:
    """Landscape A4, one page wide, the headings repeated on every printed page."""
    sheet.freeze_panes = sheet.cell(first, 1)
    sheet.print_title_rows = f"{_HEADING_ROW}:{_HEADING_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1


def _fixed_bytes(workbook: Workbook) -> bytes:
    workbook.properties.creator = "volunteer-ledger"
    fixed = datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    out = io.BytesIO()
    workbook.save(out)
    return _fixed_zip_times(out.getvalue())


def _excel_serial(moment: datetime) -> str:
    """The Excel serial day number of a naive local date-time (as validation formulas
    compare cell values)."""
    delta = moment - datetime(1899, 12, 30)
    return f"{delta.days + delta.seconds / 86400:.6f}".rstrip("0").rstrip(".")


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip_times(raw: bytes) -> bytes:
    """The workbook's zip with every member dated 1980-01-01 and a fixed modification
    time in its properties, so the same sheet is the same bytes (openpyxl dates both with
    the time of writing)."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            target.writestr(fixed, data)
    return out.getvalue()
