"""Request size limits: a body over the limit is refused with 413 before any of it is used.

Bulk sign-in sheets (the API's ``…/hours/bulk`` and the console's upload form,
``/activities/{id}/sheet``) have their own, larger limit (``VL_MAX_SHEET_BYTES``);
every other body is held to ``VL_MAX_BODY_BYTES``. A declared ``Content-Length`` over the
limit is refused before the body is read; a chunked body is counted as it arrives.
Either way nothing is recorded and no idempotency key is claimed.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.settings import Settings
from interfaces.http.problems import problem_response

SHEET_SUFFIXES = ("/hours/bulk", "/sheet")  # the API's bulk route; the console's sheet form


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a chunked body that outgrows its limit (FastAPI re-raises
    HTTP exceptions from body parsing instead of turning them into a 400)."""

    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")
        self.limit = limit
        self.setting = setting


def too_large(limit: int, setting: str) -> JSONResponse:
    return problem_response(
        413,
        "payload-too-large",
        "Request body too large",
        f"the request body is larger than the limit of {limit:,} bytes ({setting}); "
        "nothing was recorded — split it into smaller requests",
        limit_bytes=limit,
        setting=setting,
    )


class BodyLimit:
    def __init__(self, app: ASGIApp, body_bytes: int, sheet_bytes: int) -> None:
        self.app = app
        self.body = (body_bytes, "VL_MAX_BODY_BYTES")
        self.sheet = (sheet_bytes, "VL_MAX_SHEET_BYTES")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.sheet if scope["path"].endswith(SHEET_SUFFIXES) else self.body
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is None:
            await self._counted(scope, receive, send, limit, setting)
        # The server holds the body to its declared length, so the header is the size.
        elif declared.isdigit() and int(declared) > limit:
            await too_large(limit, setting)(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _counted(
        self, scope: Scope, receive: Receive, send: Send, limit: int, setting: str
    ) -> None:
        """A body of no declared length, counted as it arrives: refused once it outgrows
        ``limit`` (unless the app has already started its answer)."""
        received = 0
        started = False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except BodyTooLarge:
            if started:
                raise
            await too_large(limit, setting)(scope, receive, send)


def _body_too_large(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return too_large(exc.limit, exc.setting)


def install(app: FastAPI, settings: Settings) -> None:
    """Refuse oversize bodies (install last: the outermost middleware)."""
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_middleware(
        BodyLimit, body_bytes=settings.max_body_bytes, sheet_bytes=settings.max_sheet_bytes
    )
