"""``volunteer-ledger serve``'s limits: bad tokens throttled, /metrics behind its token, a
slow request head cut off. One server (SQLite, a small demo year) with small limits."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.clusters import free_port
from tests.e2e.http_support import CLI, stop

FAILURES = 5  # VL_AUTH_FAILURE_LIMIT
METRICS = "limits-metrics-token"


@dataclass
class Served:
    base: str
    port: int
    admin: dict[str, str]
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("limits")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env |= {
        "VL_DATABASE_URL": f"sqlite:///{tmp / 'ledger.sqlite3'}",
        "VL_SEAL_KEY_PATH": str(tmp / "seal-key.pem"),
        "VL_ADMIN_TOKEN_PATH": str(tmp / "admin-token"),
        "VL_AUTH_FAILURE_LIMIT": str(FAILURES),
        "VL_AUTH_FAILURE_WINDOW_SECONDS": "600",
        "VL_METRICS_TOKEN": METRICS,
        "VL_HTTP_HEADER_TIMEOUT_SECONDS": "1",
    }
    demo = [CLI, "demo", "--volunteers", "4", "--activities", "2", "--townships", "1"]
    assert subprocess.run(demo, env=env, capture_output=True).returncode == 0
    port = free_port()
    log_path = tmp / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        token = (tmp / "admin-token").read_text().strip()
        yield Served(
            f"http://127.0.0.1:{port}", port, {"Authorization": f"Bearer {token}"}, log_path
        )
    finally:
        stop(server, log)


def test_metrics_need_their_token(served: Served) -> None:
    url = f"{served.base}/metrics"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers=served.admin).status_code == 401  # not a user's token
    scraped = httpx.get(url, headers={"Authorization": f"Bearer {METRICS}"})
    assert scraped.status_code == 200 and "vl_event_log_head_position" in scraped.text


def test_a_request_head_sent_slowly_is_cut_off(served: Served) -> None:
    """A connection that never finishes its request head is closed by the server (after
    VL_HTTP_HEADER_TIMEOUT_SECONDS, 1 s here); one that finishes it is answered."""
    with socket.create_connection(("127.0.0.1", served.port)) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.settimeout(30)  # a bound for a broken server, not a timing assertion
        assert slow.recv(1024) == b""  # closed by the server: end of stream, no response
    with socket.create_connection(("127.0.0.1", served.port)) as prompt:
        prompt.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        prompt.settimeout(30)
        assert prompt.recv(1024).startswith(b"HTTP/1.1 200")


def test_an_oversized_request_head_is_cut_off(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port)) as big:
        big.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65_536)
        big.settimeout(30)
        try:
            answer = big.recv(1024)
        except ConnectionResetError:
            answer = b""
        assert not answer.startswith(b"HTTP/1.1 200")


def test_bad_tokens_from_one_address_are_throttled_with_retry_after(served: Served) -> None:
    """Runs last here: the address stays throttled for the window. (The metrics test's
    wrong tokens count against the same address.)"""
    me = f"{served.base}/api/v1/me"
    statuses = [
        httpx.get(me, headers={"Authorization": f"Bearer wrong-{i}"}).status_code
        for i in range(FAILURES)
    ]
    first = statuses.index(429) if 429 in statuses else len(statuses)
    assert set(statuses[:first]) == {401} and set(statuses[first:]) <= {429}, statuses
    throttled = httpx.get(me, headers={"Authorization": "Bearer wrong-again"})
    assert throttled.status_code == 429, throttled.text
    assert 0 < int(throttled.headers["retry-after"]) <= 600
    problem = throttled.json()
    assert problem["type"].endswith("/too-many-requests") and problem["detail_zh"]
    # a right token from the throttled address waits too: it is not even looked up
    assert httpx.get(me, headers=served.admin).status_code == 429
