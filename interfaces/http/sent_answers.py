"""The outermost ASGI layer: a GET answered again, byte for byte, from what its route sent.

A whole response is kept under (caller's token, path, query, ``Accept``) beside the
read-model positions it was computed at, and a repeated request is answered before
routing, dependency injection and validation: those cost several times the computation
of a small ledger. Only what a route itself sent is resent; a request seen for the
first time always takes the route. A request is answered from memory only when

- it is a GET without ``min_position`` (such a read must see the store's positions),
- its bearer token is one the process still trusts without asking
  (:meth:`TokenCache.cached`: an unknown or revoked token takes the route, which refuses it),
- the route answered it through the answer cache at live positions (the route's
  dependency marks ``scope["state"][ANSWERED]``) with status 200, and
- the positions the cache remembers now are still the ones it was computed at (a write
  that moved the read models makes the next request take the route again).

A resent answer is counted in the Prometheus metrics under the route template that first
answered it, like any other request, and carries the request's own id.

A request not answered before may still be answered without routing, by ``cold``
(:mod:`interfaces.http.cold_reads`: first plain ledger and ranking reads).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.users import TokenCache
from interfaces.http.metrics import Metrics, route_template
from interfaces.http.readcache import ANSWERED, Positions, ReadCache
from interfaces.http.requestid import HEADER, request_id

if TYPE_CHECKING:
    from interfaces.http.cold_reads import ColdReads


@dataclass(frozen=True)
class Sent:
    """One response as its route sent it (without the request id), and what it was read at."""

    projections: tuple[str, ...]
    positions: Positions
    route: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _accept(scope: Scope) -> bytes:
    return next((v for k, v in scope["headers"] if k == b"accept"), b"")


class SentAnswers:
    """Pure ASGI, outside every other layer (see the module docstring); ``cache`` is the
    answer cache whose remembered positions say whether a kept response is still true."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ReadCache,
        tokens: TokenCache,
        metrics: Metrics,
        cold: ColdReads | None = None,
    ) -> None:
        self.app = app
        self.cold = cold
        self.cache = cache
        self.tokens = tokens
        self.metrics = metrics
        # Touched only on the event loop's thread: no lock.
        self._sent: OrderedDict[Hashable, Sent] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        sent = self._sent.get(key)
        if sent is not None and self.cache.remembered(sent.projections) == sent.positions:
            await self._resend(sent, scope, send)
            return
        if self.cold is None:
            await self._answer_and_keep(key, scope, receive, send)
            return
        route = partial(self._answer_and_keep, key, scope, receive, send)
        answered = await self.cold.answer(scope, send, route)
        if answered is not None:
            self._keep(key, answered)

    def _key(self, scope: Scope) -> Hashable | None:
        """What a response may be kept under; None for a request that always takes the route."""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not self.cache.size
            or b"min_position" in scope["query_string"]
            or (token := bearer_token(scope)) is None
            or self.tokens.cached(token) is None
        ):
            return None
        return (token, scope["path"], scope["query_string"], _accept(scope))

    async def _resend(self, sent: Sent, scope: Scope, send: Send) -> None:
        started = time.perf_counter()
        headers = [*sent.headers, (HEADER, request_id(scope).encode("latin-1"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": sent.body})
        self.metrics.record("GET", sent.route, 200, time.perf_counter() - started)

    async def _answer_and_keep(
        self, key: Hashable, scope: Scope, receive: Receive, send: Send
    ) -> Sent | None:
        """The route answers; a 200 it answered through the answer cache is kept (and
        returned)."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def sending(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # Without the request's own id (each repetition gets its own).
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                start = {**message, "headers": kept}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, sending)
        answered = scope.get("state", {}).get(ANSWERED)
        if answered is None or start is None or start["status"] != 200:
            return None
        projections, positions = answered
        body = b"".join(chunks)
        sent = Sent(projections, positions, route_template(scope), start["headers"], body)
        self._keep(key, sent)
        return sent

    def _keep(self, key: Hashable, entry: Sent) -> None:
        self._sent[key] = entry
        self._sent.move_to_end(key)
        while len(self._sent) > self.cache.size:
            self._sent.popitem(last=False)
