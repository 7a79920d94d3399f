"""Commands for needs and the project library (see :mod:`application.commands`)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.values import BeneficiaryType, Category


@dataclass(frozen=True, kw_only=True, slots=True)
class RaiseNeed:
    """``category``: one of the plan's difficulties or a service category of the rulebook."""

    township: str
    station_id: UUID
    beneficiary_type: BeneficiaryType
    category: str
    description: str
    raised_by_name: str
    raised_by_contact: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CloseNeed:
    """Met by ``activity_id``, a verified activity (and so by its project)."""

    need_id: UUID
    activity_id: UUID
    outcome: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DeclineNeed:
    need_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DraftProject:
    title: str
    category: Category
    description: str
    team_id: UUID
    need_ids: list[UUID]
    target_beneficiaries: list[BeneficiaryType]


@dataclass(frozen=True, kw_only=True, slots=True)
class ActivateProject:
    project_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CloseProject:
    project_id: UUID
    reason: str
    expected_version: int | None = None
