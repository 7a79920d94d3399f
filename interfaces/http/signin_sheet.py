"""Sign-in sheets coming back from the office as Excel (XLSX) or CSV, with English or
Chinese column headings (the sheet to print and fill is written by
:mod:`interfaces.http.sheet_printing`).

Reading turns either file into :class:`SheetRecord` s: the sheet's own row number (as
Excel or a text editor shows it) and the cell values by column (``volunteer_id``,
``national_id``, ``started_at``, ``ended_at``, ``source``). Checking the values is the
route's job, the same for every format.

Times typed into Excel are Excel date-times without an offset: they are read as
Asia/Shanghai, the office's time. A time of day alone is taken on the activity's day.

A CSV may come as UTF-8 (with or without a BOM, LF or CRLF), as GB18030 (what Chinese
Excel writes for "CSV (逗号分隔)"), or as UTF-16 with its BOM (Excel's "Unicode 文本",
tab-separated); anything else is refused saying how to save it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Headings a sheet may use for each field, compared without spaces and case.
_ALIASES = {
    "volunteer_id": ("volunteer_id", "志愿者编号", "志愿者id", "志愿者ID"),
    "national_id": ("national_id", "身份证号", "身份证号码", "公民身份号码"),
    "started_at": ("started_at", "开始时间", "签到时间"),
    "ended_at": ("ended_at", "结束时间", "签退时间"),
    "source": ("source", "来源", "记录方式"),
}
_HEADINGS = {
    alias.replace(" ", "").replace("\u3000", "").lower(): field
    for field, aliases in _ALIASES.items()
    for alias in aliases
}
# How the sign-in sheet's source may be written in Chinese.
SOURCES_ZH = {
    "签到": "checkin",
    "组织者": "organiser",
    "组织者记录": "organiser",
    "补录": "backfill",
}
# An XLSX is a zip: its parts may unpack to far more than the upload. Refuse a sheet whose
# parts would unpack past this many times the upload limit (a "zip bomb") before reading.
_UNPACK_FACTOR = 40
_HEADER_SEARCH_ROWS = 10


class SheetUnreadable(ValueError):
    """The file cannot be read as a sheet at all: English and Chinese sentences."""

    def __init__(self, detail: str, detail_zh: str) -> None:
        super().__init__(detail)
        self.detail_zh = detail_zh


@dataclass(frozen=True)
class SheetRecord:
    line: int  # the row number in the sheet (the heading row's number + 1 for the first)
    values: dict[str, str]


def field_of(heading: object) -> str | None:
    """The field a column heading names, or None for a column the import ignores."""
    if not isinstance(heading, str):
        return None
    return _HEADINGS.get(heading.replace(" ", "").replace("\u3000", "").strip().lower())


# ----------------------------------------------------------------------------- CSV


def decode_csv(raw: bytes) -> str:
    """The CSV's text, from UTF-8 (BOM or not), UTF-16 with a BOM, or GB18030."""
    encodings = _UTF16 if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else _UTF8_OR_GB18030
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise SheetUnreadable(
        "the CSV is neither UTF-8 nor GB18030 text: save it as 'CSV UTF-8' and send it again",
        "签到表 CSV 文件的编码无法识别（既不是 UTF-8 也不是 GB18030）："
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新上传，未记录任何工时",
    )


# The encodings a CSV is tried in: UTF-16 when it starts with its BOM, else UTF-8 (with
# or without a BOM) and then GB18030 (Chinese Excel's "CSV (逗号分隔)").
_UTF16 = ("utf-16",)
_UTF8_OR_GB18030 = ("utf-8-sig", "gb18030")


def csv_dialect(text: str) -> type[csv.Dialect]:
    """Comma-separated, or tab-separated when the heading line has tabs and no commas."""
    first = text.split("\n", 1)[0]
    return csv.excel_tab if "\t" in first and "," not in first else csv.excel


# ----------------------------------------------------------------------------- XLSX


