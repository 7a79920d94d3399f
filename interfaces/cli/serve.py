"""``volunteer-ledger serve``: the HTTP API (and, by default, the projection worker).

One API process by default, with the projection worker in a background thread. With
``--workers N`` (or ``VL_HTTP_WORKERS``) uvicorn runs N API processes on one port; they
share nothing but the store (each listens on its own socket, see
:mod:`interfaces.cli.listeners`), and the projection worker (when ``VL_RUN_PROJECTIONS`` is
true) runs once, in the supervising process, instead of in each of them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from demo import generate_year
from domain.values import Actor, Role
from infrastructure.accounts import Accounts
from infrastructure.bootstrap import Container
from infrastructure.seal_head import seal_chain
from infrastructure.sealing import generate_key, load_private_key, trusted_keys
from infrastructure.users import UserError, UserStore
from interfaces.cli.common import DatabaseUrl, console, exits_on, opened
from interfaces.cli.progress import progress_line


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="API processes; default: $VL_HTTP_WORKERS or 1."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the HTTP API. An empty store first gets the demo year; no users yet, an admin."""
    with opened(database_url) as container:
        if not container.ledger.current_position():
            _record_demo_year(container)
        if not UserStore(container.store).all():
            _add_first_admin(container)
        console.print(f"office console: http://{host}:{port}/   (Ctrl-C stops the service)")
        console.print(f"API docs: http://{host}:{port}/docs")
        workers = workers or container.settings.http_workers
        if workers == 1:
            _serve_in_this_process(container, host, port)
        else:
            _serve_in_workers(container, workers, host, port)


def _record_demo_year(container: Container) -> None:
    console.print("empty store: recording the demo programme year first")
    with progress_line(console) as progress:
        generate_year(container.ledger, progress=progress)
    _seal_demo(container)


def _add_first_admin(container: Container) -> None:
    """The first admin, its bearer token and console password each in an owner-only file."""
    name = "admin"
    with exits_on(UserError, code=1):
        token = UserStore(container.store).add(name, "admin")
    settings = container.settings
    path = write_secret(
        settings.admin_token_path or settings.seal_key_path.parent / "admin-token", token
    )
    password_file = _console_password(container, name)
    # Plain print: a wrapped path could not be copied (or found by a script).
    print(
        f"admin user {name}; its bearer token is in {path} (readable only by you: "
        "copy it somewhere safe, then delete the file)",
        flush=True,
    )
    print(
        f"office console sign-in: user {name}, password in {password_file} "
        f"(readable only by you; change it with `volunteer-ledger users passwd {name}`)",
        flush=True,
    )


def _serve_in_this_process(container: Container, host: str, port: int) -> None:
    """One API process, the projection worker in its background thread."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from interfaces.http.app import create_app
    from interfaces.http.serving import uvicorn_config

    config = uvicorn_config(create_app(container), container.settings, host=host, port=port)
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # as uvicorn.run: a clean stop
        server.run()
    if not server.started:
        raise typer.Exit(STARTUP_FAILURE)


def _serve_in_workers(container: Container, workers: int, host: str, port: int) -> None:
    """``workers`` API processes on one port; the projection worker runs here, once."""
    from interfaces.cli.listeners import run_workers

    # The API processes bootstrap from the environment (spawned, not forked): give them
    # this store, and leave the projections to this process.
    os.environ["VL_DATABASE_URL"] = container.settings.database_url
    os.environ["VL_RUN_PROJECTIONS"] = "false"
    with _projections_here(container):
        run_workers(
            "interfaces.http.app:app_from_env",
            workers=workers,
            host=host,
            port=port,
            settings=container.settings,
        )


@contextlib.contextmanager
def _projections_here(container: Container) -> Iterator[None]:
    """The projection worker running in this process for the block (if VL_RUN_PROJECTIONS)."""
    from interfaces.http.app import ProjectionThread

    if not container.settings.run_projections:
        yield
        return
    projections = ProjectionThread(container)
    projections.start()
    try:
        yield
    finally:
        projections.close()


def _console_password(container: Container, name: str) -> Path:
    """A random console password for the first admin, written to an owner-only file beside
    the seal key (not printed: terminals and CI logs are kept)."""
    password = secrets.token_urlsafe(12)
    Accounts(container.store).set_password(name, password)
    path = container.settings.seal_key_path.parent / "admin-console-password.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    path.chmod(0o600)  # also when the file was already there with wider rights
    return path


def write_secret(path: Path, secret: str) -> Path:
    """``secret`` in a new file at ``path`` that only its owner may read (mode 0600, set as
    it is created, so it is never readable by others); an older file there is replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return path.resolve()


def _seal_demo(container: Container) -> None:
    """Give the demo year a seal, so `/audit/verify` shows one (a key is made if none)."""
    path = container.settings.seal_key_path
    key = load_private_key(path) if path.exists() else generate_key(path)
    actor = Actor("demo-setup", Role.ADMIN, f"serve-{uuid.uuid4()}")
    sealed = seal_chain(container.ledger, key, actor, trusted=trusted_keys(container.settings))
    console.print(f"demo year sealed at position {sealed.sealed_position} with key {path}")
