"""CSV for spreadsheets: a UTF-8 BOM (Chinese Excel reads it), CRLF, and no formula injection.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a leading apostrophe, so a spreadsheet shows it as text instead of running
it (OWASP's advice for CSV injection). A plain number written as text ("-3", "12.5")
is left alone: it cannot run anything and must stay a number.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

BOM = "\ufeff"
DANGEROUS_LEADS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# A yes/no figure as the office writes it.
YES_NO = {True: "是", False: "否"}
# Zip members carry this date so the same sections give the same bytes.
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet take this text for a formula (or a DDE call)?"""
    return text.startswith(DANGEROUS_LEADS) and not _PLAIN_NUMBER.fullmatch(text)


def safe_text(value: Any) -> str:
    """The cell as CSV text: empty for None, numbers as written, dangerous text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return neutralised(str(value))


def neutralised(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet would run it, else as it is."""
    return "'" + text if is_dangerous(text) else text


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One CSV file: BOM, the headers, then the rows, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_safe_row(row) for row in itertools.chain([headers], rows))
    return (BOM + out.getvalue()).encode("utf-8")


def _safe_row(row: Sequence[Any]) -> list[str]:
    return [safe_text(value) for value in row]


def csv_zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of named files (one CSV per section), byte-identical for the same input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
