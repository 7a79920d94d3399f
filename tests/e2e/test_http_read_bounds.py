"""Reads that wait for the read models are bounded: a ``min_position`` the log has not
reached is refused at once (422), and only ``VL_MAX_READ_WAITERS`` reads per process wait —
one more is answered 503 with Retry-After at once instead of tying up a worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.http_support import TOWNSHIP, Api
from tests.e2e.server_support import serving
from tests.e2e.test_http_api import ok, problem, team


def _head(api: Api) -> int:
    return int(httpx.get(f"{api.base_url}/readyz", timeout=15).json()["head"])


def test_a_min_position_beyond_the_head_is_refused_at_once(api: Api) -> None:
    staff = api.client("staff")
    team(staff, "读位置队")
    head = _head(api)
    body = problem(staff.get("/teams", params={"min_position": head + 1_000_000}), 422)
    assert body["errors"] == [
        {
            "field": "min_position",
            "message": f"position {head + 1_000_000} is beyond the log's head ({body['head']})",
        }
    ]
    assert body["head"] >= head
    assert ok(staff.get("/teams", params={"min_position": head}))["items"]


@pytest.fixture(scope="module")
def stalled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server whose read models never move (no projection worker), one waiter allowed."""
    tmp = tmp_path_factory.mktemp("e2e-stalled")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env |= {
        "VL_DATABASE_URL": f"sqlite:///{tmp / 'ledger.sqlite3'}",
        "VL_SEAL_KEY_PATH": str(tmp / "seal-key.pem"),
        "VL_RUN_PROJECTIONS": "false",
        "VL_MAX_READ_WAITERS": "1",
    }
    with serving(env, tmp) as api:
        api.add_users({"staff": ["--role", "station_staff", "--township", TOWNSHIP]})
        yield api


def test_reads_beyond_the_one_allowed_waiter_get_503_at_once(stalled: Api) -> None:
    staff = stalled.client("staff")
    team(staff, "停滞队")
    head = _head(stalled)
    with ThreadPoolExecutor(3) as pool:
        answers = list(
            pool.map(
                lambda _: stalled.client("staff").get("/teams", params={"min_position": head}),
                range(3),
            )
        )
    kinds = sorted(problem(a, 503)["type"].rsplit("/", 1)[1] for a in answers)
    assert kinds == ["busy", "busy", "read-models-behind"], kinds
    assert all(int(a.headers["retry-after"]) > 0 for a in answers)
