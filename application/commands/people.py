"""Commands for teams and volunteers (see :mod:`application.commands` for the convention)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.values import InsuranceKind, MemberRole, PersonType, TeamLevel


@dataclass(frozen=True, kw_only=True, slots=True)
class FormTeam:
    name: str
    level: TeamLevel
    township: str
    station_id: UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class EnrolMember:
    team_id: UUID
    volunteer_id: UUID
    role: MemberRole
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MemberLeaves:
    team_id: UUID
    volunteer_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AppointLeader:
    team_id: UUID
    volunteer_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CommendTeam:
    """``basis_position``: the log position the team's eligibility was read at."""

    team_id: UUID
    title: str
    period: str
    basis_position: int
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DissolveTeam:
    team_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterVolunteer:
    name: str
    national_id: str
    phone: str
    person_type: PersonType
    township: str
    skills: list[str]


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateProfile:
    """``None`` leaves that part of the profile as it is."""

    volunteer_id: UUID
    phone: str | None = None
    township: str | None = None
    skills: list[str] | None = None
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteTraining:
    volunteer_id: UUID
    course: str
    hours: Decimal
    completed_on: date
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordInsurance:
    volunteer_id: UUID
    policy_number: str
    insurer: str
    kind: InsuranceKind
    covers_from: date
    covers_to: date
    sum_insured: Decimal
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CancelInsurance:
    volunteer_id: UUID
    policy_number: str
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CommendVolunteer:
    """``basis_position``: the log position the volunteer's eligibility was read at."""

    volunteer_id: UUID
    title: str
    period: str
    basis_position: int
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RevokeCommendation:
    volunteer_id: UUID
    commendation_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CertifyStarLevel:
    volunteer_id: UUID
    level: int
    basis_position: int
    service_year: int
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RedeemPoints:
    """``benefit``: the rulebook's code of a courtesy benefit; ``points`` what the caller
    expects it to cost (``None``: the rulebook's price)."""

    volunteer_id: UUID
    benefit: str
    points: Decimal | None = None
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class UseVoucher:
    volunteer_id: UUID
    code: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReverseAward:
    volunteer_id: UUID
    entry_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SuspendVolunteer:
    volunteer_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReinstateVolunteer:
    volunteer_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class WithdrawVolunteer:
    volunteer_id: UUID
    reason: str
    expected_version: int | None = None
