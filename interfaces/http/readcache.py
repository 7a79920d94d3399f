"""Answers of live projection reads, kept per API process for as long as they are true.

An answer is stored under the (position, generation) of the projections it was read
from, read *before* the answer is computed: once a projection moves on (or is rebuilt),
later requests look under the new position and compute afresh. The positions themselves
are remembered, so a hit needs neither a query nor a thread: on PostgreSQL until a
projection is heard to move (a trigger on ``rm_tracking`` notifies; at most
:data:`HEARD_POSITIONS_TTL`), elsewhere for :data:`POSITIONS_TTL` seconds. An answer can
lag the read models by that much, no more (they lag the log anyway). A read with ``min_position`` always asks the store for the positions.
Rankings recompute every unit's metrics from the facts of two periods; a ledger reads
all of a volunteer's entries — between two writes, each is computed once instead of
once per request (by one thread; others asking for it meanwhile wait for its answer).
Time-travel reads (``as_of_position``, ``known_at``) are replays and never cached.

:class:`SentAnswers` goes one step further for the hottest reads: the whole response a
caller was sent is kept under (caller's token, path, query, ``Accept``) beside the
positions it was computed at, and a repeated request is answered before routing,
dependency injection and validation — as long as the token is one the process still
trusts without asking (:meth:`TokenCache.cached`) and the remembered positions are
still those. Anything else (a miss, ``min_position``, an unknown or revoked token, a
write) takes the normal path, which is also what fills it.

A first (cold) plain read of a ledger or a ranking by such a token is answered there
too, once its route has answered one like it: the routers name these reads
(:class:`PlainAnswer`, recognised from the path and query alone), the answer comes from
the same :class:`ReadCache` computation the route uses, and goes out with the headers
the route sent for its kind (reads of a kind arriving while the route answers the
first one wait for it, rather than each taking the route). Routing, dependency
injection and validation cost several
times the computation of a small ledger; after a write, every process computes every
ledger once. A read it is unsure of (no answer, an error, a route not yet seen) takes
the normal path.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.readmodel.queries.readmodels import ReadModels
from infrastructure.bootstrap import Container
from infrastructure.listening import TRACKING_CHANNEL, Listener
from infrastructure.users import TokenCache
from interfaces.http.answers import PlainAnswer, Recognise, encode_json
from interfaces.http.metrics import Metrics, route_template
from interfaces.http.requestid import HEADER, request_id

COMPUTE_WAIT_SECONDS = 5.0  # waiting for another thread computing the same answer
POSITIONS_TTL = 0.05  # how long read positions are trusted when no change can be heard
HEARD_POSITIONS_TTL = 1.0  # … and while every change of them is announced (PostgreSQL)
Positions = tuple[tuple[int, int], ...]
ANSWERED = "answered_at"  # scope["state"] key: (projections, positions) a read was answered at


class Miss:
    """:meth:`ReadCache.peek` found nothing it may answer from memory."""


MISS = Miss()


class ReadCache:
    """``listener`` (PostgreSQL): positions stay trusted until a projection is heard to
    move (``rm_tracking``'s trigger notifies), up to :data:`HEARD_POSITIONS_TTL`."""

    def __init__(self, container: Container, size: int, listener: Listener | None) -> None:
        self.container = container
        self.size = size
        self._answers: OrderedDict[Hashable, bytes | None] = OrderedDict()
        self._positions: dict[tuple[str, ...], tuple[float, Positions]] = {}
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Event] = {}
        self._asking: dict[tuple[str, ...], threading.Event] = {}
        self._listener = listener
        self._generation = 0
        if listener is not None:
            listener.subscribe(TRACKING_CHANNEL, self._forget_positions)

    def _forget_positions(self) -> None:
        self._generation += 1
        self._positions = {}

    def _live(self, reads: ReadModels) -> bool:
        # Not with a read replica: the moves announced are the primary's, and a standby's
        # tables trail them (a standby takes no LISTEN either).
        return bool(self.size) and reads.store is self.container.store

    def remembered(self, projections: tuple[str, ...]) -> Positions | None:
        """The positions of ``projections`` if read from the store within the TTL (no I/O)."""
        found = self._positions.get(projections)
        if found is None or time.monotonic() > found[0]:
            return None
        return found[1]

    def _read_positions(self, projections: tuple[str, ...]) -> Positions:
        """The store's positions of ``projections``, remembered unless a move was
        announced while asking."""
        generation = self._generation
        heard = self._listener is not None and self._listener.listening.is_set()
        positions = self.container.store.positions(projections)
        if generation == self._generation:
            ttl = HEARD_POSITIONS_TTL if heard else POSITIONS_TTL
            self._positions[projections] = (time.monotonic() + ttl, positions)
        return positions

    def _recent_positions(self, projections: tuple[str, ...]) -> Positions | None:
        """Remembered positions; if there are none, one thread asks the store while the
        others asking at the same moment wait for its answer (not a query each)."""
        found = self.remembered(projections)
        if found is not None:
            return found
        with self._lock:
            asking = self._asking.get(projections)
            if asking is None:
                self._asking[projections] = threading.Event()
        if asking is not None:
            asking.wait(COMPUTE_WAIT_SECONDS)
            return self.remembered(projections)
        try:
            return self._read_positions(projections)
        finally:
            with self._lock:
                self._asking.pop(projections).set()

    def peek(
        self, reads: ReadModels, projections: Sequence[str], key: Hashable
    ) -> tuple[bytes | None, Positions] | Miss:
        """The cached answer and its positions, if the remembered positions are recent
        enough (no I/O)."""
        if not self._live(reads):
            return MISS
        positions = self.remembered(tuple(projections))
        if positions is None:
            return MISS
        with self._lock:
            found = self._answers.get((key, positions), MISS)
        return MISS if isinstance(found, Miss) else (found, positions)

    def answer(
        self,
        reads: ReadModels,
        projections: Sequence[str],
        key: Hashable,
        compute: Callable[[], Any],
        encode: Callable[[Any], bytes] | None = None,
        *,
        ask: bool = True,
    ) -> tuple[bytes | None, Positions | None]:
        """``compute()`` encoded (JSON unless ``encode`` is given; None when it is None),
        with the positions it was computed at (None for a replay: never cached).

        ``ask``: read the positions from the store even if recent ones are remembered
        (``min_position`` reads); otherwise remembered ones do, as for :meth:`peek`."""
        encoder = encode or encode_json
        if not self._live(reads):  # a replay (or no cache): computed every time
            value = compute()
            return (None if value is None else encoder(value)), None
        positions = None if ask else self._recent_positions(tuple(projections))
        if positions is None:
            positions = self._read_positions(tuple(projections))
        full = (key, positions)
        with self._lock:
            if full in self._answers:
                self._answers.move_to_end(full)
                return self._answers[full], positions
            computing = self._computing.get(full)
            if computing is None:  # this thread computes it; others asking meanwhile wait
                self._computing[full] = threading.Event()
        if computing is not None:
            computing.wait(COMPUTE_WAIT_SECONDS)
            with self._lock:
                if full in self._answers:
                    return self._answers[full], positions
            value = compute()  # the other computation failed or is too slow: our own
            return (None if value is None else encoder(value)), positions
        try:
            value = compute()
            body = None if value is None else encoder(value)
            with self._lock:
                self._answers[full] = body
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        finally:
            with self._lock:
                self._computing.pop(full).set()
        return body, positions


