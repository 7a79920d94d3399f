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
from pydantic_core import ErrorDetails

from application.errors import BulkRejected, RowError
from application.ledger import VolunteerLedger
from application.results import HoursRow
from domain.errors import DomainError
from domain.values import HoursSource, Interval, normalise_national_id
from interfaces.http.activity_schemas import RecordHours
from interfaces.http.problems import Problem
from interfaces.http.sheet_csv import LABELS_ZH, TIMES, absent_fields, csv_records, refused
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


def _json_rows(raw: bytes, ledger: VolunteerLedger) -> tuple[list[HoursRow], list[int]]:
    """JSON list items; line numbers are the 1-based item indexes."""
    data = _by_national_id(_json_list(raw), ledger)
    try:
        items = _ROWS.validate_python(data)
    except ValidationError as e:
        raise BulkRejected([_json_row_error(err) for err in e.errors()]) from None
    return [_hours_row(i) for i in items], list(range(1, len(items) + 1))


def _json_list(raw: bytes) -> list[Any]:
    """The body read as the JSON list a sheet is."""
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise _invalid_body(f"the body is not valid JSON: {e}") from None
    except RecursionError:  # a sheet is a list of flat objects: nothing nests this deep
        raise _invalid_body("the body's JSON is nested too deeply for a sheet") from None
    if not isinstance(data, list):
        raise _invalid_body("the body must be a JSON list of hours rows (or text/csv)")
    return data


def _json_row_error(error: ErrorDetails) -> RowError:
    """A JSON row's error, on the line of its item (0: the list itself)."""
    loc = error["loc"]
    line = int(loc[0]) + 1 if loc and isinstance(loc[0], int) else 0
    return RowError(line, _field(loc[1:]), str(error["msg"]))


def _by_national_id(items: list[Any], ledger: VolunteerLedger) -> list[Any]:
    """JSON items naming their volunteer by ``national_id`` given the volunteer's id (a
    national id no one registered, or a malformed one, is a bad row)."""
    national_ids = {
        line: str(item["national_id"])
        for line, item in enumerate(items, start=1)
        if _names_by_national_id(item)
    }
    if not national_ids:
        return items
    volunteers, errors = _volunteers_by_line(ledger, national_ids)
    if errors:
        raise BulkRejected(sorted(errors, key=lambda e: e.line))
    resolved = list(items)
    for line, volunteer_id in volunteers.items():
        resolved[line - 1] = _with_volunteer_id(items[line - 1], volunteer_id)
    return resolved


def _names_by_national_id(item: Any) -> bool:
    return isinstance(item, dict) and "national_id" in item and "volunteer_id" not in item


def _with_volunteer_id(item: dict[str, Any], volunteer_id: str) -> dict[str, Any]:
    """A JSON row naming its volunteer by id instead of by national id."""
    named = {k: v for k, v in item.items() if k != "national_id"}
    named["volunteer_id"] = volunteer_id
    return named


# ----------------------------------------------------------------------------- every format


def _hours_row(item: RecordHours) -> HoursRow:
    return HoursRow(
        item.volunteer_id, Interval(item.started_at, item.ended_at), HoursSource(item.source)
    )


def _field(loc: tuple[int | str, ...]) -> str:
    """The field a validation error's location names (``row``: the whole row)."""
    return ".".join(str(p) for p in loc) or "row"


def _volunteers_by_line(
    ledger: VolunteerLedger, national_ids: dict[int, str]
) -> tuple[dict[int, str], list[RowError]]:
    """The id of the volunteer registered with each line's national id; the lines whose
    national id is malformed or registered to no one are bad rows (one read for all)."""
    normalised, errors = _normalised(national_ids)
    registered = ledger.volunteers_by_national_id(normalised.values())
    found = {line: str(registered[n]) for line, n in normalised.items() if n in registered}
    return found, errors + [_unregistered(line) for line in normalised if line not in found]


