"""``volunteer-ledger review YEAR``: replay history and print the year's review."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated

import typer

from application.readmodel.replay import position_known_at
from application.readmodel.review import review_csv, review_json
from interfaces.cli.common import DatabaseUrl, errors, opened


class Format(StrEnum):
    json = "json"
    csv = "csv"


def review(
    year: Annotated[int, typer.Argument(min=2000, max=2100, help="The service year.")],
    known_at: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"],
            help="Count only events recorded up to this time (RFC 3339 with offset, or a date).",
        ),
    ] = None,
    as_of_position: Annotated[int | None, typer.Option(min=0, help="Cut the log here.")] = None,
    format: Annotated[Format, typer.Option("--format", help="json or csv")] = Format.json,
    database_url: DatabaseUrl = None,
) -> None:
    """The annual review, replayed from the log: the same cut gives byte-identical output."""
    if known_at is not None and as_of_position is not None:
        errors.print("[red]error:[/red] give --known-at or --as-of-position, not both")
        raise typer.Exit(2)
    with opened(database_url) as container:
        upto = as_of_position
        if known_at is not None:
            if known_at.tzinfo is None:  # a bare date: the end of that day in local time
                offset = container.rulebook.latest.utc_offset
                known_at = known_at.replace(tzinfo=timezone(offset)) + timedelta(
                    days=1, microseconds=-1
                )
            upto = position_known_at(container.ledger, known_at)
        result = container.review(year, upto=upto)
        text = review_json(result) if format is Format.json else review_csv(result)
        sys.stdout.write(text)
