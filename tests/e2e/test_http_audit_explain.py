"""Award explanations over real HTTP: the events behind an award and its recomputation."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e.api_support import activity, ok, problem, team, volunteer
from tests.e2e.http_support import Api


def _hours(vid: str, start: str, end: str) -> dict[str, str]:
    return {
        "volunteer_id": vid,
        "started_at": f"2022-05-11T{start}:00+08:00",
        "ended_at": f"2022-05-11T{end}:00+08:00",
        "source": "checkin",
    }


def _roles(explanation: dict[str, Any]) -> list[str]:
    return [e["role"] for e in explanation["events"]]


def _explain(c: httpx.Client, entry_id: str) -> dict[str, Any]:
    body: dict[str, Any] = ok(c.get(f"/audit/awards/{entry_id}"))
    assert body["recomputed_points"] == body["points"], body
    assert body["matches"] and all(body["checks"].values()), body["checks"]
    positions = [e["position"] for e in body["events"]]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    return body


def test_an_award_and_its_correction_are_explained_by_their_events(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    team_id = team(staff, "解释队")
    vid, other = volunteer(staff, "解释甲"), volunteer(staff, "解释乙")
    aid = activity(staff, team_id, "解释活动")
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    recorded = ok(
        staff.post(
            f"/activities/{aid}/hours",
            json=_hours(vid, "09:00", "12:40"),  # 3 h 40 min → 3.5 h × 1.0 = 3.5 points
            headers={"X-Request-ID": "sheet-0511"},
        )
    )
    ok(staff.post(f"/activities/{aid}/hours", json=_hours(other, "13:00", "15:10")))
    ok(staff.post(f"/activities/{aid}/complete"))
    verified = ok(admin.post(f"/activities/{aid}/verify"))
    entry = next(a for a in verified["awards"] if a["volunteer_id"] == vid)["entry_id"]

    first = _explain(auditor, entry)
    assert (first["points"], first["hours"]) == ("3.5", "3.5")
    assert first["volunteer_id"] == vid and first["activity_id"] == aid
    assert first["rulebook_version"] == "2022.1"
    assert first["rulebook_sha256"] == first["loaded_rulebook_sha256"]
    assert first["insurance_policy"] == f"PICC-{vid[:8]}" and first["reversed_by"] is None
    assert first["inputs"] == {
        "category": "health_education",
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T12:40:00+08:00",
        "source": "checkin",
        "attendance_version": 1,
        "service_date": "2022-05-11",
        "minutes": "220",
        "rounded_hours": "3.5",
        "already_credited_that_day": "0",
        "daily_cap_hours": "12",
        "credited_hours": "3.5",
        "multiplier": "1",
        "points_per_hour": "1",
        "earns_points": True,
    }
    assert _roles(first) == [
        "insurance",
        "planned",
        "signed_up",
        "hours_recorded",
        "verified",
        "award",
    ]
    events = {e["role"]: e for e in first["events"]}
    hours = events["hours_recorded"]
    assert hours["position"] == recorded["position"] and hours["request_id"] == "sheet-0511"
    assert hours["actor"] == "staff" and hours["actor_role"] == "station_staff"
    assert hours["aggregate_id"] == aid and hours["type"] == "HoursRecorded"
    assert events["award"]["actor"] == "admin" and events["award"]["aggregate_id"] == vid
    assert events["award"]["position"] == first["position"] <= verified["position"]
    assert events["planned"]["figures"]["category"] == "health_education"
    assert all(e["recorded_at"] and e["correlation_id"] for e in first["events"])

    # after verification an approved correction reverses the award and re-awards the
    # corrected hours
    proposed = ok(
        staff.post(
            f"/activities/{aid}/hours/{vid}/corrections",
            json={
                "started_at": "2022-05-11T09:00:00+08:00",
                "ended_at": "2022-05-11T11:20:00+08:00",
                "reason": "签退时间有误",
            },
        ),
        202,
    )
    corrected = ok(
        api.client("admin").post(
            f"/activities/{aid}/corrections/{proposed['correction_id']}/approve"
        )
    )
    new_entry, reversal = corrected["created"]["entry_id"], corrected["created"]["reversal_id"]
    second = _explain(auditor, new_entry)
    assert (second["points"], second["hours"]) == ("2.5", "2.5")  # 2 h 20 min → 2.5 h
    assert second["inputs"]["attendance_version"] == 2
    assert second["inputs"]["ended_at"] == "2022-05-11T11:20:00+08:00"
    assert second["inputs"]["already_credited_that_day"] == "0"  # the old award was reversed
    assert _roles(second) == [
        "insurance",
        "planned",
        "signed_up",
        "hours_recorded",
        "verified",
        "hours_corrected",
        "award",
    ]

    old = _explain(auditor, entry)
    assert old["reversed_by"] == reversal and old["points"] == "3.5"
    assert _roles(old)[-2:] == ["later_correction", "reversal"]
    assert old["events"][-2]["figures"]["new_award"] == new_entry

    # only awards are explained; unknown ids are 404; auditors and admins only
    not_award = problem(auditor.get(f"/audit/awards/{reversal}"), 422)
    assert "reversal" in not_award["detail"] and entry in not_award["detail"]
    assert not_award["errors"][0]["field"] == "entry_id"
    problem(auditor.get(f"/audit/awards/{uuid.uuid4()}"), 404)
    problem(auditor.get("/audit/awards/not-a-uuid"), 422)
    problem(staff.get(f"/audit/awards/{entry}"), 403)
    assert ok(admin.get(f"/audit/awards/{entry}"))["entry_id"] == entry


def test_a_decision_is_rechecked_at_the_position_it_recorded(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    team_id = team(staff, "复核队")
    vid = volunteer(staff, "复核甲")
    basis = ok(staff.post(f"/volunteers/{vid}/trainings", json=_training()))["position"]
    commend = {"title": "优秀志愿者", "period": "2022", "basis_position": basis, "reason": "复核"}
    granted = ok(admin.post(f"/volunteers/{vid}/commendations", json=commend))
    team_commend = {**commend, "title": "优秀志愿服务队"}
    commended = ok(admin.post(f"/teams/{team_id}/commendations", json=team_commend))

    checked = ok(auditor.get(f"/audit/decisions/{vid}/{granted['version']}"))
    assert checked["kind"] == "volunteer_commendation" and checked["title"] == "优秀志愿者"
    assert checked["position"] == granted["position"] and checked["decided_by"] == "admin"
    assert checked["basis_position"] == checked["replayed_to"] == basis
    # no service in 2022 by then (2 training points): not a commendation candidate
    assert checked["eligible_at_basis"] is False
    assert checked["figures"]["lifetime_points"] == "2"
    assert checked["figures"]["commendations_held"] == 0

    team_checked = ok(admin.get(f"/audit/decisions/{team_id}/{commended['version']}"))
    assert team_checked["kind"] == "team_commendation" and team_checked["period"] == "2022"
    assert team_checked["eligible_at_basis"] is False  # no verified activities at all

    assert "not a decision" in problem(auditor.get(f"/audit/decisions/{vid}/1"), 422)["detail"]
    problem(auditor.get(f"/audit/decisions/{vid}/999"), 404)
    problem(auditor.get(f"/audit/decisions/{uuid.uuid4()}/1"), 404)
    problem(auditor.get(f"/audit/decisions/{vid}/0"), 422)
    problem(staff.get(f"/audit/decisions/{vid}/{granted['version']}"), 403)


def _training() -> dict[str, str]:
    return {"course": "应急救护", "hours": "2", "completed_on": "2022-03-15"}
