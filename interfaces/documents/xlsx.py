"""Workbooks for the office, with XlsxWriter, byte-identical for the same sheets.

Why XlsxWriter rather than openpyxl: it writes fixed zip member dates and takes the
workbook's created date from its properties, so the same figures give the same bytes
(openpyxl stamps each zip member with the current time); it writes data validation and
number formats directly; and it streams rows instead of holding a cell object each.
openpyxl stays the reader (tests, uploaded sheets).

Every cell is written by its type: numbers (int, Decimal, float) as numbers, text as
text (``strings_to_formulas`` off, so a name beginning with ``=``, ``+``, ``-`` or ``@``
is a string cell, never a formula), None as blank.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from interfaces.documents.tabular import YES_NO

# The workbook's created date when the caller gives none: a fixed instant, never the clock.
EPOCH = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Column:
    label: str  # the Chinese heading
    width: float = 14
    number_format: str | None = None  # e.g. "0.00" for hours and points


@dataclass
class Sheet:
    title: str  # the sheet's tab (≤ 31 characters)
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, Decimal):
        # Excel holds doubles; a Decimal of hours or points has at most a few places.
        return float(value)
    return value


def xlsx_bytes(
    sheets: Sequence[Sheet], *, title: str = "", author: str = "", created: datetime | None = None
) -> bytes:
    """The workbook: one sheet per section, bold frozen headings, numbers as numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {"title": title, "author": author, "created": created or EPOCH, "comments": ""}
    )
    heading = workbook.add_format({"bold": True, "bg_color": "#E6E6E6", "border": 1})
    formats: dict[str, Any] = {}
    for sheet in sheets:
        _write_sheet(workbook, sheet, heading, formats)
    workbook.close()
    return buffer.getvalue()


def _write_sheet(
    workbook: Workbook, sheet: Sheet, heading: Format, formats: dict[str, Any]
) -> None:
    """The sheet's tab, its bold headings frozen at the top, then its rows."""
    ws = workbook.add_worksheet(sheet.title[:31])
    _write_headings(workbook, ws, sheet.columns, heading, formats)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(sheet.rows, start=1):
        _write_row(ws, r, row)


def _write_headings(
    workbook: Workbook,
    ws: Worksheet,
    columns: Sequence[Column],
    heading: Format,
    formats: dict[str, Any],
) -> None:
    """Row 0: the bold headings; each column its width and number format (one format
    object per distinct number format in the workbook)."""
    for c, column in enumerate(columns):
        ws.write_string(0, c, column.label, heading)
        fmt = None
        if column.number_format:
            fmt = formats.setdefault(
                column.number_format, workbook.add_format({"num_format": column.number_format})
            )
        ws.set_column(c, c, column.width, fmt)


def _write_row(ws: Worksheet, r: int, row: Sequence[Any]) -> None:
    """Numbers as numbers, anything else as text (never a formula); empty cells left out."""
    for c, raw in enumerate(row):
        value = _cell_value(raw)
        if value is None:
            continue
        if isinstance(value, (int, float)):
            ws.write_number(r, c, value)
        else:
            ws.write_string(r, c, str(value))
