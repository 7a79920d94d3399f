"""How uvicorn serves the API: its limits, and a deadline for a request's head.

uvicorn bounds an idle keep-alive connection (``timeout_keep_alive``), the connections and
requests a process holds (``limit_concurrency``: beyond it, 503) and, with h11, the bytes
of an incomplete request head (``h11_max_incomplete_event_size``: beyond it, 431). It has
no deadline for a request head that arrives slowly: a connection sending a header byte now
and then (or nothing after connecting) stays open for ever, so 1,000 of them hold 1,000
sockets. :class:`HeadDeadline` closes a connection that has not sent a whole request head
``VL_HTTP_HEADER_TIMEOUT_SECONDS`` after connecting or after its last response. A body is
bounded by ``VL_MAX_BODY_BYTES`` (413) and the concurrency limit, not by a read deadline.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from infrastructure.settings import Settings

try:  # uvicorn's own choice ("auto"): httptools when installed, else h11
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Auto
except ImportError:  # pragma: no cover
    _Auto = H11Protocol  # type: ignore[assignment,misc]

HEADER_TIMEOUT_ATTRIBUTE = "vl_header_timeout"  # carried on uvicorn's Config (pickled to workers)


class HeadDeadline(_Auto):
    """uvicorn's HTTP protocol, closing connections whose request head is late."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._head_timeout: float = getattr(config, HEADER_TIMEOUT_ATTRIBUTE, 10.0)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._head_limit: int = config.h11_max_incomplete_event_size or 16_384
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head is due in time too

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_flight():
            # httptools has no limit of its own on a head's size; h11's is the same one
            self._head_bytes += len(data)
            if self._head_bytes > self._head_limit and not self.transport.is_closing():
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _in_flight(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = 0
        self._head_deadline = self.loop.call_later(self._head_timeout, self._head_late)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_late(self) -> None:
        self._head_deadline = None
        # A request whose head arrived is running (or sending): it is not ours to stop.
        if not self._in_flight() and not self.transport.is_closing():
            self.transport.close()


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """A uvicorn Config with our limits (``options`` adds host, port, workers and the like)."""
    config = uvicorn.Config(
        app,
        http=HeadDeadline,
        timeout_keep_alive=settings.http_timeout_keep_alive_seconds,
        limit_concurrency=settings.http_limit_concurrency,
        h11_max_incomplete_event_size=settings.http_max_header_bytes,
        log_level="info",
        access_log=settings.access_log,
        **options,
    )
    setattr(config, HEADER_TIMEOUT_ATTRIBUTE, settings.http_header_timeout_seconds)
    return config
