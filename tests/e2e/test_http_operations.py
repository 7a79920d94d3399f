"""The everyday operations over HTTP: profile changes, suspension, reinstatement, withdrawal,
cancelling a policy, revoking a commendation, dissolving a team — each with its reason,
each in the audit trail, each refused to callers without the right and on unknown ids.
SQLite only: the rules are the model's, tested in tests/unit."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.api_support import activity, ok, problem, team, volunteer
from tests.e2e.http_support import OTHER_TOWNSHIP, Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")

HOURS = {
    "started_at": "2022-05-11T09:00:00+08:00",
    "ended_at": "2022-05-11T11:00:00+08:00",
    "source": "checkin",
}


def _trail(api: Api, aggregate_id: str, position: int) -> list[str]:
    params = {"aggregate_id": aggregate_id, "min_position": position}
    items = ok(api.client("auditor").get("/audit/events", params=params))["items"]
    return [e["event_type"] for e in items]


def _sign_up(c: httpx.Client, activity_id: str, vid: str) -> httpx.Response:
    return c.post(f"/activities/{activity_id}/signups", json={"volunteer_id": vid})


def test_a_profile_changes_any_of_phone_skills_and_township(api: Api) -> None:
    staff = api.client("staff")
    vid = volunteer(staff, "改资料")
    changed = ok(
        staff.patch(f"/volunteers/{vid}", json={"phone": "13947700001", "skills": ["驾驶"]})
    )

    shown = ok(staff.get(f"/volunteers/{vid}", params={"min_position": changed["position"]}))
    assert (shown["phone"], shown["skills"]) == ("13947700001", ["驾驶"])
    assert _trail(api, vid, changed["position"])[-1] == "ProfileUpdated"
    empty = problem(staff.patch(f"/volunteers/{vid}", json={}), 422)
    assert "phone, skills and township" in empty["detail"] or empty["errors"]
    assert "phone" in {
        e["field"]
        for e in problem(staff.patch(f"/volunteers/{vid}", json={"phone": 5}), 422)["errors"]
    }


def test_only_those_who_write_for_both_townships_move_a_volunteer(api: Api) -> None:
    staff, other, admin = api.client("staff"), api.client("other-staff"), api.client("admin")
    vid = volunteer(staff, "迁移")
    problem(other.patch(f"/volunteers/{vid}", json={"phone": "1"}), 403)
    problem(staff.patch(f"/volunteers/{vid}", json={"township": OTHER_TOWNSHIP}), 403)
    problem(api.client("auditor").patch(f"/volunteers/{vid}", json={"phone": "1"}), 403)
    moved = ok(admin.patch(f"/volunteers/{vid}", json={"township": OTHER_TOWNSHIP}))
    shown = ok(other.get(f"/volunteers/{vid}", params={"min_position": moved["position"]}))
    assert shown["township"] == OTHER_TOWNSHIP
    problem(admin.patch(f"/volunteers/{uuid.uuid4()}", json={"phone": "1"}), 404)


def test_suspend_reinstate_and_withdraw_a_volunteer(api: Api) -> None:
    staff = api.client("staff")
    vid = volunteer(staff, "停用")
    aid = activity(staff, team(staff, "停用测试队"), "停用测试")
    reason = {"reason": "外出务工半年"}

    ok(staff.post(f"/volunteers/{vid}/suspend", json=reason))
    assert problem(_sign_up(staff, aid, vid), 409)["rule"] == "volunteer-not-active"
    assert problem(staff.post(f"/volunteers/{vid}/suspend", json=reason), 409)["rule"]
    ok(staff.post(f"/volunteers/{vid}/reinstate", json={"reason": "已返乡"}))
    ok(_sign_up(staff, aid, vid))
    again = problem(staff.post(f"/volunteers/{vid}/reinstate", json={"reason": "x"}), 409)
    assert again["rule"] == "reinstate-suspended"
    gone = ok(staff.post(f"/volunteers/{vid}/withdraw", json={"reason": "本人申请退出"}))
    refused = problem(staff.patch(f"/volunteers/{vid}", json={"phone": "1"}), 409)
    assert refused["rule"] == "volunteer-withdrawn"

    shown = ok(staff.get(f"/volunteers/{vid}", params={"min_position": gone["position"]}))
    assert shown["status"] == "withdrawn"
    assert _trail(api, vid, gone["position"])[-3:] == ["Suspended", "Reinstated", "Withdrawn"]
    for action in ("suspend", "reinstate", "withdraw"):
        problem(api.client("other-staff").post(f"/volunteers/{vid}/{action}", json=reason), 403)
        problem(staff.post(f"/volunteers/{uuid.uuid4()}/{action}", json=reason), 404)
        assert "reason" in {
            e["field"]
            for e in problem(staff.post(f"/volunteers/{vid}/{action}", json={}), 422)["errors"]
        }


def test_a_cancelled_policy_no_longer_covers_service(api: Api) -> None:
    staff = api.client("staff")
    vid = volunteer(staff, "退保")
    aid = activity(staff, team(staff, "退保测试队"), "退保测试")
    ok(_sign_up(staff, aid, vid))
    policy = f"PICC-{vid[:8]}"
    url = f"/volunteers/{vid}/insurance/{policy}/cancel"
    problem(api.client("other-staff").post(url, json={"reason": "重复投保"}), 403)
    cancelled = ok(staff.post(url, json={"reason": "重复投保"}))

    uninsured = problem(
        staff.post(f"/activities/{aid}/hours", json={**HOURS, "volunteer_id": vid}), 409
    )
    assert uninsured["rule"] == "insurance-required"
    unknown = problem(staff.post(url, json={"reason": "again"}), 409)
    assert unknown["rule"] == "policy-unknown"
    assert _trail(api, vid, cancelled["position"])[-1] == "InsuranceCancelled"


def test_an_admin_revokes_a_commendation(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    vid = volunteer(staff, "撤销表彰")
    commend = {"title": "优秀志愿者", "period": "2022", "basis_position": 1, "reason": "服务突出"}
    granted = ok(admin.post(f"/volunteers/{vid}/commendations", json=commend))
    url = f"/volunteers/{vid}/commendations/{granted['created']['commendation_id']}/revoke"

    problem(staff.post(url, json={"reason": "材料不实"}), 403)
    revoked = ok(admin.post(url, json={"reason": "材料不实"}))
    assert (
        problem(admin.post(url, json={"reason": "材料不实"}), 409)["rule"] == "commendation-unknown"
    )
    assert _trail(api, vid, revoked["position"])[-1] == "CommendationRevoked"


def test_a_dissolved_team_plans_no_more_activities(api: Api) -> None:
    staff = api.client("staff")
    team_id = team(staff, "将解散队")
    problem(api.client("other-staff").post(f"/teams/{team_id}/dissolve", json={"reason": "x"}), 403)
    dissolved = ok(
        staff.post(f"/teams/{team_id}/dissolve", json={"reason": "队员年龄偏大，并入镇队"})
    )

    shown: dict[str, Any] = ok(
        staff.get(f"/teams/{team_id}", params={"min_position": dissolved["position"]})
    )
    assert shown["dissolved"] == 1
    refused = staff.post(
        "/activities",
        json={
            "title": "解散后",
            "category": "health_education",
            "team_id": team_id,
            "township": "巴彦镇",
            "station_id": shown["station_id"],
            "location": "广场",
            "starts_at": "2022-06-01T08:00:00+08:00",
            "ends_at": "2022-06-01T18:00:00+08:00",
            "capacity": 3,
        },
    )
    assert problem(refused, 409)["rule"] == "team-dissolved"
    assert (
        problem(staff.post(f"/teams/{team_id}/dissolve", json={"reason": "x"}), 409)["rule"]
        == "team-dissolved"
    )
    problem(staff.post(f"/teams/{uuid.uuid4()}/dissolve", json={"reason": "x"}), 404)
    assert _trail(api, team_id, dissolved["position"])[-1] == "Dissolved"


def test_the_same_operations_from_the_command_line(api: Api) -> None:
    staff = api.client("staff")
    vid = volunteer(staff, "命令行")
    team_id = team(staff, "命令行队")

    for args in (
        ("volunteers", "update", vid, "--phone", "13947700003", "--skill", "电工"),
        ("volunteers", "suspend", vid, "--reason", "外出务工"),
        ("volunteers", "reinstate", vid, "--reason", "已返乡"),
        ("volunteers", "cancel-insurance", vid, f"PICC-{vid[:8]}", "--reason", "重复投保"),
        ("teams", "dissolve", team_id, "--reason", "并入镇队"),
    ):
        done = api.cli(*args)
        assert done.returncode == 0, (args, done.stderr)
    added = api.cli("stations", "add", "命令行站", "--level", "township", "--township", "巴彦镇")
    assert added.returncode == 0, added.stderr
    position = int(added.stdout.rsplit("position", 1)[1].strip())

    shown = ok(staff.get(f"/volunteers/{vid}", params={"min_position": position}))
    assert (shown["phone"], shown["skills"], shown["status"]) == ("13947700003", ["电工"], "active")
    assert ok(staff.get(f"/teams/{team_id}"))["dissolved"] == 1
    trail = ok(api.client("auditor").get("/audit/events", params={"aggregate_id": vid}))["items"]
    assert [e["event_type"] for e in trail][-4:] == [
        "ProfileUpdated",
        "Suspended",
        "Reinstated",
        "InsuranceCancelled",
    ]
    assert trail[-1]["actor_id"].startswith("cli:")

    refused = api.cli("volunteers", "reinstate", vid, "--reason", "again")
    assert refused.returncode == 1 and "not suspended" in refused.stderr
    unknown = api.cli("teams", "dissolve", str(uuid.uuid4()), "--reason", "x")
    assert unknown.returncode == 1 and "not found" in unknown.stderr
