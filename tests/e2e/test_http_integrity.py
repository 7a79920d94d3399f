"""Integrity over HTTP: the status and problem body of each integrity rule."""

from __future__ import annotations

import httpx

from tests.e2e.api_support import activity, national_id, ok, problem, station, team, volunteer
from tests.e2e.http_support import TOWNSHIP, Api


def _volunteer(national_id: str, name: str = "王建国") -> dict[str, object]:
    return {
        "name": name,
        "national_id": national_id,
        "phone": "13800000000",
        "person_type": "veteran",
        "township": TOWNSHIP,
        "skills": [],
    }


def test_a_national_id_registered_again_is_409_naming_the_existing_volunteer(api: Api) -> None:
    staff = api.client("staff")
    number = national_id()
    first = ok(staff.post("/volunteers", json=_volunteer(number)), 201)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number)

    refused = problem(staff.post("/volunteers", json=_volunteer(full_width, "王建国（重复）")), 409)

    assert refused["rule"] == "duplicate-national-id"
    assert refused["existing_volunteer_id"] == first["id"]
    assert "一人一档" in refused["detail_zh"] and first["id"] in refused["detail_zh"]
    fresh = {"limit": 1000, "min_position": first["position"]}
    listed = ok(api.client("admin").get("/volunteers", params=fresh))["items"]
    assert [v["volunteer_id"] for v in listed if v["national_id"] == number] == [first["id"]]


