"""The FastAPI application: routers under ``/api/v1``, problem+json errors, request ids.

``create_app(container)`` wires an already bootstrapped container; the lifespan runs the
projection worker in a background thread (unless ``VL_RUN_PROJECTIONS=false``) and stops
it cleanly on shutdown. ``app_from_env()`` is the uvicorn ``--factory`` entry point.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from functools import partial
from importlib import metadata

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp

from infrastructure.bootstrap import Container, bootstrap
from infrastructure.listening import Listener
from infrastructure.runtime import tune_collector
from infrastructure.users import TokenCache, UserStore
from interfaces.certificate import verify_page
from interfaces.http import idempotency, limits, metrics, problem_openapi, problems, unavailable
from interfaces.http.cold_reads import ColdReads, recognise_ledger, recognise_rankings
from interfaces.http.inputs import printable_query
from interfaces.http.readcache import ReadCache
from interfaces.http.requestid import RequestId
from interfaces.http.routers import (
    activities,
    audit,
    benefits,
    certificates,
    chain,
    corrections,
    documents,
    hours,
    insurance,
    needs,
    operations,
    ops,
    outcomes,
    recognition,
    reports,
    stations,
    teams,
    volunteers,
)
from interfaces.http.sent_answers import SentAnswers
from interfaces.http.throttle import FailureThrottle
from interfaces.web import app as console

API_PREFIX = "/api/v1"
log = logging.getLogger("volunteer_ledger.http")


def _version() -> str:
    try:
        return metadata.version("volunteer-ledger")
    except metadata.PackageNotFoundError:
        return "0.0.0"


class ProjectionThread:
    """The projection runner in a daemon thread, stopped through an event; beside it, the
    thread that takes checkpoints of the read models for time-travel reads."""

    def __init__(self, container: Container) -> None:
        self.stop = threading.Event()
        self.runner = container.runner()
        self.thread = threading.Thread(target=self._run, name="projections", daemon=True)
        self.checkpointer = container.checkpointer()

    def _run(self) -> None:
        try:
            self.runner.run(self.stop)
        except Exception:
            log.exception("the projection runner stopped")

    def start(self) -> None:
        self.thread.start()
        self.checkpointer.start()

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.checkpointer.close(timeout)
        self.thread.join(timeout)


class _LedgerAPI(FastAPI):
    """FastAPI whose whole middleware stack (error handling included) can be wrapped once
    more, by ``outermost``: for answers that need none of it."""

    outermost: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return stack if self.outermost is None else self.outermost(stack)


ROUTERS = (
    ops,
    stations,
    needs,
    teams,
    volunteers,
    recognition,
    operations,
    activities,
    hours,
    corrections,
    outcomes,
    reports,
    insurance,
    audit,
    chain,
    documents,
    certificates,
    benefits,
)


def create_app(container: Container, *, close_container: bool = False) -> FastAPI:
    """The HTTP API over ``container``; ``close_container`` closes it on shutdown."""
    container.store.hold_connections()  # reads come in bursts: no connection made then
    listener = Listener.for_settings(container.settings)
    app = _LedgerAPI(
        title="Volunteer Ledger",
        version=_version(),
        description="The event-sourced audit ledger of a veterans' volunteer service programme. "
        "Authenticate with `Authorization: Bearer <token>` (from `volunteer-ledger users add`).",
        lifespan=partial(_lifespan, container, listener, close_container),
        docs_url=None,  # served by the console from local files (interfaces.web.app)
        dependencies=[Depends(printable_query)],
    )
    _share_state(app, container, listener)
    if listener is not None:
        listener.start()
    _install_layers(app, container)
    _include_routes(app, container)
    return app


@asynccontextmanager
async def _lifespan(
    container: Container, listener: Listener | None, close_container: bool, app: FastAPI
) -> AsyncIterator[None]:
    """The projection worker runs for as long as the app does (unless turned off); then
    the worker, the listener and the container are closed, in that order."""
    tune_collector()
    with ExitStack() as closing:
        if close_container:
            closing.callback(container.close)
        if listener is not None:
            closing.callback(listener.close)
        if container.settings.run_projections:
            worker = ProjectionThread(container)
            worker.start()
            closing.callback(worker.close)
        yield


def _share_state(app: FastAPI, container: Container, listener: Listener | None) -> None:
    """What dependencies find on ``app.state``: the container, the trusted tokens, the
    sign-in failure throttle and the answer cache of live reads."""
    settings = container.settings
    app.state.container = container
    app.state.tokens = TokenCache(UserStore(container.store), settings, listener)
    app.state.auth_throttle = FailureThrottle(
        settings.auth_failure_limit, settings.auth_failure_window_seconds
    )
    app.state.read_cache = ReadCache(container, settings.read_cache_size, listener)


def _install_layers(app: _LedgerAPI, container: Container) -> None:
    """The middleware, innermost first, and outside them all the layer resending answers."""
    problems.install(app)
    measured = metrics.install(app)  # innermost middleware: it sees the matched route template
    idempotency.install(app, container, app.state.tokens)
    app.add_middleware(unavailable.UnavailableGuard)  # the store failing in a middleware: 503
    limits.install(app, container.settings)  # oversize bodies claim no key, reach no route
    app.add_middleware(RequestId)
    # Repeated reads answered outside every other layer (GET only: no body, no key).
    cold = ColdReads(
        app.state.read_cache,
        measured,
        [recognise_ledger(API_PREFIX), recognise_rankings(API_PREFIX)],
    )
    app.outermost = partial(
        SentAnswers,
        cache=app.state.read_cache,
        tokens=app.state.tokens,
        metrics=measured,
        cold=cold,
    )


def _include_routes(app: FastAPI, container: Container) -> None:
    """The API's routers under ``/api/v1`` (with their problem responses documented), the
    unprefixed probes, the console and the public certificate check."""
    app.include_router(ops.ops)
    for module in ROUTERS:
        problem_openapi.document(module.router)
        app.include_router(module.router, prefix=API_PREFIX)
    console.install(app, container)
    app.include_router(verify_page.router)  # public: a certificate's statement checked


def app_from_env() -> FastAPI:
    """Bootstrap from ``VL_`` settings and build the app (``uvicorn --factory``)."""
    return create_app(bootstrap(), close_container=True)
