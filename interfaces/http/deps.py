"""Dependencies shared by the routers: the container, fresh read models, paging, If-Match."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from application.readmodel.queries import ReadModels
from infrastructure.bootstrap import Container
from interfaces.http.problems import Problem

READ_WAIT_SECONDS = 5.0


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def read_models(
    container: ContainerDep,
    min_position: Annotated[
        int | None,
        Query(ge=0, description="Answer only once the read models reflect this log position."),
    ] = None,
) -> ReadModels:
    """The projections, after waiting (up to 5 s, else 503) for ``min_position`` if given."""
    if min_position:
        container.wait_for(min_position, timeout=READ_WAIT_SECONDS)
    return container.read_models()


Reads = Annotated[ReadModels, Depends(read_models)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page.")]

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='`"<version>"`: write only if the record is still at that version, '
            "else 412."
        ),
    ] = None,
) -> int | None:
    if if_match is None:
        return None
    found = _ETAG.match(if_match)
    if not found:
        raise Problem(
            422,
            "validation",
            "Invalid request",
            f'If-Match {if_match!r} must be a quoted version number such as "3"',
            errors=[{"field": "If-Match", "message": 'expected "<version>"'}],
        )
    return int(found.group(1))


IfMatch = Annotated[int | None, Depends(expected_version)]
