"""What every command shares: settings from options, a container, errors a person can act on."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
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
    """The settings from the environment, with ``--database-url`` over $VL_DATABASE_URL."""
    try:
        return Settings(database_url=database_url) if database_url else Settings()
    except ValidationError as e:
        raise fail(f"invalid settings: {_messages(e)}") from None


def _messages(error: ValidationError) -> str:
    return "; ".join(str(each["msg"]) for each in error.errors())


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message``; raise what this returns to end the command with ``code``
    (2: the command line was wrong; 1: the store or the ledger refused)."""
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@contextmanager
def exits_on(*kinds: type[Exception], code: int) -> Iterator[None]:
    """An error of ``kinds`` inside the block ends the command as ``fail(str(error), code)``:
    a message a person can act on instead of a traceback."""
    try:
        yield
    except kinds as e:
        raise fail(str(e), code) from None


def require_output(output: Path | None, format: str, needing: str) -> None:
    """A document other than JSON goes to a file: without ``--output`` it exits 2."""
    if output is None and format != "json":
        raise fail(f"--output FILE is needed for {needing}")


def deliver(data: bytes, output: Path | None, position: int) -> None:
    """The document to ``output``, saying so on standard error; to standard output when no
    file is named."""
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    errors.print(f"wrote {output} ({len(data)} bytes, log position {position})")


@contextmanager
def opened(database_url: str | None) -> Iterator[Container]:
    """A container for the chosen store, closed afterwards; an unreachable store exits 1."""
    settings = settings_from(database_url)
    with exits_on(StoreUnavailable, code=1):
        container = bootstrap(settings)
        with closing(container):
            yield container
