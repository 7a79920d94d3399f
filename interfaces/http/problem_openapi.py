"""What the OpenAPI document says about problem answers: their schema, what each status
means here, and which statuses each route can answer with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from interfaces.http.problem_document import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
_MEANINGS = {
    400: "The request cannot be read.",
    401: "No bearer token, or one that is not valid.",
    403: "The caller's role or scope does not allow it.",
    404: "No such record.",
    409: "A rule of the programme refuses it, or someone else changed the record first; "
    "nothing was recorded.",
    412: "`If-Match` names a version the record is no longer at; nothing was recorded.",
    413: "The body is larger than its limit; nothing was recorded.",
    415: "The body's media type is not one the operation reads.",
    422: "A field is invalid or missing (`errors` names each field and the rule); "
    "nothing was recorded.",
    429: "Too many attempts; try again after `Retry-After` seconds.",
    503: "The store or the read models are unavailable or busy; try again after "
    "`Retry-After` seconds.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for problem documents of ``statuses`` (FastAPI ``responses=``)."""
    return {
        status: {
            "description": _MEANINGS[status],
            "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def _parameters(dependant: Dependant) -> tuple[set[str], set[str]]:
    """The path and header parameters a route reads, its dependencies' included."""
    path: set[str] = set()
    headers: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        path |= {p.alias for p in current.path_params}
        headers |= {p.alias.lower() for p in current.header_params}
        stack.extend(current.dependencies)
    return path, headers


def document(router: APIRouter) -> None:
    """Add to every route of an API router the problem documents it can answer with."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            _declare(route, _statuses(route))


def _statuses(route: APIRoute) -> list[int]:
    """Every route 401, 403, 422 and 503; one with a path id or a write 404; a write 409 and
    413; one reading ``If-Match`` 412. The rest (415) are declared on their routes."""
    path, headers = _parameters(route.dependant)
    statuses = [401, 403, 422, 503]
    write = bool((route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"})
    if path or write:  # a write may name records in its body too (a team, a station)
        statuses.append(404)
    if write:
        statuses += [409, 413]
    if "if-match" in headers:
        statuses.append(412)
    return statuses


def _declare(route: APIRoute, statuses: list[int]) -> None:
    """The problem documents of ``statuses`` among the route's responses; the route's own
    words come first."""
    for status, entry in problem_responses(*statuses).items():
        declared = route.responses.get(status, {})
        content = {**entry["content"], **declared.get("content", {})}
        route.responses[status] = {**entry, **declared, "content": content}
