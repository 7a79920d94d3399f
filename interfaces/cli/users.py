"""``volunteer-ledger users add|list|revoke``: who may call the HTTP API, with which role."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from infrastructure.accounts import MIN_PASSWORD_LENGTH, Accounts
from infrastructure.users import UserError, UserStore
from interfaces.cli.common import DatabaseUrl, console, exits_on, fail, opened

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
    password: Annotated[
        bool, typer.Option("--password", help="Also ask for a password for the office console.")
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the console password from stdin.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a user and print its bearer token — once: only a hash of it is stored."""
    scope = _scope(township, team)
    secret = _asked_password(password, password_stdin)
    with opened(database_url) as container, exits_on(UserError, code=2):
        token = UserStore(container.store).add(name, role.value, scope)
        if secret is not None:
            Accounts(container.store).set_password(name, secret)
    signed = "; it may sign in to the office console" if secret is not None else ""
    console.print(f"user {name} ({role.value}) added{signed}; its token (shown only now):")
    print(token)


def _scope(township: str | None, team: str | None) -> str | None:
    """The township or the team the user writes for (none for a role with no scope)."""
    if township and team:
        raise fail("give --township or --team, not both")
    return township or team


def _asked_password(password: bool, password_stdin: bool) -> str | None:
    """The console password, when one of --password and --password-stdin asks for it."""
    if not (password or password_stdin):
        return None
    return _read_password(password_stdin)


@app.command()
def passwd(
    name: Annotated[str, typer.Argument(help="The user whose console password is set.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Set or change a user's office console password (its open sessions end)."""
    secret = _read_password(password_stdin)
    with opened(database_url) as container, exits_on(UserError, code=2):
        Accounts(container.store).set_password(name, secret)
    console.print(f"user {name}: password set")


def _read_password(from_stdin: bool) -> str:
    """One line from stdin, or asked twice without echo; too short exits 2 before any change."""
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise fail(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return secret


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
            raise fail(f"no user {name!r}")
    console.print(f"user {name} revoked")
