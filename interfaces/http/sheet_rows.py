"""A sign-in sheet uploaded to ``POST /activities/{id}/hours/bulk`` read as hours rows: a
JSON list, a CSV, or the Excel sheet (its cells: :mod:`interfaces.http.signin_sheet`).
Every row is checked as a JSON row is, and every bad row is named by its line (CSV: the
header is line 1; Excel: the sheet's row number; JSON: the 1-based item index).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from application.errors import BulkRejected, RowError
from application.ledger import VolunteerLedger
from application.results import HoursRow
from domain.errors import DomainError
from domain.values import HoursSource, Interval, normalise_national_id
from interfaces.http.activity_schemas import RecordHours
from interfaces.http.problems import Problem
from interfaces.http.sheet_csv import LABELS_ZH, TIMES, csv_records, refused
from interfaces.http.signin_sheet import (
    SOURCES_ZH,
    XLSX_MEDIA_TYPE,
    SheetRecord,
    SheetUnreadable,
    local_time_text,
    xlsx_records,
)

_ROWS = TypeAdapter(list[RecordHours])
_UNSUPPORTED = (
    f"send the sheet as application/json, text/csv or the Excel sheet ({XLSX_MEDIA_TYPE}), not {{}}"
)


def read_sheet(
    media_type: str, raw: bytes, ledger: VolunteerLedger, day: date, *, limit: int
) -> tuple[list[HoursRow], list[int], list[RowError]]:
    """The rows read from a sheet of ``media_type``, the line of each, and the rows that
    could not be read (by line). ``day``: the activity's, for times given without a date;
    ``limit``: the most bytes an Excel sheet may unpack to."""
    if media_type == "text/csv":
        return _checked_rows(csv_records(raw), ledger, day)
    if media_type == XLSX_MEDIA_TYPE:
        return _checked_rows(_xlsx_records(raw, day, limit), ledger, day)
    if media_type in {"application/json", ""} or media_type.endswith("+json"):
        rows, lines = _json_rows(raw, ledger)
        return rows, lines, []
    raise Problem(
        415, "unsupported-media-type", "Unsupported media type", _UNSUPPORTED.format(media_type)
    )


# ----------------------------------------------------------------------------- JSON


def _invalid_body(detail: str) -> Problem:
    return Problem(
        422,
        "validation",
        "Invalid request",
        detail,
        errors=[{"field": "body", "message": detail}],
    )


def _row_errors(line: int, error: ValidationError) -> list[RowError]:
    errors = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"]) or "row"
        label = LABELS_ZH.get(field, field)
        errors.append(RowError(line, field, str(e["msg"]), message_zh=f"{label}有误：{e['msg']}"))
    return errors


def _hours_row(item: RecordHours) -> HoursRow:
    return HoursRow(
        item.volunteer_id, Interval(item.started_at, item.ended_at), HoursSource(item.source)
    )


def _unregistered(line: int) -> RowError:
    return RowError(
        line,
        "national_id",
        "no volunteer is registered with this national id",
        message_zh="没有以该身份证号登记的志愿者",
    )


def _by_national_id(items: list[Any], ledger: VolunteerLedger) -> list[Any]:
    """JSON items naming their volunteer by ``national_id`` given the volunteer's id (a
    national id no one registered, or a malformed one, is a bad row)."""
    wanted: dict[int, str] = {}
    errors: list[RowError] = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and "national_id" in item and "volunteer_id" not in item:
            try:
                wanted[index] = normalise_national_id(str(item["national_id"]))
            except DomainError as e:
                errors.append(RowError(index + 1, "national_id", str(e), e.rule, e.message_zh))
    if not wanted and not errors:
        return items
    registered = ledger.volunteers_by_national_id(wanted.values())
    resolved = list(items)
    for index, national_id in wanted.items():
        volunteer_id = registered.get(national_id)
        if volunteer_id is None:
            errors.append(_unregistered(index + 1))
            continue
        item = {k: v for k, v in items[index].items() if k != "national_id"}
        resolved[index] = {**item, "volunteer_id": str(volunteer_id)}
    if errors:
        raise BulkRejected(sorted(errors, key=lambda e: e.line))
    return resolved


def _json_rows(raw: bytes, ledger: VolunteerLedger) -> tuple[list[HoursRow], list[int]]:
    """JSON list items; line numbers are the 1-based item indexes."""
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise _invalid_body(f"the body is not valid JSON: {e}") from None
    except RecursionError:  # a sheet is a list of flat objects: nothing nests this deep
        raise _invalid_body("the body's JSON is nested too deeply for a sheet") from None
    if not isinstance(data, list):
        raise _invalid_body("the body must be a JSON list of hours rows (or text/csv)")
    data = _by_national_id(data, ledger)
    try:
        items = _ROWS.validate_python(data)
    except ValidationError as e:
        errors = [
            RowError(
                int(err["loc"][0]) + 1 if err["loc"] and isinstance(err["loc"][0], int) else 0,
                ".".join(str(p) for p in err["loc"][1:]) or "row",
                str(err["msg"]),
            )
            for err in e.errors()
        ]
        raise BulkRejected(errors) from None
    return [_hours_row(i) for i in items], list(range(1, len(items) + 1))


# ----------------------------------------------------------------------------- CSV and Excel rows


def _xlsx_records(raw: bytes, day: date, limit: int) -> list[SheetRecord]:
    try:
        return xlsx_records(raw, day, limit)
    except SheetUnreadable as e:
        raise refused(e) from None


# A sheet row's line, its values, and the national id naming its volunteer (normalised;
# None when the row names the volunteer by id).
_Pending = tuple[int, dict[str, str], str | None]


def _checked_rows(
    records: list[SheetRecord], ledger: VolunteerLedger, day: date
) -> tuple[list[HoursRow], list[int], list[RowError]]:
    """Each sheet row checked as a JSON row is; a row naming its volunteer by national id
    is given the volunteer registered with it. The rows read, their lines, and the rows
    that could not be read (by line)."""
    errors: list[RowError] = []
    pending: list[_Pending] = []
    for record in records:
        prepared, refused = _prepared(record, day)
        errors += refused
        if prepared is not None:
            pending.append(prepared)
    registered = ledger.volunteers_by_national_id(n for _, _, n in pending if n is not None)
    rows: list[HoursRow] = []
    lines: list[int] = []
    for line, values, national_id in pending:
        if national_id is not None:
            volunteer_id = registered.get(national_id)
            if volunteer_id is None:
                errors.append(_unregistered(line))
                continue
            values["volunteer_id"] = str(volunteer_id)
        try:
            rows.append(_hours_row(RecordHours.model_validate(values)))
            lines.append(line)
        except ValidationError as e:
            errors.extend(_row_errors(line, e))
    return rows, lines, errors


def _prepared(record: SheetRecord, day: date) -> tuple[_Pending | None, list[RowError]]:
    """A sheet row's values as a JSON row's (times as local ISO text, sources in English),
    with its volunteer's national id normalised; or why it cannot be read."""
    values = record.values  # the records are this request's own: changed in place
    national_id = values.pop("national_id", None)
    absent = [c for c in TIMES if c not in values]
    if "volunteer_id" not in values and national_id is None:
        absent.insert(0, "volunteer_id")
    if absent:
        return None, [
            RowError(record.line, c, "missing value", message_zh=f"缺少{LABELS_ZH[c]}")
            for c in absent
        ]
    for c in TIMES:
        values[c] = local_time_text(values[c], day)
    if "source" in values:
        values["source"] = SOURCES_ZH.get(values["source"], values["source"])
    if "volunteer_id" in values or national_id is None:
        return (record.line, values, None), []
    try:
        return (record.line, values, normalise_national_id(national_id)), []
    except DomainError as e:
        return None, [RowError(record.line, "national_id", str(e), e.rule, e.message_zh)]
