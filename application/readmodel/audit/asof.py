"""As-of reads that need not replay the whole log.

A volunteer's point ledger is built only from that volunteer's own events (the ledger
projection ignores every other aggregate's), so its state at a cut is those events up to
the cut applied to an empty store. The audit trail's index on ``aggregate_id`` says which
events they are and at which positions, and the event store's primary key (originator id,
version) reads them: the cost grows with the volunteer's history, not with the log's
length (a replay from position 0 of a million-event log takes minutes).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.readmodel.projections.ledger import LedgerProjection
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.store import MemoryStore, Row, RowReader
from application.readmodel.tables import AUDIT_EVENT
from domain.rulebook import Rulebook

VOLUNTEER = "Volunteer"


def volunteer_ledger_at(
    app: Application[Any], live: RowReader, rulebook: Rulebook, volunteer_id: UUID, cut: int
) -> Row | None:
    """The volunteer's ledger as it stood at log position ``cut`` (None: not registered by
    then). ``live`` must hold the audit trail up to ``cut``."""
    found = live.select(
        AUDIT_EVENT,
        {"aggregate_id": str(volunteer_id), "aggregate_type": VOLUNTEER},
        between=("position", 1, cut + 1),
        order_by=("position",),
    )
    if not found:
        return None
    positions = {int(r["aggregate_version"]): int(r["position"]) for r in found}
    store = MemoryStore()
    projection = LedgerProjection(rulebook)
    for event in app.events.get(volunteer_id, lte=max(positions)):
        projection.apply(store, event, positions[event.originator_version])
    return ReadModels(store, rulebook).ledger(str(volunteer_id))
