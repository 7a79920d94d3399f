"""``X-Request-ID``: the client's, else a new one; kept in the request's state and echoed."""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"


def request_id(scope: Scope) -> str:
    """The id the client sent in ``X-Request-ID``, else a new one."""
    for name, value in scope["headers"]:
        if name == HEADER and value:
            return str(value.decode("latin-1"))
    return uuid.uuid4().hex


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
