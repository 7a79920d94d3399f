"""The audit trail's reads: events by aggregate, actor, type and time, and the position known at a time."""

from __future__ import annotations

from application.readmodel.queries.reads import Page, Reads, paged
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
        eq = {
            k: v
            for k, v in {
                "aggregate_id": aggregate_id,
                "actor_id": actor,
                "event_type": event_type,
            }.items()
            if v
        }
        between = (
            ("recorded_at", recorded_from or "", recorded_to or "9999")
            if recorded_from or recorded_to
            else None
        )
        rows = self.store.select(
            AUDIT_EVENT,
            eq or None,
            between=between,
            after=("position", after_position) if after_position is not None else None,
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
