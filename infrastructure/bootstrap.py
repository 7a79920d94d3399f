"""The composition root: build the application, read models and runner once per process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from application.base import Clock, utc_now
from application.errors import StoreUnavailable
from application.ledger import VolunteerLedger
from application.readmodel.catalogue import all_projections
from application.readmodel.queries import ReadModels
from application.readmodel.review import annual_review
from domain.rulebook import Rulebook
from infrastructure.audit import chain_at
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.runner import ProjectionRunner
from infrastructure.settings import Settings
from infrastructure.sqlstore import DDL_LOCK, SqlStore
from infrastructure.transcodings import ledger_transcodings


class ReadModelsBehind(Exception):
    """The read models did not reach the requested position in time."""

    def __init__(self, wanted: int, reached: int, waited: float) -> None:
        super().__init__(
            f"read models reached position {reached}, not {wanted}, within {waited:.1f} s"
        )
        self.wanted = wanted
        self.reached = reached


@dataclass
class Container:
    settings: Settings
    rulebook: Rulebook
    ledger: VolunteerLedger
    _store: SqlStore | None = field(default=None, repr=False)

    @property
    def store(self) -> SqlStore:
        """The read-model store (opened on first use)."""
        if self._store is None:
            self._store = SqlStore(self.settings, pool_size=self.settings.postgres_pool_size)
        return self._store

    def read_models(self) -> ReadModels:
        return ReadModels(self.store, self.rulebook)

    def runner(self, *, batch_size: int = 2000, poll_interval: float = 0.5) -> ProjectionRunner:
        return ProjectionRunner(
            self.ledger,
            self.store,
            all_projections(self.rulebook),
            batch_size=batch_size,
            poll_interval=poll_interval,
            listen_url=self.settings.database_url if self.settings.is_postgres else None,
        )

    def read_position(self) -> int:
        """The position every read model has reached (the slowest one's)."""
        positions = [t["position"] for t in self.store.tracking().values()]
        return min(positions) if positions else 0

    def wait_for(self, position: int, timeout: float = 5.0) -> int:
        """Read-your-writes: wait (bounded) until the read models reach ``position``."""
        started = time.monotonic()
        delay = 0.005
        while (reached := self.read_position()) < position:
            waited = time.monotonic() - started
            if waited >= timeout:
                raise ReadModelsBehind(position, reached, waited)
            time.sleep(min(delay, timeout - waited))
            delay = min(delay * 2, 0.1)
        return reached

    def review(self, year: int, *, upto: int | None = None) -> dict[str, Any]:
        """The annual review, with the chain head at its cut and the seal covering it."""
        return annual_review(
            self.ledger,
            self.rulebook,
            year,
            upto=upto,
            chain=lambda cut: chain_at(self.ledger, cut),
        )

    def close(self) -> None:
        self.ledger.close()
        if self._store is not None:
            self._store.close()


def bootstrap(settings: Settings | None = None, *, clock: Clock = utc_now) -> Container:
    settings = settings or Settings()
    rulebook = load_rulebook(settings.rulebook_path)
    with _schema_changes_serialised(settings):
        ledger = VolunteerLedger(
            rulebook=rulebook,
            env=event_store_env(settings),
            transcodings=ledger_transcodings(),
            clock=clock,
        )
    return Container(settings=settings, rulebook=rulebook, ledger=ledger)


@contextmanager
def _schema_changes_serialised(settings: Settings) -> Iterator[None]:
    """PostgreSQL: processes starting at once create the event tables one at a time
    (concurrent CREATE TABLE IF NOT EXISTS fails with "tuple concurrently updated")."""
    if not settings.is_postgres:
        yield
        return
    try:
        conn = psycopg.connect(
            settings.database_url,
            autocommit=True,
            connect_timeout=settings.postgres_connect_timeout_seconds,
        )
    except psycopg.OperationalError as e:
        raise StoreUnavailable(f"the event store is unavailable: {e}") from e
    with conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))
