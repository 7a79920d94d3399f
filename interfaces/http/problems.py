"""The one place where errors become HTTP responses: ``application/problem+json`` (RFC 9457).

Each mapping names a ``type`` under :data:`PROBLEM_BASE`, a short ``title``, the
``status`` and a ``detail`` a person can act on. Unexpected errors become a bare 500
that leaks nothing of the internals (they are logged instead).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
import psycopg_pool
from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.errors import (
    AuditMismatch,
    BulkRejected,
    ConcurrencyConflict,
    NotADecision,
    NotAnAward,
    NotFound,
    RowError,
    StoreUnavailable,
    UnknownReference,
    VersionMismatch,
)
from domain.errors import DomainError, InvalidValue
from infrastructure.asof import Busy
from infrastructure.bootstrap import ReadModelsBehind
from interfaces.http.rule_text import BUSY_ZH, REQUEST_RULES, detail_zh, validation_zh

PROBLEM_BASE = "https://volunteer-ledger.example/problems"
MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "2"

log = logging.getLogger("volunteer_ledger.http")


class Problem(Exception):
    """Raise from an endpoint to answer with a problem document."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    kind: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": f"{PROBLEM_BASE}/{kind}", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


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
    """Add to every route of an API router the problem documents it can answer with: every
    one 401, 403, 422 and 503; one with a path id or a write 404; a write 409 and 413; one reading
    ``If-Match`` 412. The rest (415) are declared on their routes."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        path, headers = _parameters(route.dependant)
        statuses = [401, 403, 422, 503]
        write = bool((route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"})
        if path or write:  # a write may name records in its body too (a team, a station)
            statuses.append(404)
        if write:
            statuses += [409, 413]
        if "if-match" in headers:
            statuses.append(412)
        for status, entry in problem_responses(*statuses).items():
            declared = route.responses.get(status, {})  # the route's own words come first
            content = {**entry["content"], **declared.get("content", {})}
            route.responses[status] = {**entry, **declared, "content": content}


def _field(loc: tuple[int | str, ...] | list[int | str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    found = exc.errors()
    errors = [{"field": _field(e["loc"]), "message": str(e["msg"])} for e in found]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return problem_response(
        422,
        "validation",
        "Invalid request",
        f"the request has invalid or missing fields: {fields}",
        errors=errors,
        detail_zh=validation_zh([(_field(e["loc"]), str(e["type"]), str(e["msg"])) for e in found]),
    )


def wants_chinese(request: Request) -> bool:
    """``Accept-Language`` puts Chinese first (``zh``, ``zh-CN``, ``zh-Hans``…)."""
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return first.startswith("zh")


def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    chinese = detail_zh(exc.rule, str(exc), exc.message_zh)
    detail = chinese if wants_chinese(request) else str(exc)
    field = REQUEST_RULES.get(exc.rule)
    if field is not None:
        return problem_response(
            422,
            "validation",
            "Invalid request",
            detail,
            rule=exc.rule,
            detail_zh=chinese,
            errors=[{"field": field, "message": str(exc)}],
            **exc.details,
        )
    return problem_response(
        409,
        "rule-violation",
        "Rule violation",
        detail,
        rule=exc.rule,
        detail_zh=chinese,
        **exc.details,
    )


def _invalid(_: Request, exc: Exception) -> JSONResponse:
    """A malformed value the domain refused (one the schema let through, or from a route
    without one): the request's fault, so 422 naming the field, like a schema's refusal."""
    assert isinstance(exc, InvalidValue)
    return problem_response(
        422,
        "validation",
        "Invalid request",
        str(exc),
        rule=exc.rule,
        detail_zh=f"{exc.field}：{detail_zh(exc.rule, str(exc), exc.message_zh)}",
        errors=[{"field": exc.field, "message": str(exc)}],
    )


def _row_zh(error: RowError) -> str:
    """One bad row in Chinese: its rule's sentence, else the field and the English detail."""
    if error.rule is not None:
        return detail_zh(error.rule, error.message, error.message_zh)
    if error.message_zh is not None:
        return error.message_zh
    return f"{error.field}：{error.message}"