@dataclass(frozen=True)
class _Sent:
    projections: tuple[str, ...]
    positions: Positions
    route: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _accept(scope: Scope) -> bytes:
    return next((v for k, v in scope["headers"] if k == b"accept"), b"")


class SentAnswers:
    """Pure ASGI, outside every other layer: a GET sent before, by the same still-trusted token, at the same
    read-model positions, is answered again from memory (see the module docstring).

    Only responses of routes that answered through :class:`ReadCache` at live positions
    (they mark ``scope["state"][ANSWERED]``) with status 200 are kept; requests with
    ``min_position`` always take the full path (they must see the store's positions).
    The hit is counted in the Prometheus metrics under the route template it was first
    answered by, like any other request."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ReadCache,
        tokens: TokenCache,
        metrics: Metrics,
        plain: Sequence[Recognise] = (),
    ) -> None:
        self.app = app
        self.cache = cache
        self.tokens = tokens
        self.metrics = metrics
        self.plain = tuple(plain)
        # Touched only on the event loop's thread: no lock.
        self._sent: OrderedDict[Hashable, _Sent] = OrderedDict()
        # (recogniser, variant) → (route template, headers) of a full-path answer; and
        # those whose first full-path answer is under way (their like wait for it).
        self._learned: dict[Hashable, tuple[str, list[tuple[bytes, bytes]]]] = {}
        self._learning: dict[Hashable, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not self.cache.size
            or b"min_position" in scope["query_string"]
            or (token := _bearer(scope)) is None
            or self.tokens.cached(token) is None
        ):
            await self.app(scope, receive, send)
            return
        key = (token, scope["path"], scope["query_string"], _accept(scope))
        sent = self._sent.get(key)
        if sent is not None and self.cache.remembered(sent.projections) == sent.positions:
            started = time.perf_counter()
            headers = [*sent.headers, (HEADER, request_id(scope).encode("latin-1"))]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": sent.body})
            self.metrics.record("GET", sent.route, 200, time.perf_counter() - started)
            return
        plain = self._recognised(scope)
        if plain is None:
            await self._answer_and_keep(key, scope, receive, send)
            return
        learning = self._learning.get(plain[0])
        if learning is not None:  # the route is answering the first of its kind: wait
            with suppress(TimeoutError):
                await asyncio.wait_for(learning.wait(), COMPUTE_WAIT_SECONDS)
        if await self._answer_plain(key, scope, send, *plain):
            return
        if plain[0] in self._learned or plain[0] in self._learning:
            await self._answer_and_keep(key, scope, receive, send, plain)
            return
        self._learning[plain[0]] = asyncio.Event()
        try:
            await self._answer_and_keep(key, scope, receive, send, plain)
        finally:
            self._learning.pop(plain[0]).set()

    def _recognised(self, scope: Scope) -> tuple[Hashable, PlainAnswer] | None:
        for i, recognise in enumerate(self.plain):
            answer = recognise(scope)
            if answer is not None:
                return (i, answer.variant), answer
        return None

    async def _answer_plain(
        self, key: Hashable, scope: Scope, send: Send, learned: Hashable, plain: PlainAnswer
    ) -> bool:
        """A first (cold) plain read answered without routing, as the route would answer
        it: the same :class:`ReadCache` answer, sent with the headers the route sent for
        this read before. False (nothing sent) when that is not known to be the same:
        the route not yet seen answering it, no answer (404), or an error."""
        found = self._learned.get(learned)
        if found is None:
            return False
        started = time.perf_counter()
        reads = self.cache.container.read_models()
        peeked = self.cache.peek(reads, plain.projections, plain.key)
        if isinstance(peeked, Miss):
            try:
                body, positions = await run_in_threadpool(
                    self.cache.answer,
                    reads,
                    plain.projections,
                    plain.key,
                    partial(plain.compute, reads),
                    plain.encode,
                    ask=False,
                )
            except Exception:
                return False  # the route answers it (with its own error)
        else:
            body, positions = peeked
        if body is None or positions is None:
            return False
        route, headers = found
        size = str(len(body)).encode("latin-1")
        headers = [(k, size if k == b"content-length" else v) for k, v in headers]
        start: Message = {"type": "http.response.start", "status": 200, "headers": headers}
        await send({**start, "headers": [*headers, (HEADER, request_id(scope).encode("latin-1"))]})
        await send({"type": "http.response.body", "body": body})
        self.metrics.record("GET", route, 200, time.perf_counter() - started)
        self._keep(key, _Sent(plain.projections, positions, route, headers, body))
        return True

    def _keep(self, key: Hashable, entry: _Sent) -> None:
        self._sent[key] = entry
        self._sent.move_to_end(key)
        while len(self._sent) > self.cache.size:
            self._sent.popitem(last=False)

    async def _answer_and_keep(
        self,
        key: Hashable,
        scope: Scope,
        receive: Receive,
        send: Send,
        plain: tuple[Hashable, PlainAnswer] | None = None,
    ) -> None:
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
            return
        projections, positions = answered
        route = route_template(scope)
        self._keep(key, _Sent(projections, positions, route, start["headers"], b"".join(chunks)))
        if plain is not None:
            self._learned[plain[0]] = (route, start["headers"])
