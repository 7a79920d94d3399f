"""Prometheus metrics: requests by route template, latency, log head and projection lag."""

from __future__ import annotations

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

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def prometheus_metrics(request: Request) -> Response:
        """Prometheus text: requests, latency, log head, projection positions and lag."""
        container: Container = request.app.state.container
        return Response(metrics.scrape(container), media_type=CONTENT_TYPE_LATEST)

    return metrics
