"""The tamper-evident log over HTTP: seal the head, verify the chain, find a tampered event."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

import psycopg

from tests.e2e.api_support import ok, problem, volunteer
from tests.e2e.http_support import Api


def test_seal_verify_and_the_review_names_its_seal(api: Api) -> None:
    admin, auditor, staff = api.client("admin"), api.client("auditor"), api.client("staff")
    volunteer(staff, "链甲")
    seal = admin.post("/audit/seals", json={})
    assert seal.status_code == 201, seal.text
    sealed = seal.json()
    assert sealed["position"] > sealed["sealed_position"] and len(sealed["head_hash"]) == 64

    report = ok(auditor.get("/audit/verify"))
    assert report["ok"] and report["first_broken_position"] is None
    assert report["head"] >= sealed["position"] and report["checked"] == report["head"]
    assert [s["ok"] for s in report["seals"]][-1] is True
    quick = ok(auditor.get("/audit/verify", params={"from_last_seal": "true"}))
    assert quick["ok"] and quick["started_after"] == sealed["sealed_position"]

    pem = auditor.get("/audit/public-key")
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")

    review = json.loads(
        auditor.get("/reviews/2022", params={"min_position": sealed["position"]}).text
    )
    assert review["chain"]["position"] == review["position"]
    assert problem(admin.post("/audit/seals", json={"position": 10**12}), 409)["rule"] == (
        "seal-position"
    )
    problem(admin.post("/audit/seals", json={"position": 0}), 422)
    problem(admin.post("/audit/seals", json={"position": "soon"}), 422)
    again = problem(admin.post("/audit/seals", json={"position": sealed["sealed_position"]}), 409)
    assert again["rule"] == "seal-order"


def test_a_seal_behind_the_last_one_is_refused_and_verify_keeps_passing(api: Api) -> None:
    admin, auditor, staff = api.client("admin"), api.client("auditor"), api.client("staff")
    volunteer(staff, "链乙")
    sealed = admin.post("/audit/seals", json={}).json()
    head = ok(auditor.get("/audit/verify"))["head"]

    behind = problem(admin.post("/audit/seals", json={"position": 1}), 409)
    assert behind["rule"] == "seal-order"
    assert f"not after {sealed['sealed_position']}" in behind["detail"]

    report = ok(auditor.get("/audit/verify"))
    assert report["ok"] and report["head"] == head  # nothing was recorded


def test_a_tampered_event_is_named_by_verify(api: Api) -> None:
    """Last in this module: it breaks the chain of this server's store."""
    auditor, staff = api.client("auditor"), api.client("staff")
    vid = volunteer(staff, "链乙", insured=False)
    training = {"course": "急救", "hours": "2", "completed_on": "2022-03-01"}
    victim = ok(staff.post(f"/volunteers/{vid}/trainings", json=training))["position"]
    _change_state(api, victim)
    report = ok(auditor.get("/audit/verify"))
    assert not report["ok"]
    assert report["first_broken_position"] == victim
    assert str(victim) in report["problem"]


def _change_state(api: Api, position: int) -> None:
    url = api.env["VL_DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(urlsplit(url).path[1:]) as conn:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
                conn.execute(f"DROP TRIGGER {name}")
            conn.execute(
                "UPDATE stored_events SET state = CAST(? AS BLOB) WHERE rowid = ?",
                (b'{"name": "forged"}', position),
            )
        return
    table = f'"{api.env["VL_POSTGRES_SCHEMA"]}".volunteerledger_events'
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        conn.execute(
            f"UPDATE {table} SET state = %s WHERE notification_id = %s",
            (b'{"name": "forged"}', position),
        )
        conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
