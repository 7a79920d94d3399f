"""The one place where errors become HTTP responses: ``application/problem+json`` (RFC 9457).

Each mapping names a ``type`` under
:data:`~interfaces.http.problem_document.PROBLEM_BASE`, a short ``title``, the
``status`` and a ``detail`` a person can act on. Unexpected errors become a bare 500
that leaks nothing of the internals (they are logged instead).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from application.errors import (
    AuditMismatch,
    BulkRejected,
    ConcurrencyConflict,
    NotADecision,
    NotAnAward,
    NotFound,
    RowError,
    UnknownReference,
    VersionMismatch,
)
from domain.errors import DomainError, InvalidValue
from infrastructure.asof import Busy
from infrastructure.bootstrap import ReadModelsBehind
from interfaces.http.problem_document import Problem, problem_response
from interfaces.http.rule_text import REQUEST_RULES, detail_zh, validation_zh
from interfaces.http.unavailable import (
    UNAVAILABLE,
    behind_problem,
    busy_problem,
    unavailable_problem,
)

# Pages, routers and middleware raise and build problems through this module.
__all__ = ["Problem", "install", "problem_response", "wants_chinese"]

log = logging.getLogger("volunteer_ledger.http")


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
        app.add_exception_handler(unavailable, unavailable_problem)
    app.add_exception_handler(ReadModelsBehind, behind_problem)
    app.add_exception_handler(Busy, busy_problem)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
