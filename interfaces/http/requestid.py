"""``X-Request-ID``: the client's (if it is a valid one), else a new one; echoed back.

A client's id is at most 128 visible ASCII characters (``!`` to ``~``); any other is
replaced by a new id (the response's ``X-Request-ID`` says which), never refused: a
tracing header does not cost a request. The client's id is kept as the actor's
``request_id``; the id recorded commands are correlated by (``correlation_id``) is always
the server's — the new id, or for an idempotent request one derived from the caller, the
key and the body — so no client can choose it.
"""

from __future__ import annotations

import itertools
import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
MAX_LENGTH = 128
_VALID = re.compile(rb"[\x21-\x7e]{1,%d}" % MAX_LENGTH)

# A new id is this process's random 64-bit prefix and a counter: 32 hex digits like a
# UUID's, unique across processes, without a system call per request (uuid4 made one).
_PREFIX = secrets.token_hex(8)
_COUNTER = itertools.count(secrets.randbelow(2**32))


def new_id() -> str:
    return f"{_PREFIX}{next(_COUNTER) % 2**64:016x}"


def client_request_id(scope: Scope) -> str | None:
    """The client's ``X-Request-ID`` if it sent a valid one."""
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode("ascii") if _VALID.fullmatch(value) else None
    return None


def request_id(scope: Scope) -> str:
    """The id the client sent in ``X-Request-ID`` (if valid), else a new one."""
    return client_request_id(scope) or new_id()


class RequestId:
    """Pure ASGI (no per-request task group, unlike ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ours = new_id()
        client = client_request_id(scope)
        rid = client or ours
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        state["client_request_id"] = client
        state["correlation_id"] = ours

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        await self.app(scope, receive, sending)
