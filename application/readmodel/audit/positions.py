"""Where an aggregate's events sit in the log: the audit trail's positions, each checked
against the event store's own record before it is shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from application.errors import AuditMismatch
from application.readmodel.audit.explain_events import event_kind
from application.readmodel.store import RowReader
from application.readmodel.tables import AUDIT_EVENT


class Trail:
    """Log positions of an aggregate's events, from the audit trail, checked against the store."""

    def __init__(self, app: Application[UUID], reads: RowReader) -> None:
        self.app = app
        self.reads = reads
        self.positions: dict[UUID, dict[int, int]] = {}

    def of(self, aggregate_id: UUID) -> dict[int, int]:
        if aggregate_id not in self.positions:
            rows = self.reads.select(AUDIT_EVENT, {"aggregate_id": str(aggregate_id)})
            self.positions[aggregate_id] = {
                int(r["aggregate_version"]): int(r["position"]) for r in rows
            }
        return self.positions[aggregate_id]

    def events(self, aggregate_id: UUID) -> list[Any]:
        """The aggregate's stored events, as far as the read models have seen them.

        Events recorded after the read models' position are left out, so the explanation
        is one consistent cut even while writes go on (and never trips on an event the
        audit trail has not indexed yet).
        """
        seen = self.of(aggregate_id)
        if not seen:
            return []
        return list(self.app.events.get(aggregate_id, lte=max(seen)))

    def position(self, event: Any) -> int:
        found = self.of(event.originator_id).get(event.originator_version)
        if found is None:
            raise AuditMismatch(
                f"the audit trail has no position for event {event.originator_version} of "
                f"{event.originator_id} ({event_kind(event)}): the read models are behind or damaged"
            )
        return found

    def checked(self, event: Any) -> int:
        """The event's position, once the store confirms that this event is recorded there."""
        position = self.position(event)
        stored = self.app.recorder.select_notifications(start=position, limit=1, stop=position)
        if not _is_stored_at(stored, position, event):
            raise AuditMismatch(
                f"the audit trail puts event {event.originator_version} of "
                f"{event.originator_id} at position {position}, but the event store does not"
            )
        return position


def _is_stored_at(stored: Sequence[Notification], position: int, event: Any) -> bool:
    """Whether ``stored``, the store's read at ``position``, is ``event``."""
    return (
        bool(stored)
        and stored[0].id == position
        and str(stored[0].originator_id) == str(event.originator_id)
        and stored[0].originator_version == event.originator_version
    )
