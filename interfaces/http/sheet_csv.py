"""A sign-in sheet sent as CSV, read into :class:`SheetRecord`s: the header checked (it
must name the start, the end and the volunteer), then each row's values by field. Line
numbers count the header as line 1; headings may be English or Chinese.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Container
from typing import Any

from application.errors import BulkRejected, RowError
from interfaces.http.problems import Problem
from interfaces.http.signin_sheet import (
    SheetRecord,
    SheetUnreadable,
    csv_dialect,
    decode_csv,
    field_of,
)

TIMES = ("started_at", "ended_at")
LABELS_ZH = {
    "volunteer_id": "志愿者编号",
    "national_id": "身份证号",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "source": "来源",
}


def refused(e: SheetUnreadable) -> Problem:
    """The 422 for a file that cannot be read as a sheet at all."""
    return Problem(
        422,
        "validation",
        "Invalid request",
        str(e),
        detail_zh=e.detail_zh,
        errors=[{"field": "body", "message": str(e)}],
    )


def csv_records(raw: bytes) -> list[SheetRecord]:
    """CSV rows; line numbers count the header as line 1. Headings in English or Chinese."""
    try:
        text = decode_csv(raw)
    except SheetUnreadable as e:
        raise refused(e) from None
    reader = csv.reader(io.StringIO(text, newline=""), csv_dialect(text))
    return _csv_rows(reader, _csv_header(reader))


def absent_fields(named: Container[str | None]) -> list[str]:
    """The fields a sheet needs that ``named`` lacks: the volunteer (by id or national id),
    the start and the end."""
    absent = [c for c in TIMES if c not in named]
    if "volunteer_id" not in named and "national_id" not in named:
        absent.insert(0, "volunteer_id")
    return absent


def _csv_header(reader: Any) -> list[str | None]:
    """The field each column names (None: a column the import ignores); the header must
    name the start, the end and the volunteer (by id or national id)."""
    try:
        header = [field_of(h.strip()) for h in next(reader, [])]
    except csv.Error as e:
        raise BulkRejected([_unreadable(max(reader.line_num, 1), e)]) from None
    missing = absent_fields(set(header))
    if missing:
        raise BulkRejected([_header_lacks(c) for c in missing])
    return header


# What may stand in for a column the header lacks, in English and in Chinese.
_OR_INSTEAD = {"volunteer_id": (" (or 'national_id')", "（或“身份证号”列）")}


def _header_lacks(column: str) -> RowError:
    instead, instead_zh = _OR_INSTEAD.get(column, ("", ""))
    return RowError(
        1,
        column,
        f"the CSV header lacks the column {column!r}{instead}",
        message_zh=f"表头缺少“{LABELS_ZH[column]}”列{instead_zh}",
    )


def _csv_rows(reader: Any, header: list[str | None]) -> list[SheetRecord]:
    """Each non-blank row after the header, its values by field (blank cells left out)."""
    records: list[SheetRecord] = []
    errors: list[RowError] = []
    columns = [(i, f) for i, f in enumerate(header) if f is not None]
    try:
        for cells in reader:
            if len(cells) > len(header):
                errors.append(_too_many_values(reader.line_num))
            elif any(c.strip() for c in cells):
                records.append(SheetRecord(reader.line_num, _values(cells, columns)))
    except csv.Error as e:  # e.g. a field over the csv module's size limit: no row is read
        raise BulkRejected([*errors, _unreadable(max(reader.line_num, 1), e)]) from None
    if errors:
        raise BulkRejected(errors)
    return records


def _values(cells: list[str], columns: list[tuple[int, str]]) -> dict[str, str]:
    """A row's values by field, blank cells left out (a short row lacks its last columns)."""
    return {f: v for i, f in columns if i < len(cells) and (v := cells[i].strip())}


def _too_many_values(line: int) -> RowError:
    return RowError(line, "row", "more values than header columns", message_zh="数值比表头列多")


def _unreadable(line: int, error: csv.Error) -> RowError:
    return RowError(
        line,
        "row",
        f"the CSV cannot be read here: {error}",
        message_zh=f"此处 CSV 无法读取（{error}）",
    )
