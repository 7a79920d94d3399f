"""How projections write values into rows: exact decimals as text, times in UTC, ids and
intervals as text remembered across events, and the rulebook's reading of a rating or a
media report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from domain.rulebook import Rulebook


def dec(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


_NUMS: dict[Decimal, str] = {}
_NUMS_MAX = 100_000


def num(value: Decimal) -> str:
    """A decimal as exact text without trailing zeros: 7.00 → "7", 3.50 → "3.5".

    Remembered, as projections write the same amounts (hours, points) over and over; equal
    decimals (7 and 7.00) have one text, so one entry serves them all."""
    found = _NUMS.get(value)
    if found is None:
        found = "0" if value == 0 else format(value.normalize(), "f")
        if len(_NUMS) >= _NUMS_MAX:
            _NUMS.clear()
        _NUMS[value] = found
    return found


def iso(value: datetime) -> str:
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()


_TEXTS: dict[Any, str] = {}
_UUID_TEXTS: dict[int, str] = {}
_TEXTS_MAX = 200_000


def text(value: Any) -> str:
    """``str(value)`` for ids (UUIDs), remembered: projections write the same ids over and over,
    and formatting a UUID costs more than finding it in a dict. A UUID is looked up by its
    integer (hashed and compared in C; ``UUID.__hash__`` and ``__eq__`` are Python code), in a
    table of its own so that no other value can stand for it."""
    if type(value) is UUID:
        texts, key = _UUID_TEXTS, value.int
    else:
        texts, key = _TEXTS, value
    found = texts.get(key)
    if found is None:
        if len(texts) >= _TEXTS_MAX:
            texts.clear()
        found = texts[key] = str(value)
    return found


_INTERVAL_TEXTS: dict[int, tuple[Any, timedelta, str, str, str]] = {}
# An activity's participants follow each other in the log: a short memory serves them (a
# longer one only held a replay's memory: 80 MB more over a million events).
_INTERVALS_MAX = 20_000


def interval_texts(interval: Any, offset: timedelta) -> tuple[str, str, str]:
    """An interval's start and end (``isoformat``) and its service date at ``offset``, as
    text: remembered by the interval object itself (the decoder gives one object per
    written window, and the hours of an activity's participants often repeat it), kept
    beside it so a reused ``id`` can never answer for another."""
    found = _INTERVAL_TEXTS.get(id(interval))
    if found is None or found[0] is not interval or found[1] != offset:
        if len(_INTERVAL_TEXTS) >= _INTERVALS_MAX:
            _INTERVAL_TEXTS.clear()
        found = _INTERVAL_TEXTS[id(interval)] = (
            interval,
            offset,
            interval.start.isoformat(),
            interval.end.isoformat(),
            interval.local_date(offset).isoformat(),
        )
    return found[2], found[3], found[4]


def day(value: date) -> str:
    return value.isoformat()


def ident(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def enum(value: Enum) -> str:
    return str(value._value_)  # not ``.value``: a descriptor, slow on the hot path


def media_points(rulebook: Rulebook, start_date: str | None, level: Enum) -> Decimal:
    """Points for one media coverage, under the rulebook in force on the activity's date."""
    rules = rulebook.in_force_on(date.fromisoformat(start_date)) if start_date else rulebook.latest
    return Decimal(rules.ranking.media_level_points.get(level, Decimal(0)))  # type: ignore[call-overload]


def rating_counts(rulebook: Rulebook, e: Any, start_date: str | None, ends_at: str | None) -> bool:
    """Whether a FeedbackRecorded counts in rankings and eligibility. Version 2 ratings say
    so (given within the feedback window after the activity ended). A version 1 rating
    named no date: it counts only if recorded within the window of the rulebook in force
    on the activity's date, since it cannot have been given after it was recorded."""
    if e.counted is not None:
        return bool(e.counted)
    if not start_date or not ends_at:
        return False  # an activity the projection does not know: nothing to attribute it to
    rules = rulebook.in_force_on(date.fromisoformat(start_date))
    ended = (datetime.fromisoformat(ends_at).astimezone(UTC) + rules.utc_offset).date()
    recorded = (e.timestamp.astimezone(UTC) + rules.utc_offset).date()
    return bool(recorded <= ended + timedelta(days=rules.feedback_window_days))
