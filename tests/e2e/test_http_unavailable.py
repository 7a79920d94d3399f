"""A store that refuses or stalls: every request gets a 503 with Retry-After, never a hang,
and writes succeed again soon after the store is back.

A real ``volunteer-ledger serve`` on PostgreSQL reached through a TCP proxy that the test
switches between passing, refusing (the port closed, connections reset) and stalling
(every byte held, new connections accepted and never answered: a partition). The
client's own timeout is the bound: a request that hangs fails the test with a timeout.
How fast each of these happens is measured by ``python -m bench outage``, not here.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from tests.clusters import free_port
from tests.e2e.api_support import ok, problem, station, team, volunteer
from tests.e2e.http_support import CLI, TOWNSHIP, Api, stop
from tests.e2e.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

PG_ADMIN_URL = os.environ.get(
    "VL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# The client gives up after this: a request that hangs fails the test. The service's own
# bounds (VL_POSTGRES_*) answer well within it.
BOUND_SECONDS = 8.0
RECOVERY_SECONDS = 30.0  # a generous bound on polling for the first write that succeeds


def _url(port: int, dbname: str) -> str:
    admin = urlsplit(PG_ADMIN_URL)
    return f"postgresql://{admin.username or 'postgres'}@127.0.0.1:{port}/{dbname}"


@pytest.fixture(scope="module")
def proxied(
    pg_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Api, TcpProxy]]:
    """``serve`` whose store is reached through a proxy; users are added directly, and a
    small programme is recorded first (an empty store would get the whole demo year)."""
    admin = urlsplit(PG_ADMIN_URL)
    proxy = TcpProxy((admin.hostname or "127.0.0.1", admin.port or 5432))
    schema = f"u_{uuid.uuid4().hex[:10]}"
    direct = _url(admin.port or 5432, pg_database)
    with psycopg.connect(direct, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    tmp = tmp_path_factory.mktemp("e2e-unavailable")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    base_env |= {
        "VL_POSTGRES_SCHEMA": schema,
        "VL_SEAL_KEY_PATH": str(tmp / "seal-key.pem"),
    }
    api = Api("", {**base_env, "VL_DATABASE_URL": direct})
    demo = api.cli("demo", "--volunteers", "40", "--activities", "2")
    assert demo.returncode == 0, demo.stderr
    api.add_users({"staff": ["--role", "station_staff", "--township", TOWNSHIP]})
    port = free_port()
    api.base_url = f"http://127.0.0.1:{port}"
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [CLI, "serve", "--port", str(port)],
        env={**base_env, "VL_DATABASE_URL": _url(proxy.port, pg_database)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(api, server, tmp / "server.log")
        yield api, proxy
    finally:
        stop(server, log)
        proxy.close()


def _wait_until_up(api: Api, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"{api.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not come up in 60 s"
        time.sleep(0.1)


def _unavailable(response: httpx.Response) -> None:
    body = problem(response, 503)
    assert body["type"].endswith("/store-unavailable"), body
    assert int(response.headers["retry-after"]) > 0


def _client(api: Api) -> httpx.Client:
    staff = api.client("staff")
    staff.timeout = httpx.Timeout(BOUND_SECONDS)
    return staff


@dataclass
class Clerk:
    """The station clerk's client, and a team and a volunteer recorded while all was well."""

    client: httpx.Client
    team_id: str
    volunteer_id: str
    station_id: str


def _every_kind_of_request_is_refused_in_time(api: Api, clerk: Clerk) -> None:
    """While the store is away: commands, reads and readiness each get a 503 with
    Retry-After before the client's bound (a hang raises httpx.ReadTimeout)."""
    staff, team_id, vid = clerk.client, clerk.team_id, clerk.volunteer_id
    body = {
        "name": "新队",
        "level": "township",
        "township": TOWNSHIP,
        "station_id": clerk.station_id,
    }
    _unavailable(staff.post("/teams", json=body))
    keyed = {"Idempotency-Key": uuid.uuid4().hex}
    _unavailable(staff.post("/teams", json=body, headers=keyed))
    _unavailable(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": vid}))
    _unavailable(staff.get("/teams"))
    _unavailable(staff.get(f"/volunteers/{vid}/ledger"))
    _unavailable(staff.get("/rankings", params={"unit": "station", "period": "2022"}))
    _unavailable(httpx.get(f"{api.base_url}/readyz", timeout=BOUND_SECONDS))
    assert httpx.get(f"{api.base_url}/healthz", timeout=BOUND_SECONDS).status_code == 200


def _writes_succeed_again(staff: httpx.Client, station_id: str) -> None:
    """After the store is back, a write succeeds (polled, each try within the client's bound)."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        name = f"恢复{uuid.uuid4().hex[:6]}"
        body = {"name": name, "level": "township", "township": TOWNSHIP, "station_id": station_id}
        response = staff.post("/teams", json=body)
        if response.status_code == 201:
            return
        _unavailable(response)
        assert time.monotonic() < deadline, f"no write succeeded {RECOVERY_SECONDS} s after"
        time.sleep(0.2)


@pytest.fixture
def clerk(proxied: tuple[Api, TcpProxy]) -> Iterator[Clerk]:
    api, proxy = proxied
    with _client(api) as staff:
        team_id = team(staff, f"断线测试队{uuid.uuid4().hex[:6]}")
        vid = volunteer(staff, "断线测试")
        written = ok(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": vid}))
        ok(staff.get(f"/volunteers/{vid}/ledger", params={"min_position": written["position"]}))
        yield Clerk(staff, team_id, vid, station(staff))
    proxy.pass_through()


@pytest.mark.parametrize("outage", ["stall", "refuse"])
def test_requests_answer_503_while_the_store_is_away_and_writes_resume_after(
    proxied: tuple[Api, TcpProxy], clerk: Clerk, outage: str
) -> None:
    api, proxy = proxied
    go_away: Callable[[], None] = getattr(proxy, outage)

    go_away()
    _every_kind_of_request_is_refused_in_time(api, clerk)

    proxy.pass_through()
    _writes_succeed_again(clerk.client, clerk.station_id)
    assert httpx.get(f"{api.base_url}/readyz", timeout=BOUND_SECONDS).status_code == 200
