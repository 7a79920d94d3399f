"""A store that stops answering: every command and read gets a 503 with Retry-After, never a hang.

A real server on PostgreSQL reached through a TCP proxy; the proxy is cut (forwarded
connections dropped, new ones accepted and never answered). The client's own timeout is
the bound: a request that hangs fails the test with a timeout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from tests.e2e.http_support import TOWNSHIP, Api, stop
from tests.e2e.tcp_proxy import TcpProxy
from tests.e2e.test_http_api import ok, problem, team, volunteer

pytestmark = pytest.mark.postgres

PG_ADMIN_URL = os.environ.get(
    "VL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BOUND_SECONDS = 60.0  # the client gives up after this: a hang fails the test


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _url(port: int, dbname: str) -> str:
    admin = urlsplit(PG_ADMIN_URL)
    return f"postgresql://{admin.username or 'postgres'}@127.0.0.1:{port}/{dbname}"


@pytest.fixture(scope="module")
def proxied(
    pg_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Api, TcpProxy]]:
    """A server whose store is reached through a proxy; users are added directly."""
    admin = urlsplit(PG_ADMIN_URL)
    proxy = TcpProxy((admin.hostname or "127.0.0.1", admin.port or 5432))
    schema = f"u_{uuid.uuid4().hex[:10]}"
    direct = _url(admin.port or 5432, pg_database)
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    base_env |= {
        "VL_POSTGRES_SCHEMA": schema,
        "VL_POSTGRES_CONNECT_TIMEOUT_SECONDS": "2",
        "VL_POSTGRES_LOCK_TIMEOUT_SECONDS": "2",
    }
    env = {**base_env, "VL_DATABASE_URL": _url(proxy.port, pg_database)}
    tmp = tmp_path_factory.mktemp("e2e-unavailable")
    port = _free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "interfaces.http.app:app_from_env", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = Api(f"http://127.0.0.1:{port}", {**base_env, "VL_DATABASE_URL": direct})
    try:
        _wait_until_up(api, server, tmp / "server.log")
        api.add_users({"staff": ["--role", "station_staff", "--township", TOWNSHIP]})
        yield api, proxy
    finally:
        stop(server, log)
        proxy.close()


def _wait_until_up(api: Api, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{api.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not come up in 30 s"
        time.sleep(0.1)


def _unavailable(response: httpx.Response) -> None:
    body = problem(response, 503)
    assert body["type"].endswith("/store-unavailable"), body
    assert int(response.headers["retry-after"]) > 0


def test_commands_and_reads_answer_503_when_the_store_stops_answering(
    proxied: tuple[Api, TcpProxy],
) -> None:
    api, proxy = proxied
    staff = api.client("staff")
    staff.timeout = httpx.Timeout(BOUND_SECONDS)
    team_id = team(staff, "断线测试队")
    vid = volunteer(staff, "断线测试")
    written = ok(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": vid}))
    ok(staff.get(f"/volunteers/{vid}/ledger", params={"min_position": written["position"]}))

    proxy.cut()

    body = {"name": "新队", "level": "township", "township": TOWNSHIP, "station": "站"}
    _unavailable(staff.post("/teams", json=body))
    _unavailable(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": vid}))
    _unavailable(staff.get("/teams"))
    _unavailable(staff.get(f"/volunteers/{vid}/ledger"))
    _unavailable(staff.get("/rankings", params={"unit": "station", "period": "2022"}))
    ready = httpx.get(f"{api.base_url}/readyz", timeout=BOUND_SECONDS)
    _unavailable(ready)
    assert httpx.get(f"{api.base_url}/healthz", timeout=BOUND_SECONDS).status_code == 200
