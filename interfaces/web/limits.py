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

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from interfaces.http.limits import SHEET_SUFFIXES
from interfaces.web.render import page
from interfaces.web.session import SESSION_COOKIE, Visitor, accounts

API_PREFIXES = ("/api/", "/docs", "/openapi.json", "/metrics", "/healthz", "/readyz")
# A browser that is still sending when the answer comes may show "connection reset" instead
# of the page: the rest of a body up to this many times the limit is read and dropped first.
DRAIN_FACTOR = 4


def too_large_page(request: Request, limit: int, visitor: Visitor | None = None) -> Response:
    sheet = request.url.path.endswith(SHEET_SUFFIXES)
    what = "签到表文件" if sheet else "提交的表单（含上传文件）"
    advice = "请把签到表拆成几份分别上传。" if sheet else "请减少内容或拆分后分别提交。"
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
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope["method"] != "POST" or path.startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        limit = self.sheet_bytes if path.endswith(SHEET_SUFFIXES) else self.body_bytes
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        if not declared.isdigit() or int(declared) <= limit:
            await self.app(scope, receive, send)
            return
        if int(declared) <= limit * DRAIN_FACTOR:
            await _drain(receive)
        await (await _too_large(scope, limit))(scope, receive, send)


async def _too_large(scope: Scope, limit: int) -> Response:
    """The Chinese 413 page, with the navigation of the signed-in person if there is one."""
    request = Request(scope)
    token = request.cookies.get(SESSION_COOKIE)
    session = await run_in_threadpool(accounts(request).session, token) if token else None
    visitor = Visitor(session) if session is not None else None
    return too_large_page(request, limit, visitor)


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
