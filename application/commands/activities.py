"""Commands for service activities (see :mod:`application.commands` for the convention)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.results import HoursRow
from domain.values import BeneficiaryType, Category, HoursSource, Interval, MediaLevel, Rater


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanActivity:
    """``project_id``: the active project of the library the activity serves."""

    title: str
    category: Category
    team_id: UUID
    township: str
    station_id: UUID
    location: str
    window: Interval
    beneficiary_types: list[BeneficiaryType]
    capacity: int
    project_id: UUID | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PublishActivity:
    activity_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SignUp:
    activity_id: UUID
    volunteer_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class WithdrawSignup:
    activity_id: UUID
    volunteer_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordHours:
    activity_id: UUID
    volunteer_id: UUID
    interval: Interval
    source: HoursSource
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordSheet:
    """A whole sign-in sheet, recorded all or nothing."""

    activity_id: UUID
    rows: list[HoursRow]
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CorrectHours:
    activity_id: UUID
    volunteer_id: UUID
    interval: Interval
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ApproveCorrection:
    activity_id: UUID
    correction_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RejectCorrection:
    activity_id: UUID
    correction_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordBeneficiaries:
    activity_id: UUID
    counts: dict[BeneficiaryType, int]
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordFeedback:
    """``rater`` None: an anonymous member of the public, marked so; ``given_on`` None:
    today in the rulebook's time."""

    activity_id: UUID
    satisfaction: int
    comment: str
    rater: Rater | None = None
    given_on: date | None = None
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordMedia:
    activity_id: UUID
    outlet: str
    level: MediaLevel
    url: str
    published_on: date
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteActivity:
    activity_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CancelActivity:
    activity_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class VerifyActivity:
    activity_id: UUID
    expected_version: int | None = None