def _bulk(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BulkRejected)
    errors = [
        {
            "field": f"rows[{e.line}].{e.field}",
            "message": e.message,
            "message_zh": _row_zh(e),
            "line": e.line,
        }
        for e in exc.errors
    ]
    shown = "；".join(
        (f"第 {e.line} 行 {e.field}：" if e.line else f"{e.field}：") + _row_zh(e)
        for e in exc.errors[:20]
    )
    more = f"（另有 {len(exc.errors) - 20} 处）" if len(exc.errors) > 20 else ""
    chinese = f"有 {len(exc.errors)} 处错误，未记录任何内容：{shown}{more}"
    return problem_response(
        422, "validation", "Invalid rows", str(exc), detail_zh=chinese, errors=errors
    )


def _conflict(_: Request, exc: Exception) -> JSONResponse:
    detail = str(exc) or "someone else changed the same record first; nothing was recorded"
    return problem_response(409, "conflict", "Write conflict", detail)


def _version(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VersionMismatch)
    return problem_response(
        412,
        "version-mismatch",
        "Precondition failed",
        str(exc),
        expected_version=exc.expected,
        current_version=exc.actual,
    )


def _not_found(_: Request, exc: Exception) -> JSONResponse:
    return problem_response(404, "not-found", "Not found", str(exc))


def _not_explained(field: str) -> Any:
    def handle(_: Request, exc: Exception) -> JSONResponse:
        detail = str(exc)
        return problem_response(
            422,
            "validation",
            "Invalid request",
            detail,
            errors=[{"field": field, "message": detail}],
        )

    return handle


def _unknown_reference(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownReference)
    return problem_response(
        422,
        "validation",
        "Invalid request",
        str(exc),
        errors=[{"field": exc.field, "message": str(exc)}],
    )


def _audit_mismatch(_: Request, exc: Exception) -> JSONResponse:
    log.error("audit mismatch: %s", exc)
    return problem_response(409, "audit-mismatch", "Audit mismatch", str(exc))


def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s", exc)
    return problem_response(
        503,
        "store-unavailable",
        "Store unavailable",
        "the store could not be reached; try again shortly",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
        detail_zh=f"暂时无法连接数据库，请{RETRY_AFTER_SECONDS}秒后重试",
    )


# Errors that say the store cannot be reached now: a 503 with Retry-After, wherever raised.
UNAVAILABLE: tuple[type[Exception], ...] = (
    StoreUnavailable,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    sqlite3.OperationalError,
)


class UnavailableGuard:
    """Answers 503 for a store error raised in a middleware (the idempotency keys, a token
    resolved before routing): exception handlers only see what routes raise, and anything
    else would be a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except UNAVAILABLE as e:
            if started or scope["type"] != "http":
                raise
            await _unavailable(Request(scope), e)(scope, receive, send)


def behind_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReadModelsBehind)
    return problem_response(
        503,
        "read-models-behind",
        "Read models behind",
        str(exc),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
        wanted_position=exc.wanted,
        reached_position=exc.reached,
        detail_zh=f"数据正在更新：读模型只到日志位置{exc.reached}，尚未到{exc.wanted}，"
        f"请{RETRY_AFTER_SECONDS}秒后重试",
    )


def busy_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Busy)
    return problem_response(
        503,
        "busy",
        "Busy",
        str(exc),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
        limit=exc.size,
        detail_zh=f"服务繁忙：本进程已有{exc.size}个{BUSY_ZH.get(exc.what, exc.what)}，"
        f"请{RETRY_AFTER_SECONDS}秒后重试",
    )


def _problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.status, exc.kind, exc.title, exc.detail, headers=exc.headers, **exc.extra
    )


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
    return problem_response(
        exc.status_code,
        "not-found" if exc.status_code == 404 else f"http-{exc.status_code}",
        titles.get(exc.status_code, "HTTP error"),
        str(exc.detail),
        headers=dict(exc.headers or {}),
    )


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem_response(
        500, "internal", "Internal error", "an unexpected error occurred; it has been logged"
    )


def install(app: FastAPI) -> None:
    """Register every mapping on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(InvalidValue, _invalid)
    app.add_exception_handler(BulkRejected, _bulk)
    app.add_exception_handler(ConcurrencyConflict, _conflict)
    app.add_exception_handler(VersionMismatch, _version)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(UnknownReference, _unknown_reference)
    app.add_exception_handler(NotAnAward, _not_explained("entry_id"))
    app.add_exception_handler(NotADecision, _not_explained("version"))
    app.add_exception_handler(AuditMismatch, _audit_mismatch)
    for unavailable in UNAVAILABLE:
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(ReadModelsBehind, behind_problem)
    app.add_exception_handler(Busy, busy_problem)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
