"""A registration in a process of its own, held at a barrier until its rival is ready to save.

Run by ``multiprocessing`` (spawn) from test_concurrency_postgres.py: the child imports
this module, so it holds no test code.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from application.commands.people import RegisterVolunteer
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from domain.values import PersonType
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings
from tests.support.builders import STAFF


class _HeldLedger(VolunteerLedger):
    name = VolunteerLedger.name  # same event table as the service
    barrier: Any

    def record(self, *aggregates: Aggregate) -> int:
        # Both processes have decided the id is free before either saves.
        self.barrier.wait(timeout=120)
        return super().record(*aggregates)


def register(settings_json: str, national_id: str, name: str, barrier: Any) -> dict[str, Any]:
    """Register one volunteer; the outcome as plain data (the parent compares them)."""
    # The parent made the tables: two processes making them at once deadlock in PostgreSQL
    # (the service's bootstrap serialises that; this bare ledger would not).
    settings = Settings.model_validate_json(settings_json).model_copy(
        update={"create_event_tables": False}
    )
    ledger = _HeldLedger(
        rulebook=load_rulebook(),
        env=event_store_env(settings),
        transcodings=ledger_transcodings(),
    )
    ledger.barrier = barrier
    try:
        recorded = ledger.register_volunteer(
            RegisterVolunteer(
                name=name,
                national_id=national_id,
                phone="13800000000",
                person_type=PersonType.VETERAN,
                township="巴彦镇",
                skills=[],
            ),
            actor=STAFF,
        )
        return {"id": str(recorded.id)}
    except DomainError as e:
        return {"rule": e.rule, **e.details}
    finally:
        ledger.close()
