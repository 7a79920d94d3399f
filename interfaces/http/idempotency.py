"""``Idempotency-Key`` on POSTs: the same key and body answer the first response again.

Keys are scoped per caller (user name). The first request claims the key and runs the
command with a correlation id the server derives from the caller, the key and the
request's hash (``correlation_id``; never a client's header, so no other caller can plant
an event under it); a 2xx response is stored and
replayed verbatim (with ``Idempotent-Replayed: true``) to every later request with that key
and body. Concurrent requests with the key wait (up to 10 s) for the first one's response.
The same key with another body (or path) is a 409. A 4xx releases the key (nothing was
recorded, the client may retry); a 5xx or a dead server leaves an orphaned claim: its next
retry looks in the audit trail for events carrying the key's correlation id and, if the
command was recorded, answers its result (reconstructed for the create routes, else a 409
naming the recorded position) instead of recording it twice; if not, it runs the command.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from application.readmodel.tables import AUDIT_EVENT
from infrastructure.asof import Busy
from infrastructure.bootstrap import Container, ReadModelsBehind
from infrastructure.idempotency import IdempotencyRecord, IdempotencyStore
from infrastructure.users import TokenCache
from interfaces.http.problem_document import MEDIA_TYPE, PROBLEM_BASE, problem_response
from interfaces.http.sent_answers import bearer_token
from interfaces.http.unavailable import behind_problem, busy_problem

HEADER = "idempotency-key"
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
MAX_KEY_LENGTH = 200
# Routes whose WriteResult is exactly {id, version, position} of their one aggregate, with
# nothing in ``created``: their response (and its status) can be rebuilt from the audit trail.
RECONSTRUCTABLE = {"/api/v1/volunteers": 201, "/api/v1/teams": 201, "/api/v1/activities": 201}

Next = Callable[[Request], Awaitable[Response]]


def correlation_id(caller: str, key: str, request_hash: str) -> str:
    """``idem:`` and 32 hex digits of a hash over the caller, the key and the request's hash:
    the same for a retry of the same request by the same user, and for nothing else."""
    digest = hashlib.sha256(f"{caller}\0{key}\0{request_hash}".encode()).hexdigest()
    return f"idem:{digest[:32]}"


def _request_hash(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _replay(status: int, body: str) -> Response:
    return Response(
        content=body.encode("utf-8"),
        status_code=status,
        media_type=MEDIA_TYPE if status >= 400 else "application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def _mismatch(key: str) -> Response:
    return problem_response(
        409,
        "conflict",
        "Idempotency key reused",
        f"Idempotency-Key {key!r} was already used with a different request; "
        "use a new key for a new request",
    )


def _in_progress(key: str) -> Response:
    return problem_response(
        409,
        "conflict",
        "Request in progress",
        f"a request with Idempotency-Key {key!r} is still in progress; retry shortly",
        headers={"Retry-After": "2"},
        detail_zh=f"使用同一幂等键（Idempotency-Key {key!r}）的请求仍在处理中，请稍后重试",
    )


# Aggregates a command saves beside the one it answers with.
SIDE_RECORDS = frozenset({"NationalIdClaim"})


def recorded_outcome(
    container: Container, path: str, caller: str, key: str, request_hash: str
) -> tuple[int, str] | None:
    """The response of a command recorded under the key's correlation id, or None if none was."""
    container.wait_bounded(container.ledger.current_position())
    rows = container.store.select(
        AUDIT_EVENT,
        {"correlation_id": correlation_id(caller, key, request_hash)},
        order_by=("position",),
    )
    if not rows:
        return None
    # A registration saves the volunteer with its claim on the national id (saved first):
    # the answer names the volunteer.
    aggregates = {str(r["aggregate_id"]) for r in rows if r["aggregate_type"] not in SIDE_RECORDS}
    if path in RECONSTRUCTABLE and len(aggregates) == 1:
        return RECONSTRUCTABLE[path], _write_result(rows[-1])
    return 409, _already_recorded(key, int(rows[-1]["position"]))


def _write_result(last: dict[str, Any]) -> str:
    """The WriteResult a create route answered, rebuilt from its last audit row."""
    body = {
        "id": str(last["aggregate_id"]),
        "version": int(last["aggregate_version"]),
        "position": int(last["position"]),
        "created": {},
    }
    return json.dumps(body, separators=(",", ":"))


def _already_recorded(key: str, position: int) -> str:
    problem = {
        "type": f"{PROBLEM_BASE}/conflict",
        "title": "Already recorded",
        "status": 409,
        "detail": f"the request with Idempotency-Key {key!r} was recorded at position "
        f"{position} but its response was lost; it must not be retried",
        "recorded_position": position,
    }
    return json.dumps(problem, ensure_ascii=False, separators=(",", ":"))


