"""What a volunteer brings to service: training completed and accident insurance held.

The Volunteer's commands for this concern, bound as its methods in
``domain.volunteer_commands`` (``self`` is the volunteer); the events they record are
applied in ``domain.volunteer``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from domain.awards import derived_entry_id
from domain.errors import invalid_value, rule_violation
from domain.points import training_points
from domain.rulebook import MissingInsurance, RulebookVersion
from domain.text import require_filled
from domain.values import Actor, Category, InsurancePolicy, check_text

if TYPE_CHECKING:
    from domain.volunteer import Volunteer


def complete_training(
    self: Volunteer,
    *,
    course: str,
    hours: Decimal,
    completed_on: date,
    rules: RulebookVersion,
    rulebook_hash: str,
    actor: Actor,
) -> UUID:
    self._require_not_withdrawn("record training")
    _check_training(course, hours, rules)
    if (course.strip(), completed_on) in self.courses:
        raise rule_violation(
            "training-once",
            f"training {course!r} on {completed_on} is already recorded for volunteer {self.id}",
        )
    entry_id = derived_entry_id("training", self.id, course.strip(), completed_on)
    self._training_completed(
        entry_id=entry_id,
        course=course.strip(),
        hours=hours,
        completed_on=completed_on,
        points=training_points(hours, rules),
        rulebook_version=rules.version,
        rulebook_hash=rulebook_hash,
        actor=actor,
    )
    return entry_id


def record_insurance(self: Volunteer, policy: InsurancePolicy, actor: Actor) -> None:
    # Checked here, not in InsurancePolicy: stored events are decoded through it.
    check_text("policy_number", policy.policy_number)
    check_text("insurer", policy.insurer)
    self._require_not_withdrawn("record insurance")
    if policy.policy_number in self.policies:
        raise rule_violation(
            "policy-once",
            f"policy {policy.policy_number} is already recorded for volunteer {self.id}",
        )
    self._insurance_recorded(policy=policy, actor=actor)


def cancel_insurance(self: Volunteer, policy_number: str, reason: str, actor: Actor) -> None:
    check_text("reason", reason, multiline=True, required=False)
    if policy_number not in self.policies:
        raise rule_violation(
            "policy-unknown", f"volunteer {self.id} holds no policy {policy_number!r}"
        )
    self._insurance_cancelled(policy_number=policy_number, reason=reason, actor=actor)


def cover_on(self: Volunteer, day: date) -> InsurancePolicy | None:
    """The policy covering ``day``, if any (the one ending last, for determinism)."""
    covering = [p for p in self.policies.values() if p.covers(day)]
    return max(covering, key=lambda p: (p.covers_to, p.policy_number)) if covering else None


def check_insured(
    self: Volunteer, rules: RulebookVersion, category: Category, day: date
) -> InsurancePolicy | None:
    """Raise if the rulebook requires cover for ``category`` and rejects participation without it."""
    rule = rules.category(category)
    policy = self.cover_on(day)
    if (
        policy is None
        and rule.insurance_required
        and rule.on_missing_insurance is MissingInsurance.REJECT
    ):
        raise rule_violation(
            "insurance-required",
            f"volunteer {self.id} ({self.name}) has no accident insurance covering {day}; "
            f"rulebook {rules.version} requires it for {category.code}",
        )
    return policy


def _check_training(course: str, hours: Decimal, rules: RulebookVersion) -> None:
    require_filled("training", ("course", course))
    check_text("course", course)
    if not 0 < hours <= 24:
        raise rule_violation(
            "training-hours", f"training hours {hours} must be more than 0 and at most 24"
        )
    if hours % rules.hours_step:
        raise invalid_value(
            "hours",
            "hours-step",
            f"training hours {hours} are not a multiple of {rules.hours_step} "
            f"(rulebook {rules.version} credits hours in steps of {rules.hours_step})",
        )
