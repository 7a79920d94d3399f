"""A one-line rich progress display that the demo generator reports into."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from demo import Progress as ProgressCallback

STAGES = {
    "volunteers": "registering volunteers",
    "year": "recording the year's activities",
    "year-end": "year-end corrections and decisions",
}


@contextmanager
def progress_line(console: Console) -> Iterator[ProgressCallback]:
    """Yield a ``progress(stage, done, total)`` callback drawing one transient line."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=None)
        current = ""

        def report(stage: str, done: int, total: int) -> None:
            nonlocal current
            if stage != current:
                current = stage
                bar.reset(task, total=total, description=STAGES.get(stage, stage))
            bar.update(task, completed=done, total=total)

        yield report
