"""Audit trail projection: every event indexed by aggregate, actor, type and time."""

from __future__ import annotations

from functools import cache
from typing import Any

from application.readmodel.base import EventHeader, Projection, UnhandledEvent
from application.readmodel.events import PREFIX, event_topics, full_event_topics
from application.readmodel.store import RowStore
from application.readmodel.tables import AUDIT_EVENT
from application.readmodel.values import text


@cache
def _kinds(topic: str) -> tuple[str, str]:
    """``volunteer-ledger:Volunteer.Registered`` → (``Volunteer``, ``Registered``)."""
    aggregate_type, _, event_type = topic.removeprefix(PREFIX).partition(".")
    return aggregate_type, event_type


class AuditProjection(Projection):
    name = "audit"
    weight = 4
    tables = (AUDIT_EVENT,)
    headers_only = True

    def apply(self, store: RowStore, event: Any, position: int) -> None:
        header = event if type(event) is EventHeader else EventHeader.of(event)
        topic = header.topic
        if topic not in full_event_topics():
            raise UnhandledEvent(self.name, position, topic)
        aggregate_type, event_type = _kinds(topic)
        store.add(
            AUDIT_EVENT,
            (
                position,
                text(header.originator_id),
                header.originator_version,
                aggregate_type,
                event_type,
                header.actor_id,
                header.actor_role,
                header.correlation_id,
                header.recorded_at,
                header.request_id or None,
            ),
        )

    @classmethod
    def handled_topics(cls) -> frozenset[str]:
        return event_topics()