def _text(value: object, day: date | None) -> str:
    """A cell's value as the text the row checks read (times as RFC 3339 in Shanghai)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return moment.isoformat()
    if isinstance(value, time) and day is not None:
        return datetime.combine(day, value.replace(tzinfo=None), SHANGHAI).isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def local_time_text(value: str, day: date | None) -> str:
    """A time typed as text without an offset (``2022-05-11 09:00``, ``09:00``) read as
    Shanghai time (on the activity's day when only the time is given); anything else is
    left as it is for the row checks to judge."""
    text = value.strip()
    if _blank_or_with_offset(text):
        return text
    parsed = _local_datetime(text)
    if parsed is None:
        return _on_day(text, day)
    return parsed.replace(tzinfo=SHANGHAI).isoformat() if parsed.tzinfo is None else text


def _blank_or_with_offset(text: str) -> bool:
    """Nothing typed, or a time that says its own offset (``Z``, ``+08:00``, ``-05:00``)."""
    return not text or text[-1] in "Zz" or "+" in text[8:] or "-" in text[10:]


# How Excel itself shows a date-time typed into a cell.
_EXCEL_LAYOUTS = ("%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")


def _local_datetime(text: str) -> datetime | None:
    """A date and time in ISO form or as Excel shows it; None if the text is neither."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for layout in _EXCEL_LAYOUTS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            pass
    return None


def _on_day(text: str, day: date | None) -> str:
    """A time of day alone, taken on ``day`` in Shanghai; else the text as it is."""
    if day is None:
        return text
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        return text
    return datetime.combine(day, clock, SHANGHAI).isoformat()


def _check_zip(raw: bytes, limit: int) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise SheetUnreadable(
            "the body is not an Excel (XLSX) workbook",
            "上传的文件不是 Excel（.xlsx）工作簿：请上传下载的签到表或 CSV 文件，未记录任何工时",
        ) from None
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limit * _UNPACK_FACTOR:
        raise SheetUnreadable(
            f"the workbook unpacks to {unpacked:,} bytes, more than {_UNPACK_FACTOR} times "
            f"the sheet limit of {limit:,} bytes (VL_MAX_SHEET_BYTES)",
            f"该 Excel 文件解压后达 {unpacked:,} 字节，超过签到表上限的 {_UNPACK_FACTOR} 倍，"
            "未记录任何工时",
        )
    return archive


def xlsx_records(raw: bytes, day: date | None, limit: int) -> list[SheetRecord]:
    """The first worksheet's rows under its heading row (found in the first ten rows:
    the sheet this service writes has a title above it). Rows with nothing in the
    columns the import reads are skipped, and so are rows whose start and end are both
    blank: a volunteer on the sheet who did not come."""
    _check_zip(raw, limit)
    workbook = _open_workbook(raw)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        columns, line = _heading(rows)
        return list(_records(rows, columns, line, day))
    finally:
        workbook.close()


def _open_workbook(raw: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged workbook
        raise SheetUnreadable(
            f"the Excel workbook cannot be read: {type(e).__name__}: {e}",
            "Excel 工作簿已损坏或格式不受支持，无法读取，未记录任何工时",
        ) from None


def _heading(rows: Iterator[tuple[Any, ...]]) -> tuple[dict[int, str], int]:
    """The heading row's fields by column and its line: the first of the first ten rows
    naming the start and the end columns (the rows are read up to it)."""
    for line, cells in enumerate(islice(rows, _HEADER_SEARCH_ROWS), start=1):
        named = {i: f for i, c in enumerate(cells) if (f := field_of(c)) is not None}
        if {"started_at", "ended_at"} <= set(named.values()):
            return named, line
    raise SheetUnreadable(
        "no heading row with the start and end columns (开始时间, 结束时间 or "
        "started_at, ended_at) in the sheet's first ten rows",
        "签到表前十行中找不到列标题行（须有“开始时间”“结束时间”两列，"
        "以及“志愿者编号”或“身份证号”列），未记录任何工时",
    )


def _records(
    rows: Iterator[tuple[Any, ...]], columns: dict[int, str], heading_line: int, day: date | None
) -> Iterator[SheetRecord]:
    for line, cells in enumerate(rows, start=heading_line + 1):
        values = {
            field: _text(cells[i], day) if i < len(cells) else "" for i, field in columns.items()
        }
        # Both blank (so the row has nothing to read): on the sheet, did not come.
        if values["started_at"] or values["ended_at"]:
            yield SheetRecord(line, values)
