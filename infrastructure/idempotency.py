"""Idempotency keys: one ``vl_idempotency`` row per (caller, key), in the events' database.

A row starts as an open *claim* (``status`` NULL) taken by the request that runs the
command, and is completed with the response (status and body) once it has one. A claim
holds a lease (``claimed_at``): a claim older than the lease is presumed orphaned (its
server died, or it failed with a 5xx) and may be taken over by exactly one retry.
The SQL is portable between SQLite and PostgreSQL (``?`` placeholders become ``%s``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infrastructure.sqlstore import SqlStore

IDEMPOTENCY_DDL = (
    "CREATE TABLE IF NOT EXISTS vl_idempotency ("
    "caller TEXT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL, "
    "status INTEGER, body TEXT, claimed_at TEXT NOT NULL, created_at TEXT NOT NULL, "
    "PRIMARY KEY (caller, idem_key))"
)
EXPIRED = "0000-01-01T00:00:00+00:00"  # a claimed_at that any lease has outlived


@dataclass(frozen=True)
class IdempotencyRecord:
    caller: str
    key: str
    request_hash: str
    status: int | None
    body: str | None
    claimed_at: str

    @property
    def done(self) -> bool:
        return self.status is not None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _record(row: tuple[Any, ...]) -> IdempotencyRecord:
    """A record from its columns: caller, key, request hash, status, body, claimed_at."""
    c, k, h, status, body, claimed_at = row
    return IdempotencyRecord(
        str(c),
        str(k),
        str(h),
        None if status is None else int(status),
        None if body is None else str(body),
        str(claimed_at),
    )


class IdempotencyStore:
    """Claim a key, complete it with a response, release or expire a claim, take over one."""

    def __init__(self, store: SqlStore, *, lease_seconds: float = 30.0) -> None:
        self.store = store
        self.lease = timedelta(seconds=lease_seconds)
        with store.transaction(ddl=True) as tx:
            tx.execute(IDEMPOTENCY_DDL)

    def claim(self, caller: str, key: str, request_hash: str) -> bool:
        """Take a fresh claim on ``key``; False when the key is already known."""
        now = _now()
        with self.store.transaction() as tx:
            inserted = tx.execute(
                "INSERT INTO vl_idempotency "
                "(caller, idem_key, request_hash, status, body, claimed_at, created_at) "
                "VALUES (?, ?, ?, NULL, NULL, ?, ?) ON CONFLICT (caller, idem_key) DO NOTHING",
                (caller, key, request_hash, now, now),
            )
        return inserted == 1

    def get(self, caller: str, key: str) -> IdempotencyRecord | None:
        rows = self.store.execute(
            "SELECT caller, idem_key, request_hash, status, body, claimed_at "
            "FROM vl_idempotency WHERE caller = ? AND idem_key = ?",
            (caller, key),
        )
        return _record(rows[0]) if rows else None

    def orphaned(self, record: IdempotencyRecord) -> bool:
        """An open claim whose lease has run out."""
        if record.done:
            return False
        if record.claimed_at == EXPIRED:
            return True
        claimed = datetime.fromisoformat(record.claimed_at)
        return datetime.now(UTC) - claimed > self.lease

    def take_over(self, record: IdempotencyRecord) -> bool:
        """Renew an orphaned claim's lease; True for the one caller that wins it."""
        with self.store.transaction() as tx:
            won = tx.execute(
                "UPDATE vl_idempotency SET claimed_at = ? "
                "WHERE caller = ? AND idem_key = ? AND status IS NULL AND claimed_at = ?",
                (_now(), record.caller, record.key, record.claimed_at),
            )
        return won == 1

    def complete(self, caller: str, key: str, status: int, body: str) -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "UPDATE vl_idempotency SET status = ?, body = ? WHERE caller = ? AND idem_key = ?",
                (status, body, caller, key),
            )

    def release(self, caller: str, key: str) -> None:
        """Forget an open claim (nothing was recorded): the key may be used again."""
        with self.store.transaction() as tx:
            tx.execute(
                "DELETE FROM vl_idempotency WHERE caller = ? AND idem_key = ? AND status IS NULL",
                (caller, key),
            )

    def expire(self, caller: str, key: str) -> None:
        """Mark an open claim orphaned at once (its outcome is unknown: check before rerunning)."""
        with self.store.transaction() as tx:
            tx.execute(
                "UPDATE vl_idempotency SET claimed_at = ? "
                "WHERE caller = ? AND idem_key = ? AND status IS NULL",
                (EXPIRED, caller, key),
            )
