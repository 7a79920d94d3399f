"""Every projection the service maintains, by name."""

from __future__ import annotations

from application.readmodel.base import Projection
from application.readmodel.projections.audit import AuditProjection
from application.readmodel.projections.benefits import MediaProjection, VoucherProjection
from application.readmodel.projections.directory import DirectoryProjection
from application.readmodel.projections.incentives import EligibilityProjection
from application.readmodel.projections.insurance import InsuranceProjection
from application.readmodel.projections.ledger import LedgerProjection
from application.readmodel.projections.needs import NeedsProjection
from application.readmodel.projections.ranking import RankingProjection
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
