"""The outermost layer resends a GET's answer only as its route sent it, to the same still
trusted token, while the read models stand where they stood; anything else is routed."""

from __future__ import annotations

import asyncio
from typing import Any

from interfaces.http.metrics import Metrics
from interfaces.http.readcache import ANSWERED
from interfaces.http.sent_answers import SentAnswers

LEDGER = "/api/v1/volunteers/7f0c2a4e-0000-4000-8000-000000000001/ledger"


class Positions:
    """The answer cache as the layer sees it: the positions it remembers now."""

    size = 16

    def __init__(self) -> None:
        self.now: tuple[tuple[int, int], ...] | None = ((5, 0),)

    def remembered(self, projections: tuple[str, ...]) -> tuple[tuple[int, int], ...] | None:
        return self.now


class Tokens:
    def __init__(self, *trusted: str) -> None:
        self.trusted = set(trusted)

    def cached(self, token: str) -> object | None:
        return object() if token in self.trusted else None


class Route:
    """An app whose every answer is a new body: a resent answer repeats an earlier one."""

    def __init__(self, cache: Positions, *, status: int = 200, cached: bool = True) -> None:
        self.cache, self.status, self.cached = cache, status, cached
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        if self.cached and self.cache.now is not None:
            scope.setdefault("state", {})[ANSWERED] = (("ledger",), self.cache.now)
        body = f'{{"answer":{self.calls}}}'.encode()
        headers = [(b"content-type", b"application/json"), (b"x-request-id", b"first")]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _layer(
    route: Route | None = None, tokens: Tokens | None = None
) -> tuple[SentAnswers, Route, Positions]:
    cache = route.cache if route is not None else Positions()
    route = route or Route(cache)
    layer = SentAnswers(route, cache, tokens or Tokens("alice", "bob"), Metrics())  # type: ignore[arg-type]
    return layer, route, cache


def _request(
    layer: SentAnswers,
    *,
    token: str | None = "alice",
    method: str = "GET",
    path: str = LEDGER,
    query: bytes = b"",
    rid: str = "r",
) -> tuple[int, bytes, dict[bytes, bytes]]:
    headers = [(b"host", b"test"), (b"x-request-id", rid.encode())]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": headers,
        "state": {},
    }
    sent: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"], sent["headers"] = message["status"], dict(message["headers"])
        else:
            sent["body"] += message.get("body", b"")

    asyncio.run(layer(scope, receive, send))
    return sent["status"], sent["body"], sent["headers"]


def test_a_repeated_read_is_resent_without_the_route() -> None:
    layer, route, _ = _layer()
    first = _request(layer, rid="one")
    again = _request(layer, rid="two")
    assert route.calls == 1
    assert again[:2] == first[:2] == (200, b'{"answer":1}')


def test_a_resent_answer_carries_its_own_request_id() -> None:
    layer, _, _ = _layer()
    _request(layer, rid="one")
    _, _, headers = _request(layer, rid="two")
    assert headers[b"x-request-id"] == b"two"
    assert headers[b"content-type"] == b"application/json"


def test_a_moved_position_takes_the_route_again() -> None:
    layer, route, cache = _layer()
    _request(layer)
    cache.now = ((6, 0),)
    assert _request(layer)[1] == b'{"answer":2}'
    assert route.calls == 2


def test_positions_no_longer_remembered_take_the_route() -> None:
    layer, route, cache = _layer()
    _request(layer)
    cache.now = None
    _request(layer)
    assert route.calls == 2


def test_another_token_is_not_sent_what_one_token_was_sent() -> None:
    layer, route, _ = _layer()
    _request(layer, token="alice")
    assert _request(layer, token="bob")[1] == b'{"answer":2}'
    assert route.calls == 2


def test_a_token_no_longer_trusted_takes_the_route() -> None:
    tokens = Tokens("alice")
    layer, route, _ = _layer(tokens=tokens)
    _request(layer)
    tokens.trusted.clear()  # revoked (or the revocations no longer heard)
    _request(layer)
    assert route.calls == 2


def test_a_request_without_a_bearer_token_takes_the_route() -> None:
    layer, route, _ = _layer()
    _request(layer, token=None)
    _request(layer, token=None)
    assert route.calls == 2


def test_a_read_with_min_position_always_takes_the_route() -> None:
    layer, route, _ = _layer()
    _request(layer, query=b"min_position=5")
    _request(layer, query=b"min_position=5")
    assert route.calls == 2


def test_a_write_to_the_same_path_takes_the_route() -> None:
    layer, route, _ = _layer()
    _request(layer)
    assert _request(layer, method="POST")[1] == b'{"answer":2}'
    assert route.calls == 2


def test_another_query_is_another_answer() -> None:
    layer, route, _ = _layer()
    _request(layer, query=b"a=1")
    _request(layer, query=b"a=2")
    assert route.calls == 2


def test_an_answer_not_read_through_the_answer_cache_is_not_kept() -> None:
    layer, route, _ = _layer(Route(Positions(), cached=False))
    _request(layer)
    _request(layer)
    assert route.calls == 2


def test_a_refusal_is_not_kept() -> None:
    layer, route, _ = _layer(Route(Positions(), status=404))
    _request(layer)
    _request(layer)
    assert route.calls == 2


def test_a_resent_answer_is_counted_in_the_metrics() -> None:
    layer, _, _ = _layer()
    _request(layer)
    _request(layer)
    counted = layer.metrics.registry.get_sample_value(
        "vl_http_requests_total", {"method": "GET", "route": "unmatched", "status": "200"}
    )
    assert counted == 1  # the routed one is counted by the metrics middleware, inside
