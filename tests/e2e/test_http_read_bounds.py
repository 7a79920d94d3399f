"""Requests that wait for the read models are bounded: a ``min_position`` the log has not
reached is refused at once (422), and only ``VL_MAX_READ_WAITERS`` waits per process —
reads with ``min_position``, explanations, decision re-checks, reversals and idempotency
recovery alike — one more is answered 503 with Retry-After at once instead of tying up a
worker. Each refusal says so in Chinese too (``detail_zh``)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.e2e.api_support import ok, problem, station, team
from tests.e2e.http_support import TOWNSHIP, Api
from tests.e2e.server_support import serving


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
    assert "超出日志末端" in body["detail_zh"] and "min_position" in body["detail_zh"]
    assert ok(staff.get("/teams", params={"min_position": head}))["items"]


def test_refusals_of_hostile_input_say_what_is_wrong_in_chinese(api: Api) -> None:
    """The 422s the hardening added — a control character in a text field or in a query
    string, a time without an offset, both time-travel parameters — carry ``detail_zh``."""
    staff = api.client("staff")
    body = {
        "name": "王\u0000建国",
        "national_id": "11010519491231002X",
        "phone": "13800000000",
        "person_type": "veteran",
        "township": TOWNSHIP,
        "skills": ["急救"],
    }
    refused = problem(staff.post("/volunteers", json=body), 422)
    assert refused["errors"][0]["field"] == "name"
    assert "U+0000" in refused["errors"][0]["message"]
    assert refused["detail_zh"].startswith("请求有无效或缺失的字段：name：文字含有不允许的字符")
    query = problem(staff.get("/teams", params={"q": "a\x1b[31m"}), 422)
    assert query["detail_zh"] == "查询参数 q 含有控制字符 U+001B，不予接受"
    both = problem(
        staff.get("/rankings", params={"as_of_position": 1, "known_at": "2022-01-01T00:00:00Z"}),
        422,
    )
    assert both["detail_zh"] == "as_of_position 与 known_at 只能给出其一"
    missing = problem(staff.post("/volunteers", json={}), 422)
    assert "national_id：缺少必填项" in missing["detail_zh"]


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
        api.add_users(
            {
                "staff": ["--role", "station_staff", "--township", TOWNSHIP],
                "admin": ["--role", "admin"],
                "auditor": ["--role", "auditor"],
            }
        )
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


def _three_at_once(call: Callable[[], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(lambda _: call(), range(3)))


def _one_waited_two_refused(answers: list[httpx.Response]) -> None:
    bodies = [problem(a, 503) for a in answers]
    kinds = sorted(b["type"].rsplit("/", 1)[1] for b in bodies)
    assert kinds == ["busy", "busy", "read-models-behind"], kinds
    assert all(int(a.headers["retry-after"]) > 0 for a in answers)
    for body in bodies:
        said = "服务繁忙" if body["type"].endswith("/busy") else "数据正在更新"
        assert said in body["detail_zh"], body


def test_waits_at_the_head_share_the_bound(stalled: Api) -> None:
    """An explanation, a decision re-check and a reversal each wait for the read models to
    reach the head: one waits (and is answered 503 when they do not), two more are refused
    at once."""
    team(stalled.client("staff"), "等待上限队")
    auditor, admin = stalled.client("auditor"), stalled.client("admin")
    _one_waited_two_refused(_three_at_once(lambda: auditor.get(f"/audit/awards/{uuid4()}")))
    _one_waited_two_refused(_three_at_once(lambda: auditor.get(f"/audit/decisions/{uuid4()}/1")))
    _one_waited_two_refused(
        _three_at_once(
            lambda: admin.post(f"/awards/{uuid4()}/reversal", json={"reason": "登记有误"})
        )
    )


def test_idempotency_recovery_waits_within_the_bound(stalled: Api) -> None:
    """A retry that takes over an orphaned claim (its first attempt's server died) looks for
    what the first attempt recorded, once the read models reach the head: a wait like any
    other, bounded, and answered 503 with Retry-After (raised inside the idempotency
    middleware, where the app's exception handlers do not reach)."""
    staff = stalled.client("staff")
    body = {
        "name": "幂等恢复队",
        "level": "township",
        "township": TOWNSHIP,
        "station_id": station(staff),
    }
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    keys = [f"recover-{uuid4()}" for _ in range(3)]
    digest = hashlib.sha256(b"POST\0/api/v1/teams\0\0" + content).hexdigest()
    now = datetime.now(UTC).isoformat()
    store = Path(stalled.env["VL_DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(store) as db:  # claims whose server died mid-request
        db.executemany(
            "INSERT INTO vl_idempotency "
            "(caller, idem_key, request_hash, status, body, claimed_at, created_at) "
            "VALUES ('staff', ?, ?, NULL, NULL, '0000-01-01T00:00:00+00:00', ?)",
            [(key, digest, now) for key in keys],
        )
    pending = iter(keys)

    def retry() -> httpx.Response:
        headers = {"Idempotency-Key": next(pending), "Content-Type": "application/json"}
        return stalled.client("staff").post("/teams", content=content, headers=headers)

    _one_waited_two_refused(_three_at_once(retry))
