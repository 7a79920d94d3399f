"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for load that the client can afford.

On a 2-core machine the client shares the CPU with the server it measures: httpx spends
about 1.5 ms of CPU per request from 16 threads (4 ms with ``AsyncClient``), so it, not
the server, set the pace. This client writes the request bytes itself and reads a
``Content-Length`` framed answer (what uvicorn sends for every response of ours): about
0.25 ms of CPU a request. One connection per simulated client; latencies are measured
from writing the request to reading the last byte of the answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import uvloop


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    def __init__(self, base: str, headers: dict[str, str]) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in {"Host": url.netloc, **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.writer is not None:
            self.writer.close()

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = "application/json"
    ) -> Answer:
        assert self.reader is not None and self.writer is not None
        head = f"{method} {path} HTTP/1.1\r\n{self.fixed}"
        if body or method == "POST":
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode("latin-1") + b"\r\n" + body)
        lines = (await self.reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = next(
            (int(line[15:]) for line in lines if line[:15].lower() == b"content-length:"), None
        )
        assert length is not None, f"no Content-Length in the answer to {method} {path}"
        return Answer(status, await self.reader.readexactly(length))

    async def post(self, path: str, payload: Any) -> Answer:
        return await self.request("POST", path, json.dumps(payload).encode())

    async def get(self, path: str) -> Answer:
        return await self.request("GET", path)


Work = Callable[[int, Connection], Awaitable[list[float]]]


def concurrently(
    clients: int, work: Work, base: str, headers: dict[str, str]
) -> tuple[float, list[float]]:
    """Run ``work(i, connection)`` for ``clients`` connections at once; wall time and latencies."""

    async def one(i: int) -> list[float]:
        async with Connection(base, headers) as connection:
            return await work(i, connection)

    async def everyone() -> tuple[float, list[float]]:
        began = time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(clients)))
        return time.perf_counter() - began, [x for r in results for x in r]

    # uvloop, as the server runs on: the standard loop costs about 2.5 times its CPU per
    # await (measured on a bare loop), taken from the server it shares the two cores with.
    return uvloop.run(everyone())
