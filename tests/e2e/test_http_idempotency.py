"""``Idempotency-Key`` on POSTs: replays, conflicts, concurrent duplicates, crash recovery."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg

from tests.e2e.http_support import TOWNSHIP, Api
from tests.e2e.test_http_api import national_id, ok, problem

ORPHANED_AT = "2000-01-01T00:00:00+00:00"  # a claim whose server died long ago


def _sql(api: Api, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement directly against the server's database (committed)."""
    url = api.env["VL_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            rows = conn.execute(text, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    options = f"-c search_path={api.env['VL_POSTGRES_SCHEMA']}"
    with psycopg.connect(url, options=options, autocommit=True) as pg:
        cur = pg.execute(text.replace("?", "%s"), params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def _events(api: Api, user: str, key: str, position: int) -> list[tuple[Any, ...]]:
    """The audit trail's events recorded under the key (once it has reached ``position``)."""
    c = api.client("auditor")
    ok(c.get("/audit/events", params={"min_position": position, "limit": 1}))
    return _sql(
        api,
        "SELECT position, aggregate_id FROM au_event WHERE correlation_id = ? ORDER BY position",
        (f"idem:{user}:{key}",),
    )


def _recorded_between(api: Api, after: int) -> list[tuple[Any, ...]]:
    """Events recorded after position ``after`` and before a fresh barrier write."""
    barrier = _post(api.client("admin"), "/volunteers", _volunteer_body("屏障"), uuid.uuid4().hex)
    position = ok(barrier, 201)["position"]
    ok(api.client("auditor").get("/audit/events", params={"min_position": position, "limit": 1}))
    return _sql(
        api,
        "SELECT position, correlation_id FROM au_event WHERE position > ? AND position < ?",
        (after, position),
    )


def _volunteer_body(name: str = "赵志勇") -> dict[str, Any]:
    return {
        "name": name,
        "national_id": national_id(),
        "phone": "13800000000",
        "person_type": "veteran",
        "township": TOWNSHIP,
        "skills": ["急救"],
    }


def _post(
    c: httpx.Client, path: str, body: dict[str, Any] | bytes, key: str, **kw: Any
) -> httpx.Response:
    headers = {"Idempotency-Key": key}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        return c.post(path, content=body, headers=headers, **kw)
    return c.post(path, json=body, headers=headers, **kw)


def _orphan(api: Api, user: str, key: str) -> None:
    """Turn the key's row into what a server that died before answering leaves behind."""
    _sql(
        api,
        "UPDATE vl_idempotency SET status = NULL, body = NULL, claimed_at = ? "
        "WHERE caller = ? AND idem_key = ?",
        (ORPHANED_AT, user, key),
    )


def test_the_same_key_and_body_replays_the_first_response(api: Api) -> None:
    staff = api.client("staff")
    key, body = uuid.uuid4().hex, _volunteer_body()
    first = _post(staff, "/volunteers", body, key)
    created = ok(first, 201)
    assert "idempotent-replayed" not in first.headers
    again = _post(staff, "/volunteers", body, key)
    assert ok(again, 201) == created and again.headers["idempotent-replayed"] == "true"
    events = _events(api, "staff", key, created["position"])
    assert [(p, a) for p, a in events] == [(created["position"], created["id"])]
    # the audit trail has one registration only, and a new key records a new volunteer
    other = ok(_post(staff, "/volunteers", _volunteer_body("钱志勇"), uuid.uuid4().hex), 201)
    assert other["id"] != created["id"]
    # keys are per caller: another user's identical key is a different request
    admin = ok(_post(api.client("admin"), "/volunteers", _volunteer_body("孙志勇"), key), 201)
    assert admin["id"] != created["id"]


def test_the_same_key_with_another_body_or_path_is_a_conflict(api: Api) -> None:
    staff = api.client("staff")
    key, body = uuid.uuid4().hex, _volunteer_body()
    created = ok(_post(staff, "/volunteers", body, key), 201)
    clash = problem(_post(staff, "/volunteers", {**body, "phone": "13900000000"}, key), 409)
    assert clash["type"].endswith("/conflict") and key in clash["detail"]
    problem(_post(staff, f"/volunteers/{created['id']}/trainings", body, key), 409)
    assert len(_events(api, "staff", key, created["position"])) == 1


def test_a_rejected_request_releases_its_key(api: Api) -> None:
    staff = api.client("staff")
    key, body = uuid.uuid4().hex, _volunteer_body()
    problem(_post(staff, "/volunteers", {**body, "township": "别的镇"}, key), 403)
    assert _sql(api, "SELECT status FROM vl_idempotency WHERE idem_key = ?", (key,)) == []
    ok(_post(staff, "/volunteers", body, key), 201)


def test_concurrent_requests_with_one_key_record_once(api: Api) -> None:
    key = uuid.uuid4().hex
    raw = json.dumps(_volunteer_body("周志勇"), ensure_ascii=False).encode("utf-8")

    def send(_: int) -> httpx.Response:
        with api.client("staff") as c:
            return _post(c, "/volunteers", raw, key, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(send, range(8)))
    bodies = [ok(r, 201) for r in responses]
    assert all(b == bodies[0] for b in bodies)
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 1
    events = _events(api, "staff", key, bodies[0]["position"])
    assert [(p, a) for p, a in events] == [(bodies[0]["position"], bodies[0]["id"])]


def test_a_retry_after_a_crash_answers_the_recorded_result(api: Api) -> None:
    staff = api.client("staff")
    key, body = uuid.uuid4().hex, _volunteer_body("吴志勇")
    created = ok(_post(staff, "/volunteers", body, key), 201)
    _orphan(api, "staff", key)  # recorded, but the answer was lost with the server
    retried = _post(staff, "/volunteers", body, key)
    assert ok(retried, 201) == created and retried.headers["idempotent-replayed"] == "true"
    assert _recorded_between(api, created["position"]) == []
    assert len(_events(api, "staff", key, created["position"])) == 1
    assert ok(_post(staff, "/volunteers", body, key), 201) == created


def test_a_recorded_command_whose_answer_cannot_be_rebuilt_is_a_conflict(api: Api) -> None:
    staff = api.client("staff")
    vid = ok(_post(staff, "/volunteers", _volunteer_body("郑志勇"), uuid.uuid4().hex), 201)["id"]
    key = uuid.uuid4().hex
    training = {"course": "急救培训", "hours": "2", "completed_on": "2022-03-01"}
    trained = ok(_post(staff, f"/volunteers/{vid}/trainings", training, key))
    _orphan(api, "staff", key)
    lost = problem(_post(staff, f"/volunteers/{vid}/trainings", training, key), 409)
    assert lost["recorded_position"] == trained["position"] and key in lost["detail"]
    assert _recorded_between(api, trained["position"]) == []
    assert problem(_post(staff, f"/volunteers/{vid}/trainings", training, key), 409) == lost


def test_a_retry_of_a_claim_that_never_recorded_runs_it_once(api: Api) -> None:
    staff = api.client("staff")
    key = uuid.uuid4().hex
    raw = json.dumps(_volunteer_body("冯志勇"), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(b"POST\0/api/v1/volunteers\0\0" + raw).hexdigest()
    _sql(
        api,
        "INSERT INTO vl_idempotency "
        "(caller, idem_key, request_hash, status, body, claimed_at, created_at) "
        "VALUES (?, ?, ?, NULL, NULL, ?, ?)",
        ("staff", key, digest, ORPHANED_AT, ORPHANED_AT),
    )
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: _post(staff, "/volunteers", raw, key), range(4)))
    bodies = [ok(r, 201) for r in responses]
    assert all(b == bodies[0] for b in bodies)
    events = _events(api, "staff", key, bodies[0]["position"])
    assert [(p, a) for p, a in events] == [(bodies[0]["position"], bodies[0]["id"])]
