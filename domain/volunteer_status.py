"""A volunteer on the register: registration, the profile, and standing (active, suspended
or withdrawn).

The Volunteer's commands for this concern, bound as its methods in
``domain.volunteer_commands`` (``self`` is the volunteer); the events they record are
applied in ``domain.volunteer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import rule_violation
from domain.text import require_filled
from domain.values import (
    Actor,
    VolunteerStatus,
    check_text,
    check_texts,
)

if TYPE_CHECKING:
    from domain.volunteer import Volunteer


def check_registration(
    name: str, national_id: str, phone: str, township: str, skills: list[str]
) -> None:
    """What registering needs: a name, a national id and a township, in readable text."""
    require_filled(
        "volunteer", ("name", name), ("national_id", national_id), ("township", township)
    )
    check_text("name", name)
    check_text("phone", phone, required=False, max_length=40)
    check_text("township", township)
    check_texts("skills", skills)


def _require_not_withdrawn(self: Volunteer, doing: str) -> None:
    if self.status is VolunteerStatus.WITHDRAWN:
        raise rule_violation(
            "volunteer-withdrawn", f"volunteer {self.id} has withdrawn: cannot {doing}"
        )


def require_active(self: Volunteer, doing: str) -> None:
    """Sign-ups and new service need an active volunteer."""
    if self.status is not VolunteerStatus.ACTIVE:
        raise rule_violation(
            "volunteer-not-active",
            f"volunteer {self.id} is {self.status.value}: cannot {doing}",
        )


def update_profile(
    self: Volunteer,
    *,
    phone: str | None,
    township: str | None,
    skills: list[str] | None,
    actor: Actor,
) -> None:
    self._require_not_withdrawn("update the profile")
    _check_profile(phone, township, skills)
    self._profile_updated(
        phone=self.phone if phone is None else phone.strip(),
        township=self.township if township is None else township.strip(),
        skills=self.skills if skills is None else _skills(skills),
        actor=actor,
    )


def _check_profile(phone: str | None, township: str | None, skills: list[str] | None) -> None:
    """The fields given (None: unchanged) are readable text."""
    if phone is not None:
        check_text("phone", phone, required=False, max_length=40)
    if township is not None:
        check_text("township", township)
    if skills is not None:
        check_texts("skills", skills)


def _skills(skills: list[str]) -> list[str]:
    """The skills trimmed, blank ones dropped."""
    return [s.strip() for s in skills if s.strip()]


def suspend(self: Volunteer, *, reason: str, actor: Actor) -> None:
    check_text("reason", reason, multiline=True, required=False)
    self.require_active("be suspended")
    self._suspended(reason=reason, actor=actor)


def reinstate(self: Volunteer, *, reason: str, actor: Actor) -> None:
    check_text("reason", reason, multiline=True, required=False)
    # A withdrawn volunteer who comes back is reinstated: their record (and national
    # id) stays theirs, so re-registration is a reinstatement, not a second record.
    if self.status is VolunteerStatus.ACTIVE:
        raise rule_violation(
            "reinstate-suspended",
            f"volunteer {self.id} is active, not suspended or withdrawn",
            f"志愿者 {self.id} 处于在册状态，只有暂停或已退出的志愿者可以恢复",
        )
    self._reinstated(reason=reason, actor=actor)


def withdraw(self: Volunteer, *, reason: str, actor: Actor) -> None:
    check_text("reason", reason, multiline=True, required=False)
    self._require_not_withdrawn("withdraw again")
    self._withdrawn(reason=reason, actor=actor)
