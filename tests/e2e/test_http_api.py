"""The HTTP API end to end: a real server, real stores, real tokens, an HTTP client."""

from __future__ import annotations

import csv
import io
import uuid

import httpx

from tests.e2e.api_support import activity, ok, problem, station, team, volunteer
from tests.e2e.http_support import OTHER_TOWNSHIP, TOWNSHIP, Api


def test_an_activity_from_plan_to_points_and_every_read(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    team_id = team(staff)
    first, second = volunteer(staff, "王建国"), volunteer(staff, "斯琴·巴特尔")
    ok(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": first, "role": "leader"}))
    aid = activity(staff, team_id)
    for vid, (start, end) in ((first, ("09:00", "12:30")), (second, ("13:00", "17:00"))):
        ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
        hours = {
            "volunteer_id": vid,
            "started_at": f"2022-05-11T{start}:00+08:00",
            "ended_at": f"2022-05-11T{end}:00+08:00",
            "source": "checkin",
        }
        ok(staff.post(f"/activities/{aid}/hours", json=hours))
    feedback = {"satisfaction": 5, "comment": "讲得很清楚，谢谢！", "given_on": "2022-05-11"}
    ok(staff.post(f"/activities/{aid}/feedback", json=feedback), 201)
    ok(staff.post(f"/activities/{aid}/complete"))

    # four-eyes: whoever recorded the hours cannot verify them
    assert problem(staff.post(f"/activities/{aid}/verify"), 409)["rule"] == "four-eyes"
    verified = ok(admin.post(f"/activities/{aid}/verify"))
    awards = {a["volunteer_id"]: a for a in verified["awards"]}
    assert set(awards) == {first, second}
    assert awards[first]["hours"] == "3.5" and awards[second]["hours"] == "4"
    assert all(isinstance(a["points"], str) and a["rulebook_version"] for a in awards.values())
    fresh = {"min_position": verified["position"]}

    ledger = ok(staff.get(f"/volunteers/{first}/ledger", params=fresh))
    award = next(e for e in ledger["entries"] if e["kind"] == "award")
    assert award["entry_id"] == awards[first]["entry_id"]
    assert award["points"] == awards[first]["points"] and ledger["balance"] == award["points"]

    shown = ok(staff.get(f"/activities/{aid}", params=fresh))
    assert shown["status"] == "verified" and shown["title"] == "健康知识进社区"
    assert {p["volunteer_id"] for p in shown["participants"]} == {first, second}
    members = ok(staff.get(f"/teams/{team_id}", params=fresh))["members"]
    assert members == [{"volunteer_id": first, "role": "leader"}]

    eligibility = ok(staff.get("/eligibility/volunteers", params={**fresh, "limit": 1000}))
    assert first in {r["volunteer_id"] for r in eligibility["items"]}
    teams = ok(staff.get("/eligibility/teams", params={**fresh, "year": 2022}))["items"]
    assert team_id in {t["team_id"] for t in teams}

    ranking = {"unit": "team", "period": "2022-05", **fresh}
    rows = ok(staff.get("/rankings", params=ranking))["items"]
    ours = next(r for r in rows if r["unit_id"] == team_id)
    assert ours["activities"] == 1 and ours["volunteer_hours"] == "7.5"
    assert ours["mean_satisfaction"] == "5"
    as_csv = staff.get("/rankings", params=ranking, headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    csv_rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert next(r for r in csv_rows if r["unit_id"] == team_id)["name"] == "巴彦镇志愿服务队"

    covered = ok(staff.get(f"/activities/{aid}/insurance", params=fresh))["items"]
    assert {r["volunteer_id"]: r["covered"] for r in covered} == {first: True, second: True}
    gaps = ok(staff.get("/insurance/gaps", params=fresh))["items"]
    assert aid not in {g["activity_id"] for g in gaps}


def test_chinese_text_round_trips_and_national_ids_are_masked_for_non_admins(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    name = "乌力吉·额尔敦（老兵）"
    vid = volunteer(staff, name, insured=False)
    written = ok(staff.get("/volunteers/" + vid, params={"min_position": _head(api)}))
    assert written["name"] == name and written["skills"] == ["急救", "蒙汉双语"]
    full = ok(admin.get(f"/volunteers/{vid}"))["national_id"]
    assert len(full) == 18 and "*" not in full
    for caller in (staff, auditor):
        masked = ok(caller.get(f"/volunteers/{vid}"))["national_id"]
        assert masked == full[:6] + "********" + full[-4:]
        listed = ok(caller.get("/volunteers", params={"limit": 1000}))["items"]
        assert all("*" in v["national_id"] for v in listed)


def test_phone_numbers_are_masked_for_auditors_on_every_read(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    vid = volunteer(staff, "电话遮蔽", insured=False)  # phone 13800000000
    fresh = {"min_position": _head(api)}
    for caller in (staff, admin):  # those who contact volunteers see the number
        assert ok(caller.get(f"/volunteers/{vid}", params=fresh))["phone"] == "13800000000"
    assert ok(auditor.get(f"/volunteers/{vid}", params=fresh))["phone"] == "138****0000"
    listed = ok(auditor.get("/volunteers", params={"limit": 1000, **fresh}))["items"]
    assert listed and all("****" in v["phone"] for v in listed if v["phone"])


def test_bad_input_unknown_ids_and_stale_versions_are_problems(api: Api) -> None:
    staff = api.client("staff")
    missing = problem(staff.post("/teams", json={"name": "队", "level": "county"}), 422)
    assert {e["field"] for e in missing["errors"]} >= {"level", "township", "station_id"}
    team_id = team(staff, "错误测试队")
    aid = activity(staff, team_id, "错误测试")
    vid = volunteer(staff)
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    backwards = {
        "volunteer_id": vid,
        "started_at": "2022-05-11T12:00:00+08:00",
        "ended_at": "2022-05-11T09:00:00+08:00",
    }
    refused = problem(staff.post(f"/activities/{aid}/hours", json=backwards), 422)["errors"]
    assert [e["field"] for e in refused] == ["ended_at"]  # decided by the request alone
    naive = {**backwards, "started_at": "2022-05-11T09:00:00"}
    fields = problem(staff.post(f"/activities/{aid}/hours", json=naive), 422)["errors"]
    assert [e["field"] for e in fields] == ["started_at"]
    feedback = problem(staff.post(f"/activities/{aid}/feedback", json={"satisfaction": 9}), 422)
    assert feedback["errors"][0]["field"] == "satisfaction"

    unknown = uuid.uuid4()
    assert problem(staff.post(f"/activities/{unknown}/complete"), 404)["type"].endswith(
        "/not-found"
    )
    problem(staff.get(f"/teams/{unknown}"), 404)
    problem(staff.get(f"/volunteers/{unknown}/ledger"), 404)

    current = ok(staff.post(f"/activities/{aid}/feedback", json={"satisfaction": 4}), 201)[
        "version"
    ]
    stale = staff.post(f"/activities/{aid}/complete", headers={"If-Match": f'"{current - 1}"'})
    assert problem(stale, 412)["current_version"] == current
    done = staff.post(f"/activities/{aid}/complete", headers={"If-Match": f'"{current}"'})
    assert ok(done)["version"] == current + 1


def test_tokens_roles_and_scopes(api: Api) -> None:
    body = {
        "name": "审计队",
        "level": "township",
        "township": TOWNSHIP,
        "station_id": station(api.client("staff")),
    }
    anonymous = httpx.Client(base_url=f"{api.base_url}/api/v1", timeout=15)
    assert problem(anonymous.get("/me"), 401)["type"].endswith("/unauthorized")
    bogus = {"Authorization": "Bearer not-a-token"}
    problem(anonymous.get("/teams", headers=bogus), 401)
    problem(api.client("auditor").post("/teams", json=body), 403)
    assert ok(api.client("auditor").get("/teams"))["items"] is not None
    problem(api.client("other-staff").post("/teams", json=body), 403)
    team_id = team(api.client("staff"), "权限测试队")
    problem(
        api.client("other-staff").post(
            f"/teams/{team_id}/members", json={"volunteer_id": str(uuid.uuid4())}
        ),
        403,
    )
    elsewhere = {
        "township": OTHER_TOWNSHIP,
        "station_id": station(api.client("other-staff"), OTHER_TOWNSHIP),
    }
    ok(api.client("other-staff").post("/teams", json={**body, **elsewhere}), 201)

    me = ok(api.client("staff").get("/me", headers={"X-Request-ID": "req-42"}))
    assert me == {"name": "staff", "role": "station_staff", "scope": TOWNSHIP}
    echoed = api.client("staff").get("/me", headers={"X-Request-ID": "req-42"})
    assert echoed.headers["x-request-id"] == "req-42"

    api.add_users(
        {"leader": ["--role", "team_leader", "--team", team_id], "gone": ["--role", "admin"]}
    )
    leader = api.client("leader")
    own = activity(leader, team_id, "队长的活动")
    ok(leader.post(f"/activities/{own}/complete"))
    other_team = team(api.client("staff"), "别的队")
    problem(
        leader.post(
            "/activities",
            json={
                "title": "x",
                "category": "health_education",
                "team_id": other_team,
                "township": TOWNSHIP,
                "station_id": station(api.client("staff")),
                "location": "地",
                "starts_at": "2022-05-11T08:00:00+08:00",
                "ends_at": "2022-05-11T18:00:00+08:00",
                "capacity": 1,
            },
        ),
        403,
    )

    ok(api.client("gone").get("/me"))
    revoked = api.cli("users", "revoke", "gone")
    assert revoked.returncode == 0, revoked.stderr
    problem(api.client("gone").get("/me"), 401)
    listed = api.cli("users", "list")
    assert "leader" in listed.stdout and "team_leader" in listed.stdout


def test_operations_endpoints(api: Api) -> None:
    assert httpx.get(f"{api.base_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{api.base_url}/readyz").json()
    assert ready["status"] == "ready" and ready["head"] >= ready["read_position"]
    assert set(ready["projections"]) >= {"directory", "ledger", "ranking"}
    beyond = api.client("auditor").get("/teams", params={"min_position": 10**9}, timeout=20)
    assert [e["field"] for e in problem(beyond, 422)["errors"]] == ["min_position"]
    openapi = httpx.get(f"{api.base_url}/openapi.json").json()
    assert openapi["info"]["title"] == "Volunteer Ledger"
    assert "/api/v1/activities/{activity_id}/verify" in openapi["paths"]


def _head(api: Api) -> int:
    return int(httpx.get(f"{api.base_url}/readyz").json()["head"])
