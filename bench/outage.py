"""The HTTP API while its PostgreSQL store refuses or stalls, and after it comes back.

``volunteer-ledger serve`` (one API process, the projection worker in it) on a fresh
database reached through a TCP proxy (``tests/e2e/tcp_proxy.py``), which is switched
from passing to refusing (port closed, connections reset) or stalling (every byte held,
new connections accepted and never answered: a partition) for ``--outage`` seconds, then
back to passing. Meanwhile a write, a read and ``/readyz`` are each asked in a loop by
their own client. Printed per kind of outage:

- for each of the three: the seconds from the outage's start to its first 503, and the
  longest any request took during the outage (target: ≤ 5 s; a hang shows as the
  client's timeout, 30 s);
- recovery: the seconds from the store's return to the first write that succeeds
  (target ≤ 5 s), and to ``/readyz`` answering 200 again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from bench.record_hours import postgres_reachable, postgres_store
from infrastructure.settings import Settings
from tests.e2e.tcp_proxy import TcpProxy

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TOWNSHIP = "嘎鲁图镇"  # a township of the demo year, with its registered station
CLIENT_TIMEOUT = 30.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def proxied_server(settings: Settings) -> Iterator[tuple[str, str, TcpProxy]]:
    """``serve`` on ``settings``' database through a proxy; its base URL and a clerk's token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = settings.database_url
    env["VL_ACCESS_LOG"] = "false"
    key = Path(tempfile.mkdtemp(prefix="vl-outage-")) / "seal-key.pem"
    env["VL_SEAL_KEY_PATH"] = str(key)
    cli = [sys.executable, "-m", "interfaces.cli"]

    def run(*args: str) -> str:
        done = subprocess.run([*cli, *args], env=env, check=True, capture_output=True, text=True)
        return done.stdout

    run("demo", "--volunteers", "40", "--activities", "2")
    added = run("users", "add", "clerk", "--role", "station_staff", "--township", TOWNSHIP)
    token = added.strip().splitlines()[-1].strip()
    url = urlsplit(settings.database_url)
    proxy = TcpProxy((url.hostname or "127.0.0.1", url.port or 5432))
    proxied = urlunsplit(
        url._replace(netloc=f"{url.username or 'postgres'}@127.0.0.1:{proxy.port}")
    )
    port = _port()
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env={**env, "VL_DATABASE_URL": proxied},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield base, token, proxy
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proxy.close()
        shutil.rmtree(key.parent, ignore_errors=True)


@dataclass
class Prober:
    """Asks one request in a loop; remembers when each answer came and what it was."""

    name: str
    ask: Callable[[], int]
    success: int = 200
    answers: list[tuple[float, float, int]] = field(default_factory=list)  # start, end, status
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = self.ask()
            except httpx.TimeoutException:
                status = 0
            self.answers.append((started, time.monotonic(), status))
            time.sleep(0.05)

    def first(self, status: int, after: float) -> float | None:
        """Seconds from ``after`` to the first answer with ``status`` given after it."""
        found = [end for _, end, s in self.answers if end >= after and s == status]
        return min(found) - after if found else None

    def statuses(self, since: float, until: float) -> str:
        """The answers given between ``since`` and ``until``: status × count (0: timed out)."""
        seen = Counter(s for _, end, s in self.answers if since <= end < until)
        return ", ".join(f"{s}×{n}" for s, n in sorted(seen.items()))

    def slowest(self, since: float, until: float) -> float:
        return max(
            (end - start for start, end, _ in self.answers if since <= start < until), default=0
        )


def _station_of(client: httpx.Client, township: str) -> str:
    """The township's registered station, once the projections have caught up on the demo."""
    for _ in range(600):
        found = client.get(
            "/api/v1/stations", params={"level": "township", "township": township}
        ).json()
        if found["items"]:
            return str(found["items"][0]["station_id"])
        time.sleep(0.1)
    raise SystemExit(f"no station of {township} after 60 s: did the demo run?")


def _measure(base: str, token: str, proxy: TcpProxy, outage: str, seconds: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    clients = [
        httpx.Client(base_url=base, headers=headers, timeout=CLIENT_TIMEOUT) for _ in range(3)
    ]

    station_id = _station_of(clients[0], TOWNSHIP)

    def write() -> int:
        body = {
            "name": f"队{uuid.uuid4().hex[:8]}",
            "level": "township",
            "township": TOWNSHIP,
            "station_id": station_id,
        }
        return clients[0].post("/api/v1/teams", json=body).status_code

    probers = [
        Prober("write (POST /teams)", write, 201),
        Prober("read (GET /teams)", lambda: clients[1].get("/api/v1/teams").status_code),
        Prober("GET /readyz", lambda: clients[2].get("/readyz").status_code),
    ]
    threads = [threading.Thread(target=p.run, daemon=True) for p in probers]
    for t in threads:
        t.start()
    time.sleep(1.0)
    went = time.monotonic()
    getattr(proxy, outage)()
    time.sleep(seconds)
    back = time.monotonic()
    proxy.pass_through()
    deadline = back + 60
    while time.monotonic() < deadline and not all(
        p.first(p.success, back) is not None for p in probers
    ):
        time.sleep(0.1)
    for p in probers:
        p.stop.set()
    for t in threads:
        t.join(timeout=CLIENT_TIMEOUT + 5)
    for c in clients:
        c.close()
    print(f"{outage} for {seconds:g} s:")
    for p in probers:
        first = p.first(503, went)
        ok = p.first(p.success, back)
        print(
            f"  {p.name:22} first 503 after {_s(first)}, slowest answer while away "
            f"{p.slowest(went, back):.2f} s; first success {_s(ok)} after the store was back"
            f" (answers while away: {p.statuses(went, back)})"
        )


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench outage", description=__doc__)
    parser.add_argument("--outage", type=float, default=15.0, help="seconds each outage lasts")
    args = parser.parse_args(argv)
    if (problem := postgres_reachable(ADMIN_URL)) is not None:
        print(f"PostgreSQL unreachable, outage skipped: {problem}")
        return 0
    with postgres_store(ADMIN_URL) as settings, proxied_server(settings) as (base, token, proxy):
        for outage in ("stall", "refuse"):
            _measure(base, token, proxy, outage, args.outage)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