def test_a_correction_to_verified_hours_waits_for_a_second_person(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    vid = volunteer(staff, "乌力吉")
    aid = activity(staff, team(staff, "四眼队"), "四眼活动")
    hours = {
        "volunteer_id": vid,
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T10:00:00+08:00",
        "source": "checkin",
    }
    ok(staff.post(f"/activities/{aid}/hours", json=hours))
    ok(staff.post(f"/activities/{aid}/complete"))
    ok(admin.post(f"/activities/{aid}/verify"))
    fix = {
        "started_at": "2022-05-11T08:00:00+08:00",
        "ended_at": "2022-05-11T12:00:00+08:00",
        "reason": "漏记",
    }

    proposed = ok(staff.post(f"/activities/{aid}/hours/{vid}/corrections", json=fix), 202)
    assert proposed["status"] == "proposed"
    approve = f"/activities/{aid}/corrections/{proposed['correction_id']}/approve"
    assert problem(staff.post(approve), 409)["rule"] == "four-eyes"
    fresh = {"min_position": proposed["position"]}
    assert ok(staff.get(f"/volunteers/{vid}/ledger", params=fresh))["balance"] == "1"

    approved = ok(admin.post(approve))

    assert [a["points"] for a in approved["awards"]] == ["4"]
    fresh = {"min_position": approved["position"]}
    assert ok(staff.get(f"/volunteers/{vid}/ledger", params=fresh))["balance"] == "4"
    (listed,) = ok(staff.get(f"/activities/{aid}/corrections", params=fresh))["items"]
    assert (listed["status"], listed["proposed_by"], listed["decided_by"]) == (
        "approved",
        "staff",
        "admin",
    )


def _shift(staff: httpx.Client, team_id: str, vid: str, hours: tuple[str, str], cat: str) -> str:
    start, end = (f"2022-06-18T{h}:00+08:00" for h in hours)
    plan = {
        "title": f"{hours[0]} 班次",
        "category": cat,
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(staff),
        "location": "巴彦镇",
        "starts_at": start,
        "ends_at": end,
        "beneficiary_types": ["public"],
        "capacity": 5,
    }
    aid = str(ok(staff.post("/activities", json=plan), 201)["id"])
    body = {"volunteer_id": vid, "started_at": start, "ended_at": end, "source": "checkin"}
    ok(staff.post(f"/activities/{aid}/hours", json=body))
    ok(staff.post(f"/activities/{aid}/complete"))
    return aid


def test_the_order_of_verification_does_not_change_the_points(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    vid = volunteer(staff, "额尔敦")
    team_id = team(staff, "班次队")
    morning = _shift(staff, team_id, vid, ("06:00", "14:00"), "emergency_rescue")
    afternoon = _shift(staff, team_id, vid, ("14:00", "22:00"), "health_education")

    ok(admin.post(f"/activities/{afternoon}/verify"))
    last = ok(admin.post(f"/activities/{morning}/verify"))

    ledger = ok(staff.get(f"/volunteers/{vid}/ledger", params={"min_position": last["position"]}))
    assert (ledger["balance"], ledger["credited_hours"]) == ("20", "12")


def test_what_the_request_and_rulebook_decide_is_422_and_conflicts_stay_409(api: Api) -> None:
    staff = api.client("staff")
    team_id = team(staff, "校验队")
    plan = {
        "title": "校验活动",
        "category": "space_travel",
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(staff),
        "location": "巴彦镇",
        "starts_at": "2022-05-11T08:00:00+08:00",
        "ends_at": "2022-05-11T18:00:00+08:00",
        "beneficiary_types": ["public"],
        "capacity": 1,
    }

    unknown = problem(staff.post("/activities", json=plan), 422)

    assert unknown["rule"] == "unknown-category"
    assert [e["field"] for e in unknown["errors"]] == ["category"]
    assert "space_travel" in unknown["detail_zh"] and "服务类别" in unknown["detail_zh"]
    aid = str(
        ok(staff.post("/activities", json={**plan, "category": "health_education"}), 201)["id"]
    )
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": volunteer(staff)}))
    full = problem(
        staff.post(f"/activities/{aid}/signups", json={"volunteer_id": volunteer(staff)}), 409
    )
    assert full["rule"] == "capacity" and "报名人数已满" in full["detail_zh"]


def test_chinese_is_asked_for_with_accept_language_and_reads_name_categories_in_chinese(
    api: Api,
) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    vid = volunteer(staff, "巴图")
    aid = activity(staff, team(staff, "中文队"), "中文活动")
    hours = {
        "volunteer_id": vid,
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T10:00:00+08:00",
        "source": "checkin",
    }
    ok(staff.post(f"/activities/{aid}/hours", json=hours))
    ok(staff.post(f"/activities/{aid}/complete"))

    refused = problem(
        staff.post(f"/activities/{aid}/verify", headers={"Accept-Language": "zh-CN"}), 409
    )

    assert refused["rule"] == "four-eyes" and refused["detail"] == refused["detail_zh"]
    assert refused["detail"].startswith("双人复核")
    verified = ok(admin.post(f"/activities/{aid}/verify"))
    fresh = {"min_position": verified["position"]}
    assert ok(staff.get(f"/activities/{aid}", params=fresh))["category_zh"] == "卫生健康知识普及"
    (entry,) = ok(staff.get(f"/volunteers/{vid}/ledger", params=fresh))["entries"]
    assert (entry["category"], entry["category_zh"]) == ("health_education", "卫生健康知识普及")


def test_a_teams_score_is_the_same_in_eligibility_and_rankings(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    for name, people in (("评分一队", 1), ("评分二队", 2)):
        team_id = team(staff, name)
        aid = activity(staff, team_id, name)
        for _ in range(people):
            body = {
                "volunteer_id": volunteer(staff),
                "started_at": "2022-05-11T09:00:00+08:00",
                "ended_at": "2022-05-11T11:00:00+08:00",
                "source": "checkin",
            }
            ok(staff.post(f"/activities/{aid}/hours", json=body))
        ok(staff.post(f"/activities/{aid}/complete"))
        last = ok(admin.post(f"/activities/{aid}/verify"))
    fresh = {"min_position": last["position"]}

    teams = ok(staff.get("/eligibility/teams", params={**fresh, "year": 2022}))["items"]
    ranked = ok(staff.get("/rankings", params={**fresh, "unit": "team", "period": "2022"}))

    by_id = {r["unit_id"]: (r["score"], r["rank"]) for r in ranked["items"]}
    assert len(teams) >= 2
    assert {t["team_id"]: (t["score"], t["rank"]) for t in teams} == by_id


def test_the_national_id_of_a_withdrawn_volunteer_is_409_pointing_to_reinstatement(
    api: Api,
) -> None:
    staff = api.client("staff")
    number = national_id()
    first = ok(staff.post("/volunteers", json=_volunteer(number)), 201)
    ok(staff.post(f"/volunteers/{first['id']}/withdraw", json={"reason": "外出务工"}))

    refused = problem(staff.post("/volunteers", json=_volunteer(number, "王建国（再登记）")), 409)

    assert refused["rule"] == "duplicate-national-id"
    assert refused["existing_volunteer_id"] == first["id"]
    assert refused["existing_volunteer_status"] == "withdrawn"
    assert refused["reinstate"] == f"/volunteers/{first['id']}/reinstate"
    assert "已退出" in refused["detail_zh"] and "恢复" in refused["detail_zh"]
    back = ok(staff.post(refused["reinstate"], json={"reason": "已返乡"}))
    shown = ok(staff.get(f"/volunteers/{first['id']}", params={"min_position": back["position"]}))
    assert shown["status"] == "active"


def _commend(admin: httpx.Client, path: str, period: str, title: str) -> httpx.Response:
    basis = {"title": title, "period": period, "basis_position": 1, "reason": "年度考评"}
    return admin.post(path, json=basis)


def test_a_second_commendation_in_one_period_is_409_and_a_later_period_is_accepted(
    api: Api,
) -> None:
    admin = api.client("admin")
    path = f"/volunteers/{volunteer(api.client('staff'), '表彰两次')}/commendations"
    first = ok(_commend(admin, path, "2022", "优秀退役军人志愿者"))

    refused = problem(_commend(admin, path, "2022", "先进个人"), 409)
    later = ok(_commend(admin, path, "2023", "优秀退役军人志愿者"))

    assert refused["rule"] == "commendation-once"
    assert "2022" in refused["detail"] and "同一期间只能表彰一次" in refused["detail_zh"]
    assert later["version"] == first["version"] + 1 and later["created"]["commendation_id"]


def test_a_team_commended_twice_in_one_period_is_409(api: Api) -> None:
    admin = api.client("admin")
    path = f"/teams/{team(api.client('staff'), '表彰两次队')}/commendations"
    ok(_commend(admin, path, "2022", "优秀志愿服务队"))

    refused = problem(_commend(admin, path, "2022", "先进集体"), 409)
    later = ok(_commend(admin, path, "2023", "优秀志愿服务队"))

    assert refused["rule"] == "commendation-once"
    assert later["created"]["commendation_id"]
