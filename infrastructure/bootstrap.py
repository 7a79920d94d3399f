"""The composition root: build the application (and later projections) once per process."""

from __future__ import annotations

from dataclasses import dataclass

from application.base import Clock, utc_now
from application.ledger import VolunteerLedger
from domain.rulebook import Rulebook
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings


@dataclass
class Container:
    settings: Settings
    rulebook: Rulebook
    ledger: VolunteerLedger

    def close(self) -> None:
        self.ledger.close()


def bootstrap(settings: Settings | None = None, *, clock: Clock = utc_now) -> Container:
    settings = settings or Settings()
    rulebook = load_rulebook(settings.rulebook_path)
    ledger = VolunteerLedger(
        rulebook=rulebook,
        env=event_store_env(settings),
        transcodings=ledger_transcodings(),
        clock=clock,
    )
    return Container(settings=settings, rulebook=rulebook, ledger=ledger)
