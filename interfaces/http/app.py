"""The FastAPI application: routers under ``/api/v1``, problem+json errors, request ids.

``create_app(container)`` wires an already bootstrapped container; the lifespan runs the
projection worker in a background thread (unless ``VL_RUN_PROJECTIONS=false``) and stops
it cleanly on shutdown. ``app_from_env()`` is the uvicorn ``--factory`` entry point.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import metadata

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.bootstrap import Container, bootstrap
from infrastructure.runtime import tune_collector
from infrastructure.users import TokenCache, UserStore
from interfaces.http import idempotency, limits, metrics, problems
from interfaces.http.readcache import ReadCache
from interfaces.http.routers import activities, audit, chain, ops, reports, teams, volunteers

API_PREFIX = "/api/v1"
log = logging.getLogger("volunteer_ledger.http")


def _version() -> str:
    try:
        return metadata.version("volunteer-ledger")
    except metadata.PackageNotFoundError:
        return "0.0.0"


class ProjectionThread:
    """The projection runner in a daemon thread, stopped through an event."""

    def __init__(self, container: Container) -> None:
        self.stop = threading.Event()
        self.runner = container.runner()
        self.thread = threading.Thread(target=self._run, name="projections", daemon=True)

    def _run(self) -> None:
        try:
            self.runner.run(self.stop)
        except Exception:
            log.exception("the projection runner stopped")

    def start(self) -> None:
        self.thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.thread.join(timeout)


class RequestId:
    """``X-Request-ID``: the client's, else a new one; kept in ``request.state`` and echoed.

    Pure ASGI (no per-request task group, unlike ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = (
            next(
                (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id" and v),
                None,
            )
            or uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = rid

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        await self.app(scope, receive, sending)


def create_app(container: Container, *, close_container: bool = False) -> FastAPI:
    """The HTTP API over ``container``; ``close_container`` closes it on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_collector()
        worker = ProjectionThread(container) if container.settings.run_projections else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.close()
            tokens.close()
            if close_container:
                container.close()

    app = FastAPI(
        title="Volunteer Ledger",
        version=_version(),
        description="The event-sourced audit ledger of a veterans' volunteer service programme. "
        "Authenticate with `Authorization: Bearer <token>` (from `volunteer-ledger users add`).",
        lifespan=lifespan,
    )
    tokens = TokenCache(UserStore(container.store), container.settings)
    app.state.container = container
    app.state.tokens = tokens
    app.state.read_cache = ReadCache(container, container.settings.read_cache_size)
    problems.install(app)
    metrics.install(app)  # innermost middleware: it sees the matched route template
    idempotency.install(app, container, tokens)
    limits.install(app, container.settings)  # oversize bodies claim no key, reach no route
    app.add_middleware(RequestId)

    app.include_router(ops.ops)
    for module in (ops, teams, volunteers, activities, reports, audit, chain):
        app.include_router(module.router, prefix=API_PREFIX)
    return app


def app_from_env() -> FastAPI:
    """Bootstrap from ``VL_`` settings and build the app (``uvicorn --factory``)."""
    return create_app(bootstrap(), close_container=True)
