"""``volunteer-ledger bulletin PERIOD``: the supervision bulletin as PDF, XLSX or JSON."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from infrastructure.bootstrap import Container
from interfaces.cli.common import DatabaseUrl, deliver, fail, opened, require_output
from interfaces.documents.bulletin import bulletin_at, bulletin_json, bulletin_pdf, bulletin_xlsx
from interfaces.http.routers.reports import PERIOD


class Format(StrEnum):
    json = "json"
    pdf = "pdf"
    xlsx = "xlsx"


class Level(StrEnum):
    township = "township"
    village = "village"


RENDER: dict[Format, Callable[[dict[str, Any]], bytes]] = {
    Format.pdf: bulletin_pdf,
    Format.xlsx: bulletin_xlsx,
    Format.json: lambda answer: bulletin_json(answer).encode("utf-8"),
}


def bulletin(
    period: Annotated[str, typer.Argument(help="`2022`, `2022-Q3` or `2022-07`.")],
    level: Annotated[Level, typer.Option(help="The station level ranked.")] = Level.township,
    format: Annotated[Format, typer.Option("--format", help="pdf, xlsx or json")] = Format.pdf,
    output: Annotated[
        Path | None, typer.Option(help="Write here (json may go to standard output).")
    ] = None,
    as_of_position: Annotated[int | None, typer.Option(min=0, help="Cut the log here.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The supervision bulletin (定期通报): the same period, level and cut give the same bytes."""
    if not PERIOD.fullmatch(period):
        raise fail(f"period {period!r}: give a year, 2022-Q3 or 2022-07")
    require_output(output, format, "pdf and xlsx")
    with opened(database_url) as container:
        _reach_the_cut(container, as_of_position)
        answer = bulletin_at(container, period, level.value, as_of_position)
        data = RENDER[format](answer)
    deliver(data, output, answer["position"])


def _reach_the_cut(container: Container, as_of_position: int | None) -> None:
    """No cut: the read models catch up to the log's head. A cut beyond the head exits 2."""
    head = container.ledger.current_position()
    if as_of_position is None:
        container.catch_up()
    elif as_of_position > head:
        raise fail(f"position {as_of_position} is beyond the head ({head})")
