"""How an event behind an award is described: where it sits in the log, who caused it, its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.readmodel.base import EventHandlers, handles
from application.readmodel.events import PREFIX
from application.readmodel.values import num
from domain.activity import ServiceActivity
from domain.values import Interval
from domain.volunteer import Volunteer

Figure = str | int | bool | None


@dataclass(frozen=True)
class ExplainedEvent:
    """One stored event behind an award, with where and when it was recorded and by whom."""

    role: str
    position: int
    aggregate_id: UUID
    aggregate_type: str
    version: int
    type: str
    recorded_at: datetime
    actor: str | None
    actor_role: str | None
    correlation_id: str | None
    request_id: str | None
    figures: dict[str, Figure]


def event_kind(event: Any) -> str:
    return str(type(event).TOPIC).removeprefix(PREFIX)


def _interval(interval: Interval) -> dict[str, Figure]:
    return {"started_at": interval.start.isoformat(), "ended_at": interval.end.isoformat()}


class _Figures(EventHandlers):
    """The figures of an event that matter to an award, by the event's class (none for
    any other event)."""

    def of(self, e: Any) -> dict[str, Figure]:
        handler = self._handlers.get(type(e).TOPIC)
        return handler(self, e) if handler is not None else {}

    @handles
    def _planned(self, e: ServiceActivity.Planned) -> dict[str, Figure]:
        return {
            "title": e.title,
            "category": e.category.code,
            "team_id": str(e.team_id),
            "window_start": e.window.start.isoformat(),
            "window_end": e.window.end.isoformat(),
        }

    @handles
    def _signup(
        self, e: ServiceActivity.VolunteerSignedUp | ServiceActivity.VolunteerWithdrew
    ) -> dict[str, Figure]:
        return {"volunteer_id": str(e.volunteer_id)}

    @handles
    def _hours(self, e: ServiceActivity.HoursRecorded) -> dict[str, Figure]:
        return {
            **_interval(e.interval),
            "source": e.source.value,
            "attendance_version": e.attendance_version,
        }

    @handles
    def _corrected(self, e: ServiceActivity.AttendanceCorrected) -> dict[str, Figure]:
        return {
            **_interval(e.interval),
            "attendance_version": e.attendance_version,
            "reason": e.reason,
            "new_award": str(e.new_award) if e.new_award else None,
        }

    @handles
    def _verified(self, e: ServiceActivity.Verified) -> dict[str, Figure]:
        return {"verified_by": e.actor.user_id, "awards": len(e.awards)}

    @handles
    def _insured(self, e: Volunteer.InsuranceRecorded) -> dict[str, Figure]:
        p = e.policy
        return {
            "policy_number": p.policy_number,
            "insurer": p.insurer,
            "kind": p.kind.value,
            "covers_from": p.covers_from.isoformat(),
            "covers_to": p.covers_to.isoformat(),
            "sum_insured": num(p.sum_insured),
        }

    @handles
    def _awarded(self, e: Volunteer.PointsAwarded) -> dict[str, Figure]:
        return {
            "entry_id": str(e.entry_id),
            **_interval(e.interval),
            "service_date": e.service_date.isoformat(),
            "hours": num(e.hours),
            "points": num(e.points),
            "rulebook_version": e.rulebook_version,
        }

    @handles
    def _reversed(self, e: Volunteer.PointsReversed) -> dict[str, Figure]:
        return {
            "entry_id": str(e.entry_id),
            "reverses": str(e.reverses),
            "hours": num(e.hours),
            "points": num(e.points),
            "reason": e.reason,
        }


_FIGURES = _Figures()


def described(role: str, position: int, e: Any) -> ExplainedEvent:
    kind = event_kind(e)
    aggregate_type, _, event_type = kind.partition(".")
    return ExplainedEvent(
        role=role,
        position=position,
        aggregate_id=e.originator_id,
        aggregate_type=aggregate_type,
        version=e.originator_version,
        type=event_type,
        recorded_at=e.timestamp,
        **_by_whom(getattr(e, "actor", None)),
        figures=_FIGURES.of(e),
    )


_NOBODY: dict[str, str | None] = dict.fromkeys(
    ("actor", "actor_role", "correlation_id", "request_id")
)


def _by_whom(actor: Any) -> dict[str, str | None]:
    """Who recorded an event and on which request (``request_id`` None when the client
    gave none); all None for an event without an actor."""
    if not actor:
        return _NOBODY
    return {
        "actor": actor.user_id,
        "actor_role": actor.role.value,
        "correlation_id": actor.correlation_id,
        "request_id": actor.request_id or None,
    }
