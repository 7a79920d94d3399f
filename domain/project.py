"""The Project aggregate: an entry of the banner's project library (项目库), owned by a team.

A project answers needs and names the beneficiaries it serves; drafted, then active (the
active projects are the service menu, 服务清单), then closed with a reason.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.copying import CopiedOnLoad
from domain.errors import rule_violation
from domain.text import require_filled, require_nonblank
from domain.values import Actor, BeneficiaryType, Category, check_text

T = "volunteer-ledger:Project"

DRAFT, ACTIVE, CLOSED = "draft", "active", "closed"
STATUS_ZH = {DRAFT: "草拟", ACTIVE: "在册（服务清单）", CLOSED: "已结束"}


class Project(CopiedOnLoad, Aggregate):
    """A library entry: title, category, description, owning team, needs, beneficiaries."""

    TOPIC = T

    class Created(Aggregate.Created):
        """The library's generic creation event, unused here but needing a topic of its own."""

        TOPIC = f"{T}.Created"

    @event("Drafted", topic=f"{T}.Drafted")
    def __init__(
        self,
        title: str,
        category: Category,
        description: str,
        team_id: UUID,
        township: str,
        need_ids: list[UUID],
        target_beneficiaries: list[BeneficiaryType],
        actor: Actor,
    ) -> None:
        self.title = title
        self.category = category
        self.description = description
        self.team_id = team_id
        self.township = township
        self.need_ids = list(need_ids)
        self.target_beneficiaries = list(target_beneficiaries)
        self.status = DRAFT

    @classmethod
    def draft(
        cls,
        *,
        title: str,
        category: Category,
        description: str,
        team_id: UUID,
        township: str,
        need_ids: list[UUID],
        target_beneficiaries: list[BeneficiaryType],
        actor: Actor,
    ) -> Project:
        """``township``: the owning team's (empty for a banner-level team)."""
        check_text("title", title)
        check_text("description", description, multiline=True)
        require_filled("project", ("title", title), ("description", description))
        if not target_beneficiaries:
            raise rule_violation(
                "project-beneficiaries",
                "a project names at least one target beneficiary type",
                "项目须至少注明一类服务对象",
            )
        return cls(
            title=title.strip(),
            category=category,
            description=description.strip(),
            team_id=team_id,
            township=township,
            need_ids=list(dict.fromkeys(need_ids)),
            target_beneficiaries=list(dict.fromkeys(target_beneficiaries)),
            actor=actor,
        )

    def require_active(self, doing: str) -> None:
        if self.status != ACTIVE:
            raise rule_violation(
                "project-not-active",
                f"project {self.id} is {self.status}: cannot {doing}",
                f"项目 {self.id} 状态为{STATUS_ZH[self.status]}，不能{doing}",
            )

    def activate(self, actor: Actor) -> None:
        if self.status != DRAFT:
            raise rule_violation(
                "project-status",
                f"project {self.id} is {self.status}: only a draft is activated",
                f"项目 {self.id} 状态为{STATUS_ZH[self.status]}：只有草拟的项目可以启用",
            )
        self._activated(actor=actor)

    @event("Activated", topic=f"{T}.Activated")
    def _activated(self, actor: Actor) -> None:
        self.status = ACTIVE

    def close(self, reason: str, actor: Actor) -> None:
        if self.status == CLOSED:
            raise rule_violation(
                "project-status",
                f"project {self.id} is already closed",
                f"项目 {self.id} 已结束",
            )
        check_text("reason", reason, multiline=True, required=False)
        require_nonblank(reason, "reason-required", "closing a project needs a reason")
        self._closed(reason=reason.strip(), actor=actor)

    @event("Closed", topic=f"{T}.Closed")
    def _closed(self, reason: str, actor: Actor) -> None:
        self.status = CLOSED

    def state(self) -> dict[str, Any]:
        return dict(vars(self))
