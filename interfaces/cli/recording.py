"""What every recording command of the command line shares: the local user as the actor,
a refusal that exits 1 saying why, and the line printed for what was recorded."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from application.errors import NotFound, UnknownReference
from application.ledger import VolunteerLedger
from application.results import Recorded
from domain.errors import DomainError
from domain.values import Actor, Role
from interfaces.cli.common import console, errors, opened

Reason = Annotated[
    str, typer.Option("--reason", help="Why: kept in the event and the audit trail.")
]


def local_actor() -> Actor:
    """The local user, as an admin: who the command line records as the actor."""
    return Actor(f"cli:{getpass.getuser()}", Role.ADMIN, f"cli-{uuid.uuid4()}")


@contextmanager
def opened_ledger(database_url: str | None) -> Iterator[VolunteerLedger]:
    """The ledger; a refused command exits 1 saying why (nothing was recorded)."""
    with opened(database_url) as container:
        try:
            yield container.ledger
        except (DomainError, NotFound, UnknownReference) as e:
            errors.print(f"[red]refused:[/red] {e}")
            raise typer.Exit(1) from None


def record(
    database_url: str | None, what: str, command: Callable[[VolunteerLedger], Recorded]
) -> None:
    """Run ``command`` and print what it recorded: the id, version and log position."""
    with opened_ledger(database_url) as ledger:
        recorded = command(ledger)
    console.print(f"{what} {recorded.id}: version {recorded.version}, position {recorded.position}")
