"""Value objects the aggregates hold: actors, categories, insurance policies, raters and
media coverage. The text rules, vocabularies, intervals and national ids live in modules
of their own (``domain.text``, ``domain.vocabulary``, ``domain.interval``,
``domain.national_id``) and are importable from here as well."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import invalid_value, rule_violation
from domain.interval import Interval
from domain.national_id import national_id_check_char, normalise_national_id
from domain.text import LIST_MAX, LONG_TEXT_MAX, TEXT_MAX, check_text, check_texts
from domain.vocabulary import (
    ActivityStatus,
    BeneficiaryType,
    HoursSource,
    InsuranceKind,
    MediaLevel,
    MemberRole,
    PersonType,
    Role,
    StationLevel,
    TeamLevel,
    VolunteerStatus,
)

__all__ = [
    "LIST_MAX",
    "LONG_TEXT_MAX",
    "TEXT_MAX",
    "ActivityStatus",
    "Actor",
    "BeneficiaryType",
    "Category",
    "HoursSource",
    "InsuranceKind",
    "InsurancePolicy",
    "Interval",
    "MediaCoverage",
    "MediaLevel",
    "MemberRole",
    "PersonType",
    "Rater",
    "Role",
    "StationLevel",
    "TeamLevel",
    "VolunteerStatus",
    "check_text",
    "check_texts",
    "national_id_check_char",
    "normalise_national_id",
]


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


@dataclass(frozen=True)
class Category:
    """A service category code (the rulebook lists the valid codes with zh/en labels)."""

    code: str

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("_", "").isalnum():
            raise rule_violation("category-code", f"category {self.code!r} is not a valid code")

    def __str__(self) -> str:
        return self.code


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
