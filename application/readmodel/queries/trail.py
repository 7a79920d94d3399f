"""The audit trail's reads: events by aggregate, actor, type and time, and the position known at a time."""

from __future__ import annotations

from application.readmodel.queries.reads import Page, Reads, given, paged
from application.readmodel.tables import (
    AUDIT_EVENT,
)


class TrailReads(Reads):
    def audit_events(
        self,
        *,
        aggregate_id: str | None = None,
        actor: str | None = None,
        event_type: str | None = None,
        recorded_from: str | None = None,
        recorded_to: str | None = None,
        after_position: int | None = None,
        limit: int = 50,
    ) -> Page:
        rows = self.store.select(
            AUDIT_EVENT,
            given(aggregate_id=aggregate_id, actor_id=actor, event_type=event_type),
            between=_recorded_between(recorded_from, recorded_to),
            after=_after_position(after_position),
            order_by=("position",),
            limit=limit + 1,
        )
        return paged(rows, limit, "position")

    def position_known_at(self, recorded_at: str) -> int:
        """The last position recorded at or before the given UTC ISO time (from the audit trail)."""
        rows = self.store.select(
            AUDIT_EVENT,
            between=("recorded_at", "", recorded_at + "\uffff"),
            order_by=("position",),
            descending=True,
            limit=1,
        )
        return int(rows[0]["position"]) if rows else 0


def _recorded_between(first: str | None, last: str | None) -> tuple[str, str, str] | None:
    """The events recorded from ``first`` to ``last`` (either open); None for all."""
    if not (first or last):
        return None
    return ("recorded_at", first or "", last or "9999")


def _after_position(position: int | None) -> tuple[str, int] | None:
    # not reads.after: a position is a number, and 0 is one
    return None if position is None else ("position", position)