def _normalised(national_ids: dict[int, str]) -> tuple[dict[int, str], list[RowError]]:
    """Each line's national id in its stored form, or the error saying why it is malformed."""
    normalised: dict[int, str] = {}
    errors: list[RowError] = []
    for line, national_id in national_ids.items():
        try:
            normalised[line] = normalise_national_id(national_id)
        except DomainError as e:
            errors.append(RowError(line, "national_id", str(e), e.rule, e.message_zh))
    return normalised, errors


def _unregistered(line: int) -> RowError:
    return RowError(
        line,
        "national_id",
        "no volunteer is registered with this national id",
        message_zh="没有以该身份证号登记的志愿者",
    )


# ----------------------------------------------------------------------------- CSV and Excel rows


def _xlsx_records(raw: bytes, day: date, limit: int) -> list[SheetRecord]:
    try:
        return xlsx_records(raw, day, limit)
    except SheetUnreadable as e:
        raise refused(e) from None


def _checked_rows(
    records: list[SheetRecord], ledger: VolunteerLedger, day: date
) -> tuple[list[HoursRow], list[int], list[RowError]]:
    """Each sheet row checked as a JSON row is; a row naming its volunteer by national id
    is given the volunteer registered with it. The rows read, their lines, and the rows
    that could not be read (by line)."""
    pending, national_ids, incomplete = _prepared(records, day)
    volunteers, unnamed = _volunteers_by_line(ledger, national_ids)
    for line, volunteer_id in volunteers.items():
        pending[line]["volunteer_id"] = volunteer_id
    for error in unnamed:
        del pending[error.line]
    rows, lines, invalid = _validated(pending)
    return rows, lines, incomplete + unnamed + invalid


def _prepared(
    records: list[SheetRecord], day: date
) -> tuple[dict[int, dict[str, str]], dict[int, str], list[RowError]]:
    """The values of each complete sheet row as a JSON row's, by line; the national id
    of each row naming its volunteer by one; the rows lacking a value."""
    pending: dict[int, dict[str, str]] = {}
    national_ids: dict[int, str] = {}
    incomplete: list[RowError] = []
    for record in records:
        values = record.values  # the records are this request's own: changed in place
        absent = absent_fields(values)
        if absent:
            incomplete += [_missing(record.line, c) for c in absent]
            continue
        national_id = values.pop("national_id", "")
        if "volunteer_id" not in values:  # then the row has a national id (not absent)
            national_ids[record.line] = national_id
        pending[record.line] = _as_json_row(values, day)
    return pending, national_ids, incomplete


def _missing(line: int, field: str) -> RowError:
    return RowError(line, field, "missing value", message_zh=f"缺少{LABELS_ZH[field]}")


def _as_json_row(values: dict[str, str], day: date) -> dict[str, str]:
    """A sheet row's values as a JSON row's: times as local ISO text, sources in English."""
    for c in TIMES:
        values[c] = local_time_text(values[c], day)
    if "source" in values:
        values["source"] = SOURCES_ZH.get(values["source"], values["source"])
    return values


def _validated(
    pending: dict[int, dict[str, str]],
) -> tuple[list[HoursRow], list[int], list[RowError]]:
    """The rows that pass the JSON row's checks and their lines; the errors of the rest."""
    rows: list[HoursRow] = []
    lines: list[int] = []
    errors: list[RowError] = []
    for line, values in pending.items():
        try:
            rows.append(_hours_row(RecordHours.model_validate(values)))
            lines.append(line)
        except ValidationError as e:
            errors += [_row_error(line, err) for err in e.errors()]
    return rows, lines, errors


def _row_error(line: int, error: ErrorDetails) -> RowError:
    field = _field(error["loc"])
    label = LABELS_ZH.get(field, field)
    return RowError(line, field, str(error["msg"]), message_zh=f"{label}有误：{error['msg']}")
