"""What every command shares: settings from options, a container, errors a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from application.errors import StoreUnavailable
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import DEFAULT_DATABASE_URL, Settings

console = Console()
errors = Console(stderr=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help=f"Event store; default: $VL_DATABASE_URL or {DEFAULT_DATABASE_URL}.",
        show_default=False,
    ),
]


def settings_from(database_url: str | None) -> Settings:
    try:
        return Settings(database_url=database_url) if database_url else Settings()
    except ValidationError as e:
        messages = "; ".join(str(error["msg"]) for error in e.errors())
        errors.print(f"[red]error:[/red] invalid settings: {messages}")
        raise typer.Exit(2) from None


@contextmanager
def opened(database_url: str | None) -> Iterator[Container]:
    """A container for the chosen store, closed afterwards; an unreachable store exits 1."""
    settings = settings_from(database_url)
    try:
        container = bootstrap(settings)
    except StoreUnavailable as e:
        errors.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    try:
        yield container
    except StoreUnavailable as e:
        errors.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    finally:
        container.close()
