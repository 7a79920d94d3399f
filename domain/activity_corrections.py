"""Four eyes on corrections: new hours for a verified participation are proposed by one
person and approved (or rejected) by another, who recorded none of those hours.

The ServiceActivity's commands for corrections, bound as its methods in
``domain.activity_commands`` (``self`` is the activity); the events they record are
applied in ``domain.activity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.activity_attendance import apply_correction, check_correction
from domain.activity_lifecycle import require_status
from domain.errors import rule_violation
from domain.text import require_nonblank
from domain.values import ActivityStatus, Actor, Interval

if TYPE_CHECKING:
    from domain.activity import ServiceActivity


@dataclass(frozen=True)
class CorrectionProposal:
    """A correction to a verified participation, waiting for a second person (four eyes)."""

    volunteer_id: UUID
    interval: Interval
    reason: str
    proposed_by: str
    status: str = "proposed"  # proposed | approved | rejected
    decided_by: str | None = None


def propose_correction(
    self: ServiceActivity,
    *,
    correction_id: UUID,
    volunteer_id: UUID,
    interval: Interval,
    reason: str,
    tolerance: timedelta,
    actor: Actor,
) -> None:
    """Propose new hours for a verified participation; nothing changes until approved."""
    require_status(self, (ActivityStatus.VERIFIED,), "take a correction proposal")
    check_correction(self, volunteer_id, interval, reason, tolerance)
    for pending_id, pending in self.proposals.items():
        if pending.volunteer_id == volunteer_id and pending.status == "proposed":
            raise rule_violation(
                "correction-pending",
                f"correction {pending_id} of volunteer {volunteer_id}'s hours on activity "
                f"{self.id} awaits approval: approve or reject it first",
            )
    self._correction_proposed(
        correction_id=correction_id,
        volunteer_id=volunteer_id,
        interval=interval,
        reason=reason.strip(),
        actor=actor,
    )


# What deciding a proposal is called in Chinese (``doing``: approve or reject).
_DECIDING_ZH = {"approve": "批准", "reject": "驳回"}


def open_proposal(
    self: ServiceActivity, correction_id: UUID, actor: Actor, doing: str
) -> CorrectionProposal:
    """The proposal ``actor`` may decide: still open, and not theirs nor on their hours."""
    proposal = self.proposals.get(correction_id)
    if proposal is None:
        raise rule_violation(
            "correction-unknown", f"activity {self.id} has no correction {correction_id}"
        )
    if proposal.status != "proposed":
        raise rule_violation(
            "correction-decided",
            f"correction {correction_id} is already {proposal.status} by {proposal.decided_by}",
        )
    if actor.user_id in self.recorders_of(proposal.volunteer_id):
        raise rule_violation(
            "four-eyes",
            f"{actor.user_id} proposed correction {correction_id} or recorded the hours it "
            f"corrects, and cannot also {doing} it",
            f"双人复核：{actor.user_id} 提出了更正 {correction_id} 或登记了其所更正的时长，"
            f"不能再{_DECIDING_ZH[doing]}该更正",
        )
    return proposal


def approve_correction(
    self: ServiceActivity,
    *,
    correction_id: UUID,
    tolerance: timedelta,
    new_award: UUID,
    actor: Actor,
) -> int:
    """Apply an approved proposal: the hours change, naming the award that replaces the old."""
    proposal = self.open_proposal(correction_id, actor, "approve")
    current = check_correction(
        self, proposal.volunteer_id, proposal.interval, proposal.reason, tolerance
    )
    self._correction_approved(correction_id=correction_id, actor=actor)
    return apply_correction(
        self,
        proposal.volunteer_id,
        proposal.interval,
        f"correction {correction_id} proposed by {proposal.proposed_by}: {proposal.reason}",
        current,
        actor,
        new_award,
    )


def reject_correction(
    self: ServiceActivity, *, correction_id: UUID, reason: str, actor: Actor
) -> None:
    self.open_proposal(correction_id, actor, "reject")
    require_nonblank(reason, "reason-required", "a rejection needs a reason")
    self._correction_rejected(correction_id=correction_id, reason=reason.strip(), actor=actor)
