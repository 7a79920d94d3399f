"""Prometheus metrics: requests by route template, latency, log head and projection lag."""

from __future__ import annotations

import hmac
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.bootstrap import Container
from interfaces.http.problems import problem_response
from interfaces.http.throttle import FailureThrottle, address_key


class Metrics:
    """One registry per app, so several apps in one process do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "vl_http_requests",
            "HTTP requests by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "vl_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ("method", "route"),
            registry=self.registry,
        )
        self.head = Gauge(
            "vl_event_log_head_position",
            "The position of the last event in the log.",
            registry=self.registry,
        )
        self.position = Gauge(
            "vl_read_model_position",
            "The log position each projection has reached.",
            ("projection",),
            registry=self.registry,
        )
        self.lag = Gauge(
            "vl_read_model_lag",
            "How many log positions each projection is behind the head.",
            ("projection",),
            registry=self.registry,
        )

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        """One answered request: counted by method, route template and status, and timed."""
        self.latency.labels(method, route).observe(seconds)
        self.requests.labels(method, route, str(status)).inc()

    def scrape(self, container: Container) -> bytes:
        head = container.ledger.current_position()
        self.head.set(head)
        for name, t in container.store.tracking().items():
            self.position.labels(name).set(t["position"])
            self.lag.labels(name).set(head - t["position"])
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    """The matched route's path template with any router prefix (``unmatched`` if none).

    The route in the scope may carry only its router-local path (``/volunteers/{id}``):
    the prefix is the part of the request path before the suffix that route matches.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    regex = getattr(route, "path_regex", None)
    if not isinstance(template, str) or regex is None:
        return "unmatched"
    path = str(scope.get("path", ""))
    for i, char in enumerate(path):
        if char == "/" and regex.match(path[i:]):
            return path[:i] + template
    return template


class _Measure:
    """Pure ASGI middleware (the matched route is visible in the scope afterwards)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = route_template(scope)
            method = str(scope["method"])
            self.metrics.record(method, route, status, time.perf_counter() - started)


def install(app: FastAPI) -> Metrics:
    """Count and time every request (install before other middleware), serve ``GET /metrics``."""
    metrics = Metrics()
    app.add_middleware(_Measure, metrics=metrics)

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        responses={401: {"description": "No or the wrong token"}, 404: {"description": "Off"}},
    )
    def prometheus_metrics(request: Request) -> Response:
        """Prometheus text: requests, latency, log head, projection positions and lag.

        Only with ``Authorization: Bearer <VL_METRICS_TOKEN>``; with no such setting,
        404 (the internals it shows are not public)."""
        container: Container = request.app.state.container
        expected = container.settings.metrics_token
        if not expected:
            return problem_response(
                404, "not-found", "Not found", "metrics are off: set VL_METRICS_TOKEN to serve them"
            )
        throttle: FailureThrottle = request.app.state.auth_throttle
        address = address_key(request.client.host if request.client else None)
        wait = throttle.retry_after(address)
        if wait is not None:
            return problem_response(
                429,
                "too-many-requests",
                "Too many failed authentications",
                f"too many failed authentications from here lately; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), expected.encode()
        ):
            throttle.failed(address)
            return problem_response(
                401,
                "unauthorized",
                "Unauthorized",
                "send Authorization: Bearer <VL_METRICS_TOKEN> to read the metrics",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Response(metrics.scrape(container), media_type=CONTENT_TYPE_LATEST)

    return metrics
