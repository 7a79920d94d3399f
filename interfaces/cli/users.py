"""``volunteer-ledger users add|list|revoke``: who may call the HTTP API, with which role."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from infrastructure.users import UserError, UserStore
from interfaces.cli.common import DatabaseUrl, console, errors, opened

app = typer.Typer(help="Issue, list and revoke the bearer tokens of API users.")


class RoleName(StrEnum):
    admin = "admin"
    station_staff = "station_staff"
    team_leader = "team_leader"
    auditor = "auditor"


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="The user name (recorded as the actor of commands).")],
    role: Annotated[RoleName, typer.Option(help="What the user may do.")],
    township: Annotated[
        str | None, typer.Option(help="station_staff: the township it writes for.")
    ] = None,
    team: Annotated[
        str | None, typer.Option(help="team_leader: the team id it writes for.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a user and print its bearer token — once: only a hash of it is stored."""
    if township and team:
        errors.print("[red]error:[/red] give --township or --team, not both")
        raise typer.Exit(2)
    with opened(database_url) as container:
        try:
            token = UserStore(container.store).add(name, role.value, township or team)
        except UserError as e:
            errors.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2) from None
    console.print(f"user {name} ({role.value}) added; its token (shown only now):")
    print(token)


@app.command(name="list")
def list_users(database_url: DatabaseUrl = None) -> None:
    """List users, their roles, scopes and whether they are revoked."""
    with opened(database_url) as container:
        table = Table("name", "role", "scope", "revoked", "created_at")
        for user in UserStore(container.store).all():
            table.add_row(
                user.name,
                user.role,
                user.scope or "",
                "yes" if user.revoked else "",
                user.created_at,
            )
        console.print(table)


@app.command()
def revoke(
    name: Annotated[str, typer.Argument(help="The user whose token stops working.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a user's token: from now on its requests get 401."""
    with opened(database_url) as container:
        if not UserStore(container.store).revoke(name):
            errors.print(f"[red]error:[/red] no user {name!r}")
            raise typer.Exit(2)
    console.print(f"user {name} revoked")
