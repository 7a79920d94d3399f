"""The failover drill, shared by its test and its benchmark.

A real ``volunteer-ledger serve`` on a primary and its synchronous standby (one multi-host
URL), clients registering volunteers over HTTP and keeping what was acknowledged; the
primary's postmaster is SIGKILLed, the standby promoted (deploy/postgres/promote.sh), and
the clients go on until the service writes again.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import IO

import httpx

from tests.clusters import Cluster, Clusters, free_port
from tests.drills import CLI, Ack, cli, registration

# Longer than any request may take: a request still unanswered then has hung.
HUNG_SECONDS = 30.0


def pair_url(primary: Cluster, standby: Cluster) -> str:
    """One URL for the pair; libpq tries both and keeps the one that takes writes. A
    refused or unanswered host is given up after ``connect_timeout`` seconds."""
    return (
        f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby.port}/postgres"
        "?target_session_attrs=read-write&connect_timeout=2"
    )


@dataclass
class Attempt:
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (the request hung or the connection failed)
    ack: Ack | None = None
    error: str = ""


@dataclass
class Service:
    """A ``serve`` process, its base URL and an admin's token."""

    process: subprocess.Popen[bytes]
    base_url: str
    token: str
    log: IO[bytes]
    env: dict[str, str]

    @classmethod
    def start(cls, url: str, tmp: Path, **settings: str) -> Service:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
        env |= {
            "VL_DATABASE_URL": url,
            "VL_SEAL_KEY_PATH": str(tmp / "seal-key.pem"),
            "VL_ACCESS_LOG": "false",
            **settings,
        }
        for args in (
            ("demo", "--volunteers", "3", "--activities", "2", "--townships", "1"),
            ("audit", "keygen"),
            ("audit", "seal"),
            ("users", "add", "drill", "--role", "admin"),
        ):
            done = cli(env, *args)
            assert done.returncode == 0, done.stdout + done.stderr
        return cls.serve(env, tmp, done.stdout.strip().splitlines()[-1])

    @classmethod
    def serve(cls, env: dict[str, str], tmp: Path, token: str) -> Service:
        """``serve`` on a store that is ready (``start`` made it), with ``env``."""
        port = free_port()
        log = (tmp / f"serve-{port}.log").open("wb")
        process = subprocess.Popen(
            [CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        service = cls(process, f"http://127.0.0.1:{port}", token, log, env)
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp / f"serve-{port}.log").read_text()
            try:
                if httpx.get(f"{service.base_url}/healthz", timeout=1).is_success:
                    return service
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not come up in 60 s"
            time.sleep(0.1)

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base_url}/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=HUNG_SECONDS,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Load:
    """Client threads registering volunteers over HTTP, each attempt kept."""

    def __init__(self, service: Service, clients: int = 2) -> None:
        self.service = service
        self.attempts: list[Attempt] = []
        self.lock = threading.Condition()
        self.stopping = threading.Event()
        self.serial = count(1)
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(HUNG_SECONDS + 5)

    def _run(self) -> None:
        with self.service.client() as client:
            while not self.stopping.is_set():
                body = registration(next(self.serial))
                started = time.monotonic()
                try:
                    response = client.post("/volunteers", json=body)
                except httpx.HTTPError as e:
                    attempt = Attempt(started, time.monotonic(), None, error=repr(e))
                    time.sleep(0.05)
                else:
                    attempt = Attempt(started, time.monotonic(), response.status_code)
                    if response.status_code == 201:
                        data = response.json()
                        attempt.ack = Ack(str(data["id"]), int(data["position"]))
                    else:
                        attempt.error = response.text[:300]
                        time.sleep(0.05)  # as a client honouring Retry-After would, briefly
                with self.lock:
                    self.attempts.append(attempt)
                    self.lock.notify_all()

    def acks(self) -> list[Ack]:
        with self.lock:
            return [a.ack for a in self.attempts if a.ack is not None]

    def wait(self, what: str, check: Callable[[], bool], timeout: float = 60) -> None:
        with self.lock:
            assert self.lock.wait_for(check, timeout=timeout), f"no {what} in {timeout} s"


@dataclass
class Drill:
    """What one failover drill measured."""

    resumed_after: float  # seconds from the kill to the end of the first write that succeeded
    failed: list[Attempt] = field(default_factory=list)  # answered otherwise than 201 meanwhile
    acks: list[Ack] = field(default_factory=list)


def fail_over(
    clusters: Clusters,
    primary: Cluster,
    standby: Cluster,
    load: Load,
    *,
    partition: Callable[[], None] | None = None,
) -> Drill:
    """With ``load`` writing: kill the primary, promote the standby, wait for writes again.

    ``partition``, when given, first cuts the standby off the primary, and the primary
    is killed half a second later: the writes of that half second reached the primary
    only. Acknowledging one of them would lose it (an asynchronous standby does); a
    synchronous standby's primary keeps them waiting until they fail."""
    load.wait("writes before the kill", lambda: len(load.acks()) >= 30)
    if partition is not None:
        partition()
        time.sleep(0.5)
    killed = time.monotonic()
    primary.kill()
    clusters.promote(standby)
    load.wait(
        "write after the failover",
        lambda: any(a.ack and a.started > killed for a in load.attempts),
    )
    first = min(a.ended for a in load.attempts if a.ack and a.started > killed)
    settled = len(load.acks())
    load.wait("writes after the failover", lambda: len(load.acks()) >= settled + 20)
    load.stopping.set()
    load.__exit__()
    failed = [a for a in load.attempts if a.ack is None]
    return Drill(first - killed, failed, load.acks())
