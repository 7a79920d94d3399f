"""Value objects shared by the aggregates: actors, intervals, categories and the closed vocabularies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from domain.errors import rule_violation


class Role(Enum):
    """What a user may do: see API.md for the scopes."""

    ADMIN = "admin"
    STATION_STAFF = "station_staff"
    TEAM_LEADER = "team_leader"
    AUDITOR = "auditor"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who asked for a change, and the request it came in on."""

    user_id: str
    role: Role
    correlation_id: str = ""

    def __post_init__(self) -> None:
        if not self.user_id.strip():
            raise rule_violation("actor-required", "actor user_id must not be empty")


class TeamLevel(Enum):
    BANNER = "banner"
    TOWNSHIP = "township"


class MemberRole(Enum):
    MEMBER = "member"
    LEADER = "leader"
    DEPUTY = "deputy"


class PersonType(Enum):
    """Who a volunteer is: most are veterans, some are family members or the public."""

    VETERAN = "veteran"
    DEMOBILIZED_VETERAN = "demobilized_veteran"
    DISABLED_VETERAN = "disabled_veteran"
    MILITARY_FAMILY = "military_family"
    MARTYR_FAMILY = "martyr_family"
    PUBLIC = "public"


class BeneficiaryType(Enum):
    """优抚对象 / 服务对象: the people an activity serves."""

    MARTYR_FAMILY = "martyr_family"
    MILITARY_FAMILY = "military_family"
    VETERAN = "veteran"
    DEMOBILIZED_VETERAN = "demobilized_veteran"
    DISABLED_VETERAN = "disabled_veteran"
    PUBLIC = "public"


class HoursSource(Enum):
    CHECKIN = "checkin"
    ORGANISER = "organiser"
    BACKFILL = "backfill"


class MediaLevel(Enum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    BANNER = "banner"
    ONLINE = "online"


class InsuranceKind(Enum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class VolunteerStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class ActivityStatus(Enum):
    PLANNED = "planned"
    PUBLISHED = "published"
    COMPLETED = "completed"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Category:
    """A service category code (the rulebook lists the valid codes with zh/en labels)."""

    code: str

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("_", "").isalnum():
            raise rule_violation("category-code", f"category {self.code!r} is not a valid code")

    def __str__(self) -> str:
        return self.code


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


def _shift(moment: datetime, offset: timedelta) -> datetime:
    utc = moment - (moment.utcoffset() or timedelta(0))
    return utc.replace(tzinfo=None) + offset


@dataclass(frozen=True)
class InsurancePolicy:
    """An accident insurance coverage held by a volunteer."""

    policy_number: str
    insurer: str
    kind: InsuranceKind
    covers_from: date
    covers_to: date
    sum_insured: Decimal

    def __post_init__(self) -> None:
        if not self.policy_number.strip():
            raise rule_violation("policy-number", "policy_number must not be empty")
        if self.covers_to < self.covers_from:
            raise rule_violation(
                "policy-period",
                f"policy {self.policy_number}: covers_to {self.covers_to} "
                f"is before covers_from {self.covers_from}",
            )
        if self.sum_insured <= 0:
            raise rule_violation(
                "policy-sum", f"policy {self.policy_number}: sum_insured must be positive"
            )

    def covers(self, day: date) -> bool:
        return self.covers_from <= day <= self.covers_to


@dataclass(frozen=True)
class MediaCoverage:
    outlet: str
    level: MediaLevel
    url: str
    published_on: date


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Chinese input methods type full-width digits and letters: store them as ASCII.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def national_id_check_char(first17: str) -> str:
    """The check character of a resident identity number (GB 11643, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_national_id(raw: str) -> str:
    """Validate an 18-character national id number and return it upper-cased."""
    value = raw.strip().translate(_FULL_WIDTH).upper()
    if len(value) != 18 or not (value[:17].isascii() and value[:17].isdigit()):
        raise rule_violation(
            "national-id-format",
            f"national_id {raw!r} must be 18 characters: 17 digits and a check character",
        )
    expected = national_id_check_char(value[:17])
    if value[17] != expected:
        raise rule_violation(
            "national-id-check",
            f"national_id {raw!r} has check character {value[17]!r}, expected {expected!r}",
        )
    return value
