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

from interfaces.http.idempotency import correlation_id
from tests.e2e.api_support import national_id, ok, problem
from tests.e2e.http_support import TOWNSHIP, Api

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


# A registration also claims the volunteer's national id (one event, saved with it): these
# tests count the commands' own events, so they leave the claims aside.
NOT_A_CLAIM = "aggregate_type <> 'NationalIdClaim'"


def _events(api: Api, user: str, key: str, position: int) -> list[tuple[Any, ...]]:
    """The audit trail's events recorded under the key (once it has reached ``position``)."""
    c = api.client("auditor")
    ok(c.get("/audit/events", params={"min_position": position, "limit": 1}))
    [(digest,)] = _sql(
        api,
        "SELECT request_hash FROM vl_idempotency WHERE caller = ? AND idem_key = ?",
        (user, key),
    )
    return _sql(
        api,
        "SELECT position, aggregate_id FROM au_event "
        f"WHERE correlation_id = ? AND {NOT_A_CLAIM} ORDER BY position",
        (correlation_id(user, key, digest),),
    )


def _orphaned_claim(api: Api, user: str, key: str, raw: bytes) -> None:
    """What a POST /volunteers of ``raw`` with ``key`` leaves when its server dies (or answers
    5xx) before recording anything: a claim on the key, and no response."""
    digest = hashlib.sha256(b"POST\0/api/v1/volunteers\0\0" + raw).hexdigest()
    _sql(
        api,
        "INSERT INTO vl_idempotency "
        "(caller, idem_key, request_hash, status, body, claimed_at, created_at) "
        "VALUES (?, ?, ?, NULL, NULL, ?, ?)",
        (user, key, digest, ORPHANED_AT, ORPHANED_AT),
    )


def _recorded_between(api: Api, after: int) -> list[tuple[Any, ...]]:
    """Events recorded after position ``after`` and before a fresh barrier write."""
    barrier = _post(api.client("admin"), "/volunteers", _volunteer_body("屏障"), uuid.uuid4().hex)
    position = ok(barrier, 201)["position"]
    ok(api.client("auditor").get("/audit/events", params={"min_position": position, "limit": 1}))
    return _sql(
        api,
        "SELECT position, correlation_id FROM au_event "
        f"WHERE position > ? AND position < ? AND {NOT_A_CLAIM}",
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
    _orphaned_claim(api, "staff", key, raw)
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: _post(staff, "/volunteers", raw, key), range(4)))
    bodies = [ok(r, 201) for r in responses]
    assert all(b == bodies[0] for b in bodies)
    events = _events(api, "staff", key, bodies[0]["position"])
    assert [(p, a) for p, a in events] == [(bodies[0]["position"], bodies[0]["id"])]


def test_a_request_id_cannot_plant_an_event_for_another_users_retry(api: Api) -> None:
    """A clerk records a volunteer under X-Request-ID set to the admin's key's correlation
    (the old ``idem:<user>:<key>`` form, and the form the server derives, computed from the
    admin's exact body); the admin's request with that key then failed (5xx) before
    recording. Its retry records the admin's own volunteer, not the clerk's."""
    key = uuid.uuid4().hex
    raw = json.dumps(_volunteer_body("管理员登记"), ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(b"POST\0/api/v1/volunteers\0\0" + raw).hexdigest()
    staff = api.client("staff")
    planted = [
        ok(
            staff.post("/volunteers", json=_volunteer_body("冒名"), headers={"X-Request-ID": rid}),
            201,
        )
        for rid in (f"idem:admin:{key}", correlation_id("admin", key, digest))
    ]
    _orphaned_claim(api, "admin", key, raw)

    retried = _post(api.client("admin"), "/volunteers", raw, key)
    mine = ok(retried, 201)
    assert "idempotent-replayed" not in retried.headers
    assert mine["id"] not in {p["id"] for p in planted}
    registered = ok(
        api.client("admin").get(
            f"/volunteers/{mine['id']}", params={"min_position": mine["position"]}
        )
    )
    assert registered["name"] == "管理员登记"
    trail = ok(
        api.client("auditor").get(
            "/audit/events", params={"aggregate_id": mine["id"], "min_position": mine["position"]}
        )
    )
    assert [e["actor_id"] for e in trail["items"]] == ["admin"]


def test_the_clients_request_id_is_kept_apart_and_a_bad_one_replaced(api: Api) -> None:
    staff, auditor = api.client("staff"), api.client("auditor")
    for rid, kept in (("clerk-7f3", "clerk-7f3"), ("x" * 129, None), ("带中文", None)):
        sent = staff.post(
            "/volunteers",
            json=_volunteer_body(),
            headers={"X-Request-ID": rid.encode()},
        )
        created = ok(sent, 201)
        echoed = sent.headers["x-request-id"]
        assert echoed == (kept or echoed) and (kept or len(echoed) == 32)
        trail = ok(
            auditor.get(
                "/audit/events",
                params={"aggregate_id": created["id"], "min_position": created["position"]},
            )
        )
        [event] = trail["items"]
        assert event["request_id"] == kept
        assert event["correlation_id"] != rid and len(event["correlation_id"]) == 32
