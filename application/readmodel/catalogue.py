"""Every projection the service maintains, by name."""

from __future__ import annotations

from application.readmodel.audit import AuditProjection
from application.readmodel.base import Projection
from application.readmodel.benefits import MediaProjection, VoucherProjection
from application.readmodel.directory import DirectoryProjection
from application.readmodel.incentives import EligibilityProjection
from application.readmodel.insurance import InsuranceProjection
from application.readmodel.ledger import LedgerProjection
from application.readmodel.needs import NeedsProjection
from application.readmodel.ranking import RankingProjection
from domain.rulebook import Rulebook

PROJECTION_TYPES: tuple[type[Projection], ...] = (
    DirectoryProjection,
    LedgerProjection,
    EligibilityProjection,
    RankingProjection,
    InsuranceProjection,
    NeedsProjection,
    AuditProjection,
    VoucherProjection,
    MediaProjection,
)


def all_projections(rulebook: Rulebook) -> list[Projection]:
    return [cls(rulebook) for cls in PROJECTION_TYPES]


def projection_names() -> list[str]:
    return [cls.name for cls in PROJECTION_TYPES]
