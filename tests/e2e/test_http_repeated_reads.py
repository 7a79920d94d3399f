"""Repeated ledger and ranking reads answered from memory: alike, fresh, and only to trusted callers.

On PostgreSQL an API process answers a GET it has sent before (same token, path, query and
``Accept``) without routing it again, as long as the read models have not been heard to
move and the token is still trusted; on SQLite the same requests take the full path.
Either way a caller must not be able to tell, except by speed.
"""

from __future__ import annotations

import re
import threading
import time

import httpx

from tests.e2e.api_support import ok, problem, volunteer
from tests.e2e.http_support import METRICS_AUTH, Api


def _training(course: str) -> dict[str, str]:
    return {"course": course, "hours": "2", "completed_on": "2022-03-01"}


def _requests_counted(api: Api, route: str) -> int:
    text = httpx.get(f"{api.base_url}/metrics", headers=METRICS_AUTH, timeout=15).text
    pattern = rf'vl_http_requests_total\{{method="GET",route="{re.escape(route)}",status="200"\}} ([0-9.e+]+)'
    found = re.search(pattern, text)
    return int(float(found.group(1))) if found else 0


def test_a_repeated_read_is_the_same_answer_until_a_write_moves_the_read_models(api: Api) -> None:
    staff = api.client("staff")
    vid = volunteer(staff, "复读")
    first = ok(staff.post(f"/volunteers/{vid}/trainings", json=_training("急救")))
    ledger = f"/volunteers/{vid}/ledger"
    settled = staff.get(ledger, params={"min_position": first["position"]})
    assert settled.status_code == 200, settled.text

    answers = [staff.get(ledger, headers={"X-Request-ID": f"again-{i}"}) for i in range(5)]
    for i, again in enumerate(answers):
        assert again.status_code == 200
        assert again.content == settled.content
        assert again.headers["content-type"] == settled.headers["content-type"]
        assert again.headers["x-request-id"] == f"again-{i}"  # each request's own id
    csv = [staff.get("/rankings", params={"period": "2022"}, headers={"Accept": "text/csv"})]
    csv.append(staff.get("/rankings", params={"period": "2022"}, headers={"Accept": "text/csv"}))
    as_json = staff.get("/rankings", params={"period": "2022"})
    assert csv[0].text == csv[1].text and csv[1].headers["content-type"].startswith("text/csv")
    assert as_json.headers["content-type"].startswith("application/json")

    second = ok(staff.post(f"/volunteers/{vid}/trainings", json=_training("消防")))
    moved = ok(staff.get(ledger, params={"min_position": second["position"]}))
    assert len(moved["entries"]) == len(ok(settled)["entries"]) + 1
    # the plain read that follows must not be the answer kept from before the write
    assert ok(staff.get(ledger)) == moved
    assert ok(api.client("admin").get(ledger)) == moved


def test_repeated_reads_are_counted_in_the_metrics(api: Api) -> None:
    staff = api.client("staff")
    route = "/api/v1/rankings"
    ok(staff.get("/rankings", params={"period": "2022-Q2"}))
    before = _requests_counted(api, route)
    for _ in range(7):
        ok(staff.get("/rankings", params={"period": "2022-Q2"}))
    assert _requests_counted(api, route) == before + 7


def test_only_a_still_trusted_token_gets_a_remembered_answer(api: Api) -> None:
    api.add_users({"passing": ["--role", "auditor"]})
    passing = api.client("passing")
    ranking = {"period": "2022"}
    for _ in range(3):
        ok(passing.get("/rankings", params=ranking))
    for headers in (
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Basic {api.tokens['passing']}"},
    ):
        client = httpx.Client(base_url=f"{api.base_url}/api/v1", headers=headers, timeout=15)
        problem(client.get("/rankings", params=ranking), 401)

    # Someone else keeps reading the same ranking meanwhile, so the process keeps its
    # remembered positions fresh: only the token decides what the revoked caller gets.
    stop = threading.Event()

    def keep_reading() -> None:
        with api.client("admin") as admin:
            while not stop.is_set():
                ok(admin.get("/rankings", params=ranking))

    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        revoked = api.cli("users", "revoke", "passing")
        assert revoked.returncode == 0, revoked.stderr
        # the revocation is heard at once; allow the notification a moment to arrive
        deadline = time.monotonic() + 0.5
        while passing.get("/rankings", params=ranking).status_code == 200:
            assert time.monotonic() < deadline, "a revoked token was still answered after 0.5 s"
            time.sleep(0.02)
        for _ in range(3):
            problem(passing.get("/rankings", params=ranking), 401)
    finally:
        stop.set()
        reader.join()


def test_a_first_plain_read_answers_exactly_as_the_routed_read(api: Api) -> None:
    """On PostgreSQL a process answers a first ledger or ranking read itself once its route
    has answered one like it; whatever it answers must be what the route answers (a read
    with ``min_position`` always takes the route)."""
    staff = api.client("staff")
    people = [volunteer(staff, f"初读{i}") for i in range(3)]
    last = 0
    for vid in people:
        last = ok(staff.post(f"/volunteers/{vid}/trainings", json=_training("急救")))["position"]
    ok(staff.get(f"/volunteers/{people[0]}/ledger", params={"min_position": last}))
    route = "/api/v1/volunteers/{volunteer_id}/ledger"
    counted = _requests_counted(api, route)
    reads: list[tuple[str, dict[str, str], dict[str, str]]] = [
        (f"/volunteers/{vid}/ledger", {}, {}) for vid in people
    ]
    reads += [
        (f"/volunteers/{people[1].upper()}/ledger", {}, {}),  # not canonical: routed
        ("/volunteers/00000000-0000-4000-8000-000000000000/ledger", {}, {}),  # 404
        ("/rankings", {"unit": "team", "period": "2022"}, {}),
        ("/rankings", {"unit": "team", "period": "2022"}, {"Accept": "text/csv"}),
        ("/rankings", {"unit": "station", "period": "2022-13"}, {}),  # refused
        ("/rankings", {"unit": "county", "period": "2022"}, {}),  # refused
    ]
    for path, params, headers in reads:
        routed = staff.get(path, params={**params, "min_position": "1"}, headers=headers)
        for client in (api.client("admin"), staff):  # first for this caller, then again
            plain = client.get(path, params=params, headers={**headers, "X-Request-ID": "p"})
            assert plain.status_code == routed.status_code, (path, params, plain.text)
            assert plain.content == routed.content, (path, params)
            for name in ("content-type", "content-length"):
                assert plain.headers.get(name) == routed.headers.get(name), (path, name)
            assert plain.headers["x-request-id"] == "p"
    # each plain ledger read of a canonical id counted once per caller, under its route
    assert _requests_counted(api, route) >= counted + 2 * len(people)
