"""Recognition of a volunteer's service: certified star levels and commendations.

The Volunteer's commands for this concern, bound as its methods in
``domain.volunteer_commands`` (``self`` is the volunteer); the events they record are
applied in ``domain.volunteer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.awards import derived_entry_id
from domain.errors import rule_violation
from domain.rulebook import RulebookVersion
from domain.text import require_nonblank
from domain.values import Actor, check_text

if TYPE_CHECKING:
    from domain.volunteer import Volunteer


def certify_star_level(
    self: Volunteer,
    *,
    level: int,
    basis_position: int,
    service_year: int,
    rules: RulebookVersion,
    actor: Actor,
) -> None:
    """Certify a star level for ``service_year``: reached by the hours served up to the
    end of that year (a later year's service does not raise an earlier certification)."""
    hours = self.credited_hours_through(service_year)
    reached = rules.star_level(hours)
    if not 1 <= level <= len(rules.star_thresholds_hours):
        raise rule_violation(
            "star-level-range",
            f"star level {level} must be between 1 and {len(rules.star_thresholds_hours)}",
        )
    if level > reached:
        raise rule_violation(
            "star-level-not-reached",
            f"volunteer {self.id} has {hours} credited hours for service up to the end of "
            f"{service_year}: star level {reached} reached, cannot certify {level}",
            f"志愿者截至{service_year}年底累计服务{hours}小时，已达{reached}星，不能认定为{level}星",
        )
    if level <= self.star_level_certified:
        raise rule_violation(
            "star-level-certified",
            f"volunteer {self.id} is already certified at star level {self.star_level_certified}",
        )
    self._star_level_certified(
        level=level, basis_position=basis_position, service_year=service_year, actor=actor
    )


def grant_commendation(
    self: Volunteer, *, title: str, period: str, basis_position: int, reason: str, actor: Actor
) -> UUID:
    self._require_not_withdrawn("be commended")
    require_nonblank(title, "required-field", "a commendation needs a title")
    check_text("title", title)
    check_text("period", period, max_length=40)
    check_text("reason", reason, multiline=True, required=False)
    period = period.strip()
    held = self.commendation_for(period)
    if held is not None:
        raise rule_violation(
            "commendation-once",
            f"volunteer {self.id} already holds commendation {held} "
            f"({self.commendations[held]!r}) for {period}: one commendation per period",
            f"该志愿者{period}期间已获表彰（{self.commendations[held]}），同一期间只能表彰一次",
        )
    commendation_id = derived_entry_id("commendation", self.id, title.strip(), period)
    self._commendation_granted(
        commendation_id=commendation_id,
        title=title.strip(),
        period=period,
        basis_position=basis_position,
        reason=reason,
        actor=actor,
    )
    return commendation_id


def revoke_commendation(
    self: Volunteer, *, commendation_id: UUID, reason: str, actor: Actor
) -> None:
    check_text("reason", reason, multiline=True, required=False)
    if commendation_id not in self.commendations:
        raise rule_violation(
            "commendation-unknown",
            f"volunteer {self.id} holds no commendation {commendation_id}",
        )
    self._commendation_revoked(commendation_id=commendation_id, reason=reason, actor=actor)
