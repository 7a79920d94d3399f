"""A span of service time with a timezone, and the calendar dates it falls on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.errors import rule_violation


def _fmt(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


@dataclass(frozen=True)
class Interval:
    """A span of time with a timezone; the end comes after the start."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise rule_violation(
                "interval-timezone",
                f"times {self.start.isoformat()}–{self.end.isoformat()} need a UTC offset",
            )
        if self.end <= self.start:
            raise rule_violation(
                "interval-order",
                f"interval {_fmt(self.start)}–{_fmt(self.end)}: end is not after start",
            )

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def minutes(self) -> Decimal:
        return Decimal(int(self.duration.total_seconds())) / 60

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, outer: Interval, tolerance: timedelta = timedelta(0)) -> bool:
        return outer.start - tolerance <= self.start and self.end <= outer.end + tolerance

    def local_date(self, offset: timedelta) -> date:
        """The service date: the start's calendar date at the rulebook's UTC offset."""
        return _shift(self.start, offset).date()

    def __str__(self) -> str:
        return f"{_fmt(self.start)}–{_fmt(self.end)}"

    def local_end_date(self, offset: timedelta) -> date:
        """The calendar date the interval ends on at the rulebook's UTC offset."""
        return _shift(self.end, offset).date()


def _shift(moment: datetime, offset: timedelta) -> datetime:
    utc = moment - (moment.utcoffset() or timedelta(0))
    return utc.replace(tzinfo=None) + offset
