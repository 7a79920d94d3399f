"""An oversize console form (a sign-in sheet over ``VL_MAX_SHEET_BYTES``, any other form
over ``VL_MAX_BODY_BYTES``) is answered with a page in Chinese, not the API's problem document.

The API's own limit (``interfaces.http.limits``) refuses such a body before any route sees
it, in JSON; a person who uploaded a sheet from the activity page would be shown that JSON.
This layer sits outside it and answers the console's paths first, with the same limits and
the same 413; nothing is recorded and no form key is claimed either way. A body sent without
a ``Content-Length`` is counted by the API's layer and refused inside the page route, which
draws the same page (:func:`too_large_page`).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from interfaces.http.limits import SHEET_SUFFIXES
from interfaces.web.render import page
from interfaces.web.session import Visitor, current_session

API_PREFIXES = ("/api/", "/docs", "/openapi.json", "/metrics", "/healthz", "/readyz")
# A browser that is still sending when the answer comes may show "connection reset" instead
# of the page: the rest of a body up to this many times the limit is read and dropped first.
DRAIN_FACTOR = 4


# What the page calls an oversize body and what it advises: a sign-in sheet's; any other form's.
_SHEET_WORDS = ("签到表文件", "请把签到表拆成几份分别上传。")
_FORM_WORDS = ("提交的表单（含上传文件）", "请减少内容或拆分后分别提交。")


def too_large_page(request: Request, limit: int, visitor: Visitor | None = None) -> Response:
    sheet = request.url.path.endswith(SHEET_SUFFIXES)
    what, advice = _SHEET_WORDS if sheet else _FORM_WORDS
    back = request.url.path.rsplit("/", 1)[0] or "/"
    return page(
        request,
        "error.html",
        status=413,
        visitor=visitor,
        title="文件过大",
        status_code=413,
        message=f"{what}超过 {_size(limit)}的上限，未记录任何内容。{advice}",
        back=back,
    )


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB（{limit:,} 字节）"
    return f"{limit:,} 字节"


class ConsoleBodyLimit:
    """Outside the API's limit: a console POST whose declared length is over the limit gets
    the Chinese 413 page."""

    def __init__(self, app: ASGIApp, body_bytes: int, sheet_bytes: int) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.sheet_bytes = sheet_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope)
        if limit is None or _declared_length(scope) <= limit:
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) <= limit * DRAIN_FACTOR:
            await _drain(receive)
        await (await _too_large(scope, limit))(scope, receive, send)

    def _limit(self, scope: Scope) -> int | None:
        """A console POST's limit (a sign-in sheet's or any other form's); None for the rest."""
        path = str(scope.get("path", ""))
        # only an HTTP request has a method (not a websocket, nor the lifespan)
        if scope.get("method") != "POST" or path.startswith(API_PREFIXES):
            return None
        return self.sheet_bytes if path.endswith(SHEET_SUFFIXES) else self.body_bytes


def _declared_length(scope: Scope) -> int:
    """The body's ``Content-Length``; 0 when it has none (the API's layer counts it as it comes)."""
    declared = Headers(scope=scope).get("content-length", "")
    return int(declared) if declared.isdigit() else 0


async def _too_large(scope: Scope, limit: int) -> Response:
    """The Chinese 413 page, with the navigation of the signed-in person if there is one."""
    request = Request(scope)
    session = await current_session(request)
    visitor = Visitor(session) if session is not None else None
    return too_large_page(request, limit, visitor)


async def _drain(receive: Receive) -> None:
    more = True
    while more:
        message = await receive()
        more = message["type"] == "http.request" and message.get("more_body", False)
