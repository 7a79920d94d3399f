"""The audit trail's reads: events by aggregate, actor, type and time, and the position known at a time."""

from __future__ import annotations

from application.readmodel.queries.reads import Page, Reads, given, paged, span
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
            between=span("recorded_at", recorded_from, recorded_to, "", "9999"),
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


def _after_position(position: int | None) -> tuple[str, int] | None:
    # not reads.after: a position is a number, and 0 is one
    return None if position is None else ("position", position)
