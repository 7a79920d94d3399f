"""``volunteer-ledger projections run|status|rebuild``: keep, inspect and rebuild the read models."""

from __future__ import annotations

import signal
import threading
import time
from typing import Annotated

import typer
from rich.table import Table

from application.readmodel.base import Projection
from application.readmodel.catalogue import all_projections, projection_names
from infrastructure.bootstrap import Container
from infrastructure.rebuild import Status
from infrastructure.rebuild import rebuild as rebuild_projection
from infrastructure.rebuild import status as projection_status
from interfaces.cli.common import DatabaseUrl, console, errors, fail, opened

app = typer.Typer(help="Keep the read models up to date, inspect them, rebuild them.")


@app.command()
def run(
    database_url: DatabaseUrl = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 2000,
    poll_interval: Annotated[float, typer.Option(min=0.01, help="Seconds between polls.")] = 0.5,
    once: Annotated[bool, typer.Option(help="Catch up to the head, then exit.")] = False,
) -> None:
    """Run the projection worker (LISTEN/NOTIFY on PostgreSQL, polling on SQLite) until stopped."""
    with opened(database_url) as container:
        runner = container.runner(batch_size=batch_size, poll_interval=poll_interval)
        if once:
            started = time.perf_counter()
            read = runner.catch_up()
            console.print(f"caught up: {read:,} events in {time.perf_counter() - started:.2f} s")
            _show(container)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        console.print("projections running; Ctrl-C stops them")
        checkpointer = container.checkpointer()
        checkpointer.start()
        try:
            runner.run(stop)
        finally:
            checkpointer.close()


@app.command()
def status(database_url: DatabaseUrl = None) -> None:
    """Each projection's position, lag behind the log and any error that stopped it.

    Exits 1 when a projection is failing (stopped on an event it cannot apply)."""
    with opened(database_url) as container:
        container.runner  # noqa: B018 - opening the runner creates missing tables
        if _show(container):
            raise typer.Exit(1)


@app.command()
def rebuild(
    name: Annotated[str | None, typer.Argument(help="One projection; all when omitted.")] = None,
    database_url: DatabaseUrl = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 5000,
) -> None:
    """Rebuild from position 0 alongside the live tables, then switch (readers never wait)."""
    chosen = _chosen(name)
    with opened(database_url) as container:
        for projection in all_projections(container.rulebook):
            if projection.name in chosen:
                _rebuild_one(container, projection, batch_size)
        _show(container)


def _chosen(name: str | None) -> list[str]:
    """The projection named, or all of them; an unknown name exits 2 listing the known."""
    chosen = [n for n in projection_names() if name in (None, n)]
    if not chosen:
        raise fail(f"no projection {name!r}; known: {', '.join(projection_names())}")
    return chosen


def _rebuild_one(container: Container, projection: Projection, batch_size: int) -> None:
    started = time.perf_counter()
    position = rebuild_projection(
        container.ledger, container.store, projection, batch_size=batch_size
    )
    console.print(
        f"rebuilt {projection.name} to position {position:,} "
        f"in {time.perf_counter() - started:.2f} s"
    )


@app.command()
def snapshot(
    database_url: DatabaseUrl = None,
    every: Annotated[
        int | None,
        typer.Option(min=10, help="Log positions between checkpoints ($VL_CHECKPOINT_EVERY)."),
    ] = None,
) -> None:
    """Take the due checkpoints of the read models (the worker does so when running): a
    time-travel read then replays only the events after the latest one below its cut."""
    with opened(database_url) as container:
        container.runner  # noqa: B018 - opening the runner creates missing tables
        step = every or container.settings.checkpoint_every
        checkpoints = container.as_of.checkpoints
        started = time.perf_counter()
        taken = checkpoints.take(container.ledger, every=step)
        for t in taken:
            console.print(
                f"checkpoint at {t.position:,}: {t.rows:,} rows in {t.tables} tables, "
                f"{t.stored_bytes:,} bytes, {t.replayed:,} events applied, {t.seconds:.2f} s"
            )
        kept = checkpoints.positions()
        console.print(
            f"{len(taken)} taken in {time.perf_counter() - started:.2f} s; "
            f"{len(kept)} kept, the latest at {kept[-1] if kept else 0:,} "
            f"(every {step:,} positions, up to {checkpoints.ceiling(container.ledger):,})"
        )


def _show(container: Container) -> list[str]:
    """Print the status table; return the names of the failing projections."""
    rows = projection_status(container.ledger, container.store)
    console.print(_status_table(rows))
    failing = [row.projection for row in rows if row.error]
    if failing:
        errors.print(f"[red]failing:[/red] {', '.join(failing)} (rebuild to clear, once fixed)")
    return failing


def _status_table(rows: list[Status]) -> Table:
    table = Table("projection", "state", "position", "head", "lag", "generation", "error")
    for row in rows:
        table.add_row(
            row.projection,
            "[red]failing[/red]" if row.error else "ok",
            f"{row.position:,}",
            f"{row.head:,}",
            f"{row.lag:,}",
            str(row.generation),
            row.error or "",
        )
    return table
