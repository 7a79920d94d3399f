"""Submitting a console form: the same idempotency as the API, errors in Chinese by field.

Each form carries a ``form_key`` made when it was drawn. The submission claims that key in
the API's idempotency store (per user, as ``web:<key>``, with the correlation id the API
would use), so a double-clicked button records once: the second submission waits for the
first and is sent where the first went. A refused submission releases the key (nothing was
recorded) and the form is drawn again with what was typed and the errors beside their fields.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from application.errors import (
    BulkRejected,
    ConcurrencyConflict,
    NotFound,
    RowError,
    VersionMismatch,
)
from domain.errors import DomainError
from infrastructure.idempotency import IdempotencyRecord, IdempotencyStore
from interfaces.http.auth import Caller
from interfaces.http.idempotency import correlation_id
from interfaces.http.problems import Problem
from interfaces.web.messages import field_label, pydantic_message, rule_message, rule_sentence
from interfaces.web.routing import container_of
from interfaces.web.session import Visitor

# A form drawn afresh: nothing typed into it yet (read-only, so one serves every page).
NOTHING_TYPED: Mapping[str, Any] = MappingProxyType({})
WAIT_SECONDS = 10.0  # for a submission of the same form key still running
READ_WAIT_SECONDS = 5.0  # for the read models to show what a form recorded


@dataclass
class Refused(Exception):
    """The form was refused: a message for the page and one per field (nothing recorded)."""

    message: str
    fields: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    link: tuple[str, str] | None = None  # where to look instead (an existing record)


def page_status(refused: Refused | None) -> int:
    """A form's page: 200 as asked for; refused, 422 when fields or rows are wrong, else 409
    (a rule or a conflict)."""
    if refused is None:
        return 200
    return 422 if refused.fields or refused.rows else 409


def refusal(error: Exception, labels: dict[str, str] | None = None) -> Refused:
    """What the person is told about an error the API would have answered with a 4xx
    (``labels`` name a form's fields where the usual Chinese label would mislead)."""
    if isinstance(error, ValidationError):
        return _invalid(error, labels or {})
    for kinds, told in _TOLD:
        if isinstance(error, kinds):
            return told(error)
    raise error


def _invalid(error: ValidationError, labels: dict[str, str]) -> Refused:
    fields = _first_error_by_field(error)
    named = "、".join(labels.get(f, field_label(f)) for f in fields)
    return Refused(f"{_rule_sentences(error)}请更正以下字段：{named}。未记录任何内容。", fields)


def _first_error_by_field(error: ValidationError) -> dict[str, str]:
    """Each wrong field's first error, in Chinese, under the field's top-level name."""
    fields: dict[str, str] = {}
    for e in error.errors():
        name = ".".join(str(p) for p in e["loc"]) or "表单"
        fields.setdefault(name.split(".")[0], pydantic_message(e))
    return fields


def _rule_sentences(error: ValidationError) -> str:
    """A rule the request schema checks (interval-order), named as the API names it."""
    return "".join(pydantic_message(e) for e in error.errors() if e.get("type") == "interval_order")


def _bulk_rejected(error: Any) -> Refused:
    rows = [
        {"line": r.line, "field": field_label(r.field), "message": _row_message(r)}
        for r in error.errors
    ]
    return Refused(f"签到表有 {len(rows)} 处错误，整张表未记录。请更正后重新上传。", rows=rows)


def _problem(error: Any) -> Refused:
    fields = {
        str(e.get("field", "")): str(e.get("message", ""))
        for e in error.extra.get("errors", []) or []
    }
    return Refused(f"请求被拒绝（{error.status}）：{error.detail}", fields)


# What each kind of refusal tells the person, in this order.
_TOLD: list[tuple[type | tuple[type, ...], Callable[[Any], Refused]]] = [
    (Refused, lambda e: e),  # the command's own refusal, as it is
    (BulkRejected, _bulk_rejected),
    (DomainError, lambda e: Refused(rule_message(e.rule, str(e)))),
    (Problem, _problem),
    (
        (VersionMismatch, ConcurrencyConflict),
        lambda e: Refused("记录已被他人修改，未记录任何内容。请刷新页面后重试。"),
    ),
    (NotFound, lambda e: Refused(f"找不到该记录：{e}")),
]


def _row_message(error: RowError) -> str:
    """A bad row in Chinese, the first of: the API's Chinese sentence for it when it is all
    Chinese; the sentence of the rule it names (a schema check names its rule in its English
    text: ``… (interval-order; …)``); a schema check's words; the API's Chinese sentence
    anyway; what the API says, after a Chinese lead."""
    rule = _rule_of(error)
    return (
        _all_chinese(error.message_zh)
        or rule_sentence(rule)
        or _all_chinese(pydantic_message({"type": "", "msg": error.message}))
        or error.message_zh
        or (error.message and rule_message(rule, error.message))
    )


def _all_chinese(text: str | None) -> str:
    """``text`` when there is some and it has no word of English in it; else nothing."""
    return "" if not text or _ENGLISH.search(text) else text


def _rule_of(error: RowError) -> str:
    """The rule a bad row broke: named by the API, or in a schema check's English text."""
    named = _NAMED_RULE.search(error.message)
    return error.rule or (named.group(1) if named else "")


_ENGLISH = re.compile(r"[A-Za-z]{4,}")  # a word of English (not the T of a time)
_NAMED_RULE = re.compile(r"\(([a-z][a-z0-9-]*); ")


_FORM_TOKENS = {"csrf", "form_key"}  # the form's own, not what was typed into it


def _digest(path: str, form: dict[str, Any]) -> str:
    digest = hashlib.sha256(path.encode("utf-8") + b"\0")
    for key in sorted(form.keys() - _FORM_TOKENS):
        digest.update(f"{key}={form[key]!r}\0".encode())
    return digest.hexdigest()


async def submit(
    keys: IdempotencyStore,
    visitor: Visitor,
    path: str,
    form: dict[str, Any],
    command: Callable[[Caller], str],
) -> str:
    """Run ``command`` once per form key; returns where to send the browser next.

    ``command`` gets the caller (its correlation id names the key) and returns the page to
    show on success; errors it raises become :class:`Refused` with the key released."""
    if not form.get("form_key"):
        raise Refused("表单缺少提交编号，请刷新页面后重试。")
    key = f"web:{form['form_key']}"
    name = visitor.name
    digest = _digest(path, form)
    caller = visitor.caller(correlation_id(name, key, digest))
    earlier = await _claim(keys, name, key, digest)
    if earlier is not None:
        return earlier  # the first submission's page: recorded once
    try:
        location = await run_in_threadpool(command, caller)
    except Exception as e:
        raise await _released(keys, name, key, e) from None
    await run_in_threadpool(keys.complete, name, key, 303, location)
    return location


async def _released(keys: IdempotencyStore, name: str, key: str, error: Exception) -> Refused:
    """What a failed command tells the person, its form key released (nothing was recorded);
    an error the API would not answer with a 4xx is raised as it is, the key expired (the
    outcome is unknown, as the API's)."""
    try:
        refused = refusal(error)
    except Exception:
        await run_in_threadpool(keys.expire, name, key)
        raise
    await run_in_threadpool(keys.release, name, key)
    return refused


async def _claim(keys: IdempotencyStore, name: str, key: str, digest: str) -> str | None:
    """Claim the form key for this submission; or the page an earlier submission of the
    same form ended on. Refuses another form under the key, an unknown outcome, or one
    still running after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not await run_in_threadpool(keys.claim, name, key, digest):
        record = await run_in_threadpool(keys.get, name, key)
        if record is not None:
            earlier = _earlier(keys, record, digest)
            if earlier is not None:
                return earlier
        if time.monotonic() >= deadline:
            raise Refused("同一表单正在处理中，请稍候刷新页面。")
        await asyncio.sleep(0.05)
    return None


def _earlier(keys: IdempotencyStore, record: IdempotencyRecord, digest: str) -> str | None:
    if record.request_hash != digest:
        raise Refused("该表单已提交过其他内容；请刷新页面后重新填写。")
    if record.done and record.body is not None:
        return record.body
    if keys.orphaned(record):
        raise Refused("上一次提交的结果未知，请到审计页面核对后再操作。")
    return None


async def form_values(request: Request) -> dict[str, Any]:
    """The form's text fields (an uploaded file is read on its own)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def write_and_wait(
    request: Request,
    visitor: Visitor,
    values: dict[str, Any],
    command: Callable[[Caller], Any],
    then: Callable[[Any], str],
) -> str:
    """Run the API's route once per form key and wait (bounded) until the page shows it."""
    container = container_of(request)

    def run(caller: Caller) -> str:
        result = command(caller)
        container.wait_for(result.position, READ_WAIT_SECONDS)
        return then(result)

    return await submit(request.app.state.form_keys, visitor, request.url.path, values, run)


async def submit_form(
    request: Request,
    visitor: Visitor,
    values: dict[str, Any],
    command: Callable[[Caller], Any],
    then: Callable[[Any], str],
    redraw: Callable[..., Response],
) -> Response:
    """A form's whole answer: recorded once (:func:`write_and_wait`), the browser is sent to
    ``then(result)``; refused, ``redraw(refused=...)`` draws the form's page again."""
    try:
        location = await write_and_wait(request, visitor, values, command, then)
    except Refused as refused:
        return await run_in_threadpool(partial(redraw, refused=refused))
    return RedirectResponse(location, status_code=303)
