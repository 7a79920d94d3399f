"""First (cold) plain reads of a ledger or a ranking, answered by the outermost layer
without routing — once the route has answered one of their kind.

Routing, dependency injection and validation cost several times the computation of a
small ledger, and after a write every process computes every ledger once: answering
those cold reads here keeps the read p99 of ``bench http_api`` down (A/B in the commit
that moved this here). The routers know nothing of it: this module recognises the reads
from the path and query alone, computes them with the same :class:`ReadCache` key and
query as the route (:func:`routers.volunteers.get_ledger`, :func:`routers.reports.rankings`)
and sends them with the headers the route sent for their kind. Reads of a kind arriving
while the route answers the first one wait for it rather than each taking the route. A
read it is unsure of (no answer, an error, a kind not yet routed) takes the route, and
``tests/e2e/test_http_repeated_reads.py`` holds both answers byte-equal.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.types import Scope, Send

from application.readmodel.queries.readmodels import ReadModels
from interfaces.http.metrics import Metrics
from interfaces.http.readcache import COMPUTE_WAIT_SECONDS, Miss, Positions, ReadCache
from interfaces.http.requestid import HEADER, request_id
from interfaces.http.routers.reports import PERIOD, ranking_answer, ranking_csv
from interfaces.http.sent_answers import Sent


@dataclass(frozen=True)
class PlainAnswer:
    """A recognised read: the projections it reads, its :class:`ReadCache` key (the
    route's), how to compute and encode it (JSON if None), and its kind (responses of one
    kind share their headers)."""

    projections: tuple[str, ...]
    key: Hashable
    compute: Callable[[ReadModels], Any]
    encode: Callable[[Any], bytes] | None
    kind: Hashable


Recognise = Callable[[Scope], PlainAnswer | None]
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def recognise_ledger(prefix: str) -> Recognise:
    """``GET {prefix}/volunteers/{id}/ledger`` with no query and the id in canonical form."""
    path = re.compile(f"{re.escape(prefix)}/volunteers/({_UUID})/ledger")

    def recognise(scope: Scope) -> PlainAnswer | None:
        found = path.fullmatch(scope["path"])
        if found is None or scope["query_string"]:
            return None
        volunteer_id = UUID(found.group(1))
        compute = partial(_ledger, str(volunteer_id))
        return PlainAnswer(("ledger",), ("ledger", volunteer_id), compute, None, "ledger")

    return recognise


def _ledger(volunteer_id: str, reads: ReadModels) -> Any:
    return reads.ledger(volunteer_id)


def recognise_rankings(prefix: str) -> Recognise:
    """``GET {prefix}/rankings`` with ``unit`` and a valid ``period`` once each, nothing else."""
    path = f"{prefix}/rankings"

    def recognise(scope: Scope) -> PlainAnswer | None:
        if scope["path"] != path:
            return None
        query = QueryParams(scope["query_string"])  # parsed as the route's are
        unit, period = query.get("unit"), query.get("period")
        if len(query.multi_items()) != 2 or unit not in ("station", "team") or period is None:
            return None
        if PERIOD.fullmatch(period) is None:  # the route refuses it (422)
            return None
        accept = next((v for k, v in scope["headers"] if k == b"accept"), b"")
        as_csv = b"text/csv" in accept
        compute = partial(_ranking, unit, period)
        encode = ranking_csv if as_csv else None
        key = ("rankings", unit, period, as_csv)
        return PlainAnswer(("ranking",), key, compute, encode, ("rankings", as_csv))

    return recognise


def _ranking(unit: str, period: str, reads: ReadModels) -> dict[str, Any]:
    return ranking_answer(reads, unit, period, None)


class ColdReads:
    """What the outermost layer asks about a request it has not answered before."""

    def __init__(self, cache: ReadCache, metrics: Metrics, recognise: list[Recognise]) -> None:
        self.cache = cache
        self.metrics = metrics
        self.recognise = tuple(recognise)
        # Touched only on the event loop's thread: no lock. Kind → (route template,
        # headers) of a routed answer; and the kinds whose first routed answer is under way.
        self._learned: dict[Hashable, tuple[str, list[tuple[bytes, bytes]]]] = {}
        self._learning: dict[Hashable, asyncio.Event] = {}

    async def answer(
        self, scope: Scope, send: Send, route: Callable[[], Awaitable[Sent | None]]
    ) -> Sent | None:
        """The answer sent without routing (for the caller to keep), or None once ``route``
        has answered it."""
        plain = self._recognised(scope)
        if plain is None:
            await route()
            return None
        learning = self._learning.get(plain.kind)
        if learning is not None:  # the route is answering the first of its kind: wait
            with suppress(TimeoutError):
                await asyncio.wait_for(learning.wait(), COMPUTE_WAIT_SECONDS)
        sent = await self._answer_plain(scope, send, plain)
        if sent is not None:
            return sent
        first = plain.kind not in self._learned and plain.kind not in self._learning
        if first:
            self._learning[plain.kind] = asyncio.Event()
        try:
            routed = await route()
            if routed is not None:
                self._learned[plain.kind] = (routed.route, routed.headers)
        finally:
            if first:
                self._learning.pop(plain.kind).set()
        return None

    def _recognised(self, scope: Scope) -> PlainAnswer | None:
        for recognise in self.recognise:
            plain = recognise(scope)
            if plain is not None:
                return plain
        return None

    async def _answer_plain(self, scope: Scope, send: Send, plain: PlainAnswer) -> Sent | None:
        """Sent as the route would answer it, or None (nothing sent) when that is not known
        to be the same: the route not yet seen answering its kind, no answer (404), an error."""
        learned = self._learned.get(plain.kind)
        if learned is None:
            return None
        started = time.perf_counter()
        try:
            body, positions = await self._computed(plain)
        except Exception:
            return None  # the route answers it (with its own error)
        if body is None or positions is None:
            return None
        route, headers = learned
        size = str(len(body)).encode("latin-1")
        headers = [(k, size if k == b"content-length" else v) for k, v in headers]
        own_id = (HEADER, request_id(scope).encode("latin-1"))
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, own_id]})
        await send({"type": "http.response.body", "body": body})
        self.metrics.record("GET", route, 200, time.perf_counter() - started)
        return Sent(plain.projections, positions, route, headers, body)

    async def _computed(self, plain: PlainAnswer) -> tuple[bytes | None, Positions | None]:
        reads = self.cache.container.read_models()
        peeked = self.cache.peek(reads, plain.projections, plain.key)
        if not isinstance(peeked, Miss):
            return peeked
        return await run_in_threadpool(
            self.cache.answer,
            reads,
            plain.projections,
            plain.key,
            partial(plain.compute, reads),
            plain.encode,
            ask=False,
        )
