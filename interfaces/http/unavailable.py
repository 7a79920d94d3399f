"""The 503 answers, each with ``Retry-After``: the store cannot be reached, the read
models have not reached the position asked for, or the process is at its limit."""

from __future__ import annotations

import logging
import sqlite3

import psycopg
import psycopg_pool
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.errors import StoreUnavailable
from infrastructure.asof import Busy
from infrastructure.bootstrap import ReadModelsBehind
from interfaces.http.problem_document import RETRY_AFTER_SECONDS, problem_response
from interfaces.http.rule_text import BUSY_ZH

log = logging.getLogger("volunteer_ledger.http")


def unavailable_problem(_: Request, exc: Exception) -> JSONResponse:
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
            await unavailable_problem(Request(scope), e)(scope, receive, send)


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
