"""Time travel on projection reads, the audit trail, annual reviews and metrics over HTTP."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime

import httpx

from tests.e2e.api_support import ok, problem, volunteer
from tests.e2e.http_support import METRICS_AUTH, Api


def _training(course: str) -> dict[str, str]:
    return {"course": course, "hours": "2", "completed_on": "2022-03-01"}


def test_projection_reads_travel_back_by_position_and_by_time(api: Api) -> None:
    staff = api.client("staff")
    vid = volunteer(staff, "时光", insured=False)
    first = ok(staff.post(f"/volunteers/{vid}/trainings", json=_training("急救")))
    before = ok(staff.get(f"/volunteers/{vid}/ledger", params={"min_position": first["position"]}))
    time.sleep(0.05)
    between = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    second = ok(staff.post(f"/volunteers/{vid}/trainings", json=_training("消防")))
    after = ok(staff.get(f"/volunteers/{vid}/ledger", params={"min_position": second["position"]}))
    assert len(after["entries"]) == len(before["entries"]) + 1 and after != before

    ledger = f"/volunteers/{vid}/ledger"
    assert ok(staff.get(ledger, params={"as_of_position": first["position"]})) == before
    assert ok(staff.get(ledger, params={"known_at": between})) == before
    assert ok(staff.get(ledger, params={"as_of_position": second["position"]})) == after

    # before the volunteer existed there was nothing to read
    registered = ok(staff.get(f"/volunteers/{vid}"))["position"]
    problem(staff.get(ledger, params={"as_of_position": registered - 1}), 404)
    problem(staff.get(f"/volunteers/{vid}", params={"as_of_position": registered - 1}), 404)

    # every projection read accepts it
    at = {"as_of_position": first["position"]}
    for path in (
        "/volunteers",
        "/teams",
        "/activities",
        "/eligibility/volunteers",
        "/insurance/gaps",
    ):
        assert ok(staff.get(path, params=at)) == ok(staff.get(path, params=at)), path
    ok(staff.get("/eligibility/teams", params={**at, "year": 2022}))
    ok(staff.get("/rankings", params={**at, "period": "2022"}))

    both = {"as_of_position": first["position"], "known_at": between}
    fields = {e["field"] for e in problem(staff.get(ledger, params=both), 422)["errors"]}
    assert fields == {"as_of_position", "known_at"}
    problem(staff.get(ledger, params={"known_at": "2022-01-01T00:00:00"}), 422)
    problem(staff.get(ledger, params={"as_of_position": -1}), 422)
    problem(staff.get(ledger, params={"as_of_position": 2**63}), 422)
    assert ok(staff.get(ledger, params={"as_of_position": 2**63 - 1}))["entries"]


def test_the_audit_trail_names_who_did_what_under_which_request(api: Api) -> None:
    staff, auditor, admin = api.client("staff"), api.client("auditor"), api.client("admin")
    vid = volunteer(staff, "审计", insured=False)
    sent = staff.post(
        f"/volunteers/{vid}/trainings", json=_training("急救"), headers={"X-Request-ID": "abc-123"}
    )
    done = ok(sent)
    assert sent.headers["x-request-id"] == "abc-123"
    trail = {"aggregate_id": vid, "min_position": done["position"]}
    page = ok(auditor.get("/audit/events", params=trail))
    assert [e["event_type"] for e in page["items"]] == ["Registered", "TrainingCompleted"], page
    event = page["items"][-1]
    assert event["position"] == done["position"] and event["request_id"] == "abc-123"
    # the correlation id is the server's own, never the client's header
    assert re.fullmatch(r"[0-9a-f]{32}", event["correlation_id"]), event
    assert event["actor_id"] == "staff" and event["actor_role"] == "station_staff"
    assert event["aggregate_type"] == "Volunteer" and event["recorded_at"]
    assert page["next_cursor"] is None
    assert ok(admin.get("/audit/events", params=trail)) == page

    # filters and paging
    first = ok(auditor.get("/audit/events", params={**trail, "limit": 1}))
    assert first["items"] == page["items"][:1] and first["next_cursor"]
    rest = ok(auditor.get("/audit/events", params={**trail, "cursor": first["next_cursor"]}))
    assert rest["items"] == page["items"][1:]
    typed = {"aggregate_id": vid, "type": "TrainingCompleted", "actor": "staff"}
    assert ok(auditor.get("/audit/events", params=typed))["items"] == [event]
    assert ok(auditor.get("/audit/events", params={**typed, "actor": "admin"}))["items"] == []
    window = {"aggregate_id": vid, "from": event["recorded_at"], "to": event["recorded_at"]}
    assert ok(auditor.get("/audit/events", params=window))["items"] == [event]
    later = {"aggregate_id": vid, "after_position": event["position"]}
    assert ok(auditor.get("/audit/events", params=later))["items"] == []

    problem(staff.get("/audit/events"), 403)
    problem(api.client().get("/audit/events"), 401)
    problem(auditor.get("/audit/events", params={"from": "2022-01-01T00:00:00"}), 422)
    problem(auditor.get("/audit/events", params={"cursor": "x"}), 422)


def test_annual_reviews_are_byte_identical_and_for_auditors(api: Api) -> None:
    auditor, staff = api.client("auditor"), api.client("staff")
    first = auditor.get("/reviews/2022")
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("application/json")
    second = auditor.get("/reviews/2022")
    assert second.content == first.content
    review = first.json()
    assert review["year"] == 2022 and {"totals", "volunteers", "rankings"} <= set(review)
    ok(api.client("admin").get("/reviews/2022"))
    before = ok(auditor.get("/reviews/2022", params={"known_at": "2000-01-01T00:00:00Z"}))
    assert before["position"] == 0 and before["volunteers"] == []
    problem(staff.get("/reviews/2022"), 403)
    problem(auditor.get("/reviews/1900"), 422)


def test_metrics_are_prometheus_text(api: Api) -> None:
    ok(api.client("staff").get("/me"))
    problem(api.client("staff").get(f"/volunteers/{uuid.uuid4()}"), 404)
    response = httpx.get(f"{api.base_url}/metrics", headers=METRICS_AUTH, timeout=15)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in (
        "vl_http_requests_total",
        "vl_http_request_duration_seconds_bucket",
        "vl_event_log_head_position",
        "vl_read_model_position",
        "vl_read_model_lag",
    ):
        assert f"\n{name}" in text, name
    assert 'route="/api/v1/me"' in text and 'projection="audit"' in text
    assert 'route="/api/v1/volunteers/{volunteer_id}",status="404"' in text