class _OnlyWithKey:
    """Pure ASGI: a POST carrying ``Idempotency-Key`` goes through the idempotency
    dispatch; every other request passes straight on (no task group, no body buffering)."""

    def __init__(self, app: ASGIApp, dispatch: Callable[[Request, Next], Awaitable[Response]]):
        self.app = app
        self.keyed = BaseHTTPMiddleware(app, dispatch=dispatch)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _keyed_post(scope):
            await self.keyed(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _keyed_post(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and any(k == b"idempotency-key" for k, _ in scope["headers"])
    )


def install(app: FastAPI, container: Container, tokens: TokenCache) -> None:
    keys = IdempotencyStore(container.store)
    app.state.idempotency = keys
    app.add_middleware(_OnlyWithKey, dispatch=_IdempotentCommands(container, tokens, keys))


def _key_too_long() -> Response:
    return problem_response(
        422,
        "validation",
        "Invalid request",
        f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters",
        errors=[{"field": "Idempotency-Key", "message": "too long"}],
        detail_zh=f"Idempotency-Key（幂等键）不得超过{MAX_KEY_LENGTH}个字符",
    )


class _IdempotentCommands:
    """The dispatch of a keyed POST: claim the key and run the command, or answer the
    stored response, or wait for the request holding the key, or recover an orphaned one."""

    def __init__(self, container: Container, tokens: TokenCache, keys: IdempotencyStore) -> None:
        self.container = container
        self.tokens = tokens
        self.keys = keys

    async def __call__(self, request: Request, call_next: Next) -> Response:
        # Only a keyed POST comes here (_OnlyWithKey); the key may still be blank.
        key = request.headers.get(HEADER)
        token = bearer_token(request.scope)
        if not key or token is None:
            return await call_next(request)
        if len(key) > MAX_KEY_LENGTH:
            return _key_too_long()
        user = self.tokens.cached(token) or await run_in_threadpool(self.tokens.resolve, token)
        if user is None:
            return await call_next(request)  # 401 from the endpoint's authentication
        digest = _request_hash(request, await request.body())
        request.state.idempotency_correlation = correlation_id(user.name, key, digest)
        return await self._claimed(request, call_next, user.name, key, digest)

    async def _claimed(
        self, request: Request, call_next: Next, caller: str, key: str, digest: str
    ) -> Response:
        """Run the command once the key is ours; meanwhile answer what its holder recorded."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            if await run_in_threadpool(self.keys.claim, caller, key, digest):
                return await self._run_command(request, call_next, caller, key)
            record = await run_in_threadpool(self.keys.get, caller, key)
            held = (
                None
                if record is None
                else await self._held(request, call_next, record, digest, deadline)
            )
            if held is not None:
                return held
            await asyncio.sleep(POLL_SECONDS)

    async def _held(
        self,
        request: Request,
        call_next: Next,
        record: IdempotencyRecord,
        digest: str,
        deadline: float,
    ) -> Response | None:
        """The answer while another request holds the key: a 409 for another request, the
        stored response once it is done, the outcome of an orphaned claim taken over, a 409
        when the wait is over; None: wait on."""
        if record.request_hash != digest:
            return _mismatch(record.key)
        if record.done:
            assert record.status is not None and record.body is not None
            return _replay(record.status, record.body)
        if self.keys.orphaned(record) and await run_in_threadpool(self.keys.take_over, record):
            return await self._recover(request, call_next, record)
        if time.monotonic() >= deadline:
            return _in_progress(record.key)
        return None

    async def _run_command(
        self, request: Request, call_next: Next, caller: str, key: str
    ) -> Response:
        """The command's response, stored (2xx), released (4xx) or left to expire (5xx)."""
        try:
            response = await call_next(request)
        except BaseException:
            await run_in_threadpool(self.keys.expire, caller, key)
            raise
        chunks = [
            chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
            async for chunk in response.body_iterator  # type: ignore[attr-defined]
        ]
        body = b"".join(chunks)
        await run_in_threadpool(self._settle, caller, key, response.status_code, body)
        return Response(
            content=body, status_code=response.status_code, headers=dict(response.headers)
        )

    def _settle(self, caller: str, key: str, status: int, body: bytes) -> None:
        """A 2xx is stored to be replayed; a 4xx releases the key (nothing was recorded);
        a 5xx leaves the claim to expire (the command may have been recorded)."""
        if 200 <= status < 300:
            self.keys.complete(caller, key, status, body.decode("utf-8"))
        elif status < 500:
            self.keys.release(caller, key)
        else:
            self.keys.expire(caller, key)

    async def _recover(
        self, request: Request, call_next: Next, record: IdempotencyRecord
    ) -> Response:
        """An orphaned claim taken over: the recorded outcome if the audit trail has one,
        else the command run now."""
        keys = self.keys
        try:
            outcome = await run_in_threadpool(
                recorded_outcome,
                self.container,
                request.url.path,
                record.caller,
                record.key,
                record.request_hash,
            )
        except (Busy, ReadModelsBehind) as e:
            # Raised in a middleware, where the app's exception handlers do not reach.
            await run_in_threadpool(keys.expire, record.caller, record.key)
            return busy_problem(request, e) if isinstance(e, Busy) else behind_problem(request, e)
        except BaseException:
            await run_in_threadpool(keys.expire, record.caller, record.key)
            raise
        if outcome is None:
            return await self._run_command(request, call_next, record.caller, record.key)
        await run_in_threadpool(keys.complete, record.caller, record.key, *outcome)
        return _replay(*outcome)
