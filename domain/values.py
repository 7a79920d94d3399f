"""Value objects shared by the aggregates: actors, intervals, categories and the closed vocabularies."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from domain.errors import invalid_value, rule_violation

# ----------------------------------------------------------------- text

TEXT_MAX = 500  # a name, title or place: one line
LONG_TEXT_MAX = 2000  # a reason or comment: may have line breaks
LIST_MAX = 50  # items in a list of short texts (a volunteer's skills)

# What no stored text may hold: C0 and C1 control characters (NUL, ESC — the start of
# every ANSI escape —, CR, LF, DEL …), the line and paragraph separators, the bidi
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: they make a name read
# backwards in a list or a log), and lone surrogates (not characters at all: they cannot
# be encoded as UTF-8, so no database or file could hold them).
_FORBIDDEN_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# Multi-line text also takes line breaks (LF, or CRLF as browsers send a textarea) and tabs.
_FORBIDDEN_MULTILINE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
    "|\r(?!\n)"
)


def check_text(
    field: str,
    value: str,
    *,
    multiline: bool = False,
    max_length: int | None = None,
    required: bool = True,
) -> str:
    """``value`` if it is text a person can read safely wherever it is shown; else
    :class:`~domain.errors.InvalidValue` naming ``field`` and the rule.

    The one place the ledger's text rules live: the aggregates call it on every text a
    command brings, and the HTTP schemas call it too (so the edge says the same thing, as
    a 422). One-line text (names, titles, places) refuses every control character, CR/LF
    included; ``multiline`` text (reasons, comments) takes line breaks and tabs.
    """
    limit = max_length if max_length is not None else LONG_TEXT_MAX if multiline else TEXT_MAX
    if not isinstance(value, str):
        raise invalid_value(field, "text-type", f"{field} must be text")
    if required and not value.strip():
        raise invalid_value(field, "required-field", f"{field} must not be empty")
    if len(value) > limit:
        raise invalid_value(
            field,
            "text-length",
            f"{field} has {len(value):,} characters; at most {limit:,} are allowed",
        )
    bad = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_LINE).search(value)
    if bad is not None:
        char = bad.group()
        rule = (
            "it may hold line breaks and tabs but no other control character"
            if multiline
            else "it is one line of text: no control characters, line breaks included"
        )
        raise invalid_value(
            field,
            "text-characters",
            f"{field} contains U+{ord(char):04X} ({_kind(char)}) at character "
            f"{bad.start() + 1}; {rule}, no bidi overrides and no lone surrogates",
        )
    return value


def check_texts(
    field: str, values: Iterable[str], *, max_items: int = LIST_MAX, max_length: int = 100
) -> list[str]:
    """Each of ``values`` checked as one-line text (named ``field[i]``), at most ``max_items``."""
    items = list(values)
    if len(items) > max_items:
        raise invalid_value(
            field,
            "list-length",
            f"{field} has {len(items):,} items; at most {max_items:,} are allowed",
        )
    # Blank items are allowed: the aggregates drop them.
    return [
        check_text(f"{field}[{i}]", v, max_length=max_length, required=False)
        for i, v in enumerate(items)
    ]


def _kind(char: str) -> str:
    code = ord(char)
    if char in "\r\n":
        return "a line break"
    if code == 0:
        return "NUL"
    if code == 0x1B:
        return "ESC, as in an ANSI escape sequence"
    if 0xD800 <= code <= 0xDFFF:
        return "a lone surrogate"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "a bidi override"
    if code in (0x2028, 0x2029):
        return "a line separator"
    return "a control character"


class Role(Enum):
    """What a user may do: see API.md for the scopes."""

    ADMIN = "admin"
    STATION_STAFF = "station_staff"
    TEAM_LEADER = "team_leader"
    AUDITOR = "auditor"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who asked for a change, and the request it came in on: ``correlation_id`` is the
    server's (for an idempotent request, derived from the caller, the key and the body);
    ``request_id`` is what the client said in ``X-Request-ID``, if anything, kept apart so
    that no client can choose the id a recorded command is found by."""

    user_id: str
    role: Role
    correlation_id: str = ""
    request_id: str = ""

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

    def local_end_date(self, offset: timedelta) -> date:
        """The calendar date the interval ends on at the rulebook's UTC offset."""
        return _shift(self.end, offset).date()


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
class Rater:
    """Who gave a rating: a beneficiary type and a household or person reference, or
    ``anonymous`` (allowed, and marked). ``beneficiary_type`` is None only for ratings
    recorded before raters were named (FeedbackRecorded version 1)."""

    beneficiary_type: BeneficiaryType | None
    reference: str | None
    anonymous: bool = False

    def __post_init__(self) -> None:
        if self.anonymous and self.reference:
            raise invalid_value(
                "rater.reference", "rater-reference", "an anonymous rater has no reference"
            )
        if not self.anonymous and self.beneficiary_type is not None and not self.reference:
            raise invalid_value(
                "rater.reference",
                "rater-reference",
                "a rater names a household or person reference, or is anonymous",
            )

    @property
    def key(self) -> str | None:
        """What makes two ratings the same rater's (None: anonymous, never the same)."""
        if self.anonymous or self.beneficiary_type is None or not self.reference:
            return None
        reference = "".join(unicodedata.normalize("NFKC", self.reference).casefold().split())
        return f"{self.beneficiary_type.value}:{reference}"


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


class StationLevel(Enum):
    """退役军人服务站: the banner's service centre, a township's station, a village's station."""

    BANNER_CENTRE = "banner_centre"
    TOWNSHIP = "township"
    VILLAGE = "village"
