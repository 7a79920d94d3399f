"""``volunteer-ledger serve``: the HTTP API (and, by default, the projection worker) in one process."""

from __future__ import annotations

from typing import Annotated

import typer

from application.demo import generate_year
from infrastructure.users import UserError, UserStore
from interfaces.cli.common import DatabaseUrl, console, errors, opened
from interfaces.cli.progress import progress_line


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the HTTP API. An empty store first gets the demo year; no users yet, an admin."""
    import uvicorn

    from interfaces.http.app import create_app

    with opened(database_url) as container:
        users = UserStore(container.store)
        if not container.ledger.current_position():
            console.print("empty store: recording the demo programme year first")
            with progress_line(console) as progress:
                generate_year(container.ledger, progress=progress)
        if not users.all():
            name = "admin"
            try:
                token = users.add(name, "admin")
            except UserError as e:
                errors.print(f"[red]error:[/red] {e}")
                raise typer.Exit(1) from None
            console.print(f"admin user [bold]{name}[/bold]; its bearer token (shown only now):")
            print(token, flush=True)
        console.print(f"API docs: http://{host}:{port}/docs   (Ctrl-C stops the service)")
        uvicorn.run(create_app(container), host=host, port=port, log_level="info")
