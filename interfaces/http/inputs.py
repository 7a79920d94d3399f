"""Input types the edge bounds before anything uses them: times and days inside the calendar
the programme can use, and query strings free of control characters.

A time such as ``9999-12-31T23:59:59-23:59`` parses, but its UTC form lies past year 9999:
converting it raised ``OverflowError`` (a 500). Dates near the ends of the calendar did the
same in date arithmetic. Both are refused with 422 naming the field. A NUL in a query string
reached PostgreSQL, which refuses NUL in text (``DataError``, a 500).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Request
from pydantic import AfterValidator

from interfaces.http.problems import Problem

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
_RANGE = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"


def _in_calendar_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"the date {value.isoformat()} must be {_RANGE}")
    return value


def in_calendar_time(value: datetime) -> datetime:
    if value.tzinfo is not None and FIRST_DAY.year < value.year < LAST_DAY.year:
        return value  # a day's margin either side: no offset can take it out of range
    try:
        day = value.astimezone(UTC).date() if value.tzinfo is not None else value.date()
    except OverflowError:
        raise ValueError(f"the time {value.isoformat()} must be {_RANGE} (UTC)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"the time {value.isoformat()} must be {_RANGE} (UTC)")
    return value


Day = Annotated[date, AfterValidator(_in_calendar_day)]


def _control(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs"):
            return f"U+{ord(char):04X}"
    return None


async def printable_query(request: Request) -> None:
    """Refuse a query parameter (name or value) holding a control character, naming it."""
    for name, value in request.query_params.multi_items():
        found = _control(name) or _control(value)
        if found is not None:
            raise _control_in_query(name, found)


def _control_in_query(name: str, found: str) -> Problem:
    """The 422 for a query parameter holding the control character ``found``; a name
    holding one is shown quoted."""
    shown = name if _control(name) is None else repr(name)
    message = f"contains the control character {found}"
    return Problem(
        422,
        "validation",
        "Invalid request",
        f"the query parameter {shown} {message}",
        errors=[{"field": shown, "message": message}],
        detail_zh=f"查询参数 {shown} 含有控制字符 {found}，不予接受",
    )
