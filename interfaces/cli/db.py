"""``volunteer-ledger db init``: create the event store's tables as their owner."""

from __future__ import annotations

from infrastructure.audit import chained
from interfaces.cli.common import DatabaseUrl, console, opened


def init(database_url: DatabaseUrl = None) -> None:
    """Create the event and hash-chain tables (and their immutability triggers), then exit.

    Run it as the owning role; the service itself can then run as a role that may only
    INSERT and SELECT events (deploy/postgres/service-role.sql).
    """
    with opened(database_url) as container:
        recorder = chained(container.ledger)
        head = recorder.chain_head()
        console.print(
            f"event store ready: {container.ledger.current_position():,} events, chain table "
            f"{recorder.chain_table_name}, head {head.position if head else 0}"
        )
