"""``volunteer-ledger review YEAR``: replay history and print the year's review."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from application.readmodel.audit.review import review_json
from application.readmodel.replay import position_known_at
from infrastructure.bootstrap import Container
from interfaces.cli.common import DatabaseUrl, deliver, fail, opened, require_output
from interfaces.documents.review import report_order, review_csv_zip, review_pdf, review_xlsx


class Format(StrEnum):
    json = "json"
    csv = "csv"  # a zip: one CSV per section, each with a UTF-8 BOM
    pdf = "pdf"
    xlsx = "xlsx"


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
    format: Annotated[
        Format, typer.Option("--format", help="json, csv (a zip of one CSV per section), pdf, xlsx")
    ] = Format.json,
    output: Annotated[
        Path | None, typer.Option(help="Write here (json may go to standard output).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The annual review, replayed from the log: the same cut gives byte-identical output."""
    require_output(output, format, "csv, pdf and xlsx")
    if known_at is not None and as_of_position is not None:
        raise fail("give --known-at or --as-of-position, not both")
    with opened(database_url) as container:
        upto = as_of_position if known_at is None else _position_known_at(container, known_at)
        result = container.review(year, upto=upto)
        data = _rendered(result, format)
    deliver(data, output, result["position"])


DOCUMENTS = {Format.csv: review_csv_zip, Format.pdf: review_pdf, Format.xlsx: review_xlsx}


def _rendered(result: dict[str, Any], format: Format) -> bytes:
    """The review as JSON (as replayed), or as a document in the report's order."""
    if format is Format.json:
        return review_json(result).encode("utf-8")
    return DOCUMENTS[format](report_order(result))


def _position_known_at(container: Container, known_at: datetime) -> int:
    """The log position as known at ``known_at``; a bare date means the end of that day in
    the rulebook's local time."""
    if known_at.tzinfo is None:
        offset = container.rulebook.latest.utc_offset
        known_at = known_at.replace(tzinfo=timezone(offset)) + timedelta(days=1, microseconds=-1)
    return position_known_at(container.ledger, known_at)
