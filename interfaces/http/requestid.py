"""``X-Request-ID``: the client's, else a new one; kept in the request's state and echoed."""

from __future__ import annotations

import itertools
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"

# A new id is this process's random 64-bit prefix and a counter: 32 hex digits like a
# UUID's, unique across processes, without a system call per request (uuid4 made one).
_PREFIX = secrets.token_hex(8)
_COUNTER = itertools.count(secrets.randbelow(2**32))


def request_id(scope: Scope) -> str:
    """The id the client sent in ``X-Request-ID``, else a new one."""
    for name, value in scope["headers"]:
        if name == HEADER and value:
            return str(value.decode("latin-1"))
    return f"{_PREFIX}{next(_COUNTER) % 2**64:016x}"


class RequestId:
    """Pure ASGI (no per-request task group, unlike ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        await self.app(scope, receive, sending)
