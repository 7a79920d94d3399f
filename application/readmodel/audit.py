"""Audit trail projection: every event indexed by aggregate, actor, type and time."""

from __future__ import annotations

from functools import cache
from typing import Any

from application.readmodel.base import PREFIX, Projection, iso, text
from application.readmodel.store import RowStore
from application.readmodel.tables import AUDIT_EVENT


@cache
def _kinds(topic: str) -> tuple[str, str]:
    """``volunteer-ledger:Volunteer.Registered`` → (``Volunteer``, ``Registered``)."""
    aggregate_type, _, event_type = topic.removeprefix(PREFIX).partition(".")
    return aggregate_type, event_type


class AuditProjection(Projection):
    name = "audit"
    weight = 5
    tables = (AUDIT_EVENT,)

    def apply(self, store: RowStore, event: Any, position: int) -> None:
        aggregate_type, event_type = _kinds(type(event).TOPIC)
        actor = getattr(event, "actor", None)
        store.upsert(
            AUDIT_EVENT,
            {
                "position": position,
                "aggregate_id": text(event.originator_id),
                "aggregate_version": event.originator_version,
                "aggregate_type": aggregate_type,
                "event_type": event_type,
                "actor_id": actor.user_id if actor else None,
                "actor_role": actor.role._value_ if actor else None,
                "correlation_id": actor.correlation_id if actor else None,
                "recorded_at": iso(event.timestamp),
            },
        )

    @classmethod
    def handled_topics(cls) -> frozenset[str]:
        from application.readmodel.base import event_topics

        return event_topics()
