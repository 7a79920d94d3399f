"""The one instant the tests' applications are stamped with."""

from __future__ import annotations

from datetime import UTC, datetime


def fixed_clock() -> datetime:
    return datetime(2022, 12, 31, 12, 0, tzinfo=UTC)
