"""Needs and the project library over HTTP: a need carried from raising to closure through
a project's verified activity, the service menu, masking, and the 403/404/409/422 cases.
SQLite only: the rules are the model's, tested on both stores in
tests/integration/test_needs.py."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.api_support import ok, problem, station, team, volunteer
from tests.e2e.http_support import OTHER_TOWNSHIP, TOWNSHIP, Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")


def _need(c: httpx.Client, **changes: Any) -> dict[str, Any]:
    body = {
        "township": TOWNSHIP,
        "station_id": station(c),
        "beneficiary_type": "martyr_family",
        "category": "life_difficulty",
        "description": "烈属独居老人，冬季取暖煤需要帮助搬运",
        "raised_by": {"name": "王桂兰", "contact": "13947700123"},
        **changes,
    }
    return c.post("/needs", json=body)  # type: ignore[return-value]


def _project(c: httpx.Client, team_id: str, need_ids: list[str]) -> httpx.Response:
    body = {
        "title": "烈属冬季送温暖",
        "category": "condolence_visit",
        "description": "为烈属家庭送煤并搬运入户",
        "team_id": team_id,
        "need_ids": need_ids,
        "target_beneficiaries": ["martyr_family"],
    }
    return c.post("/projects", json=body)


def _verified_activity(staff: httpx.Client, admin: httpx.Client, team_id: str, **extra: Any) -> str:
    body = {
        "title": "烈属家庭送煤",
        "category": "condolence_visit",
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(staff),
        "location": "巴彦镇",
        "starts_at": "2022-05-11T08:00:00+08:00",
        "ends_at": "2022-05-11T18:00:00+08:00",
        "beneficiary_types": ["martyr_family"],
        "capacity": 5,
        **extra,
    }
    aid = ok(staff.post("/activities", json=body), 201)["id"]
    vid = volunteer(staff)
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    hours = {
        "volunteer_id": vid,
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T12:00:00+08:00",
        "source": "checkin",
    }
    ok(staff.post(f"/activities/{aid}/hours", json=hours))
    ok(staff.post(f"/activities/{aid}/complete"))
    ok(admin.post(f"/activities/{aid}/verify"))
    return str(aid)


def test_a_need_is_carried_from_raising_to_closure_through_a_project(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    need = ok(_need(staff), 201)
    fresh = {"min_position": need["position"]}
    waiting = ok(staff.get("/needs", params={**fresh, "status": "open", "township": TOWNSHIP}))
    row = next(n for n in waiting["items"] if n["need_id"] == need["id"])
    assert row["category_zh"] == "生活困难" and isinstance(row["age_days"], int)
    assert row["raised_by"] == {"name": "王桂兰", "contact": "13947700123"}

    team_id = team(staff)
    project = ok(_project(staff, team_id, [need["id"]]), 201)
    menu = {"status": "active", "township": TOWNSHIP, "min_position": project["position"]}
    assert project["id"] not in {
        p["project_id"] for p in ok(auditor.get("/projects", params=menu))["items"]
    }
    activated = ok(staff.post(f"/projects/{project['id']}/activate"))
    menu["min_position"] = activated["position"]
    listed = ok(auditor.get("/projects", params=menu))["items"]
    entry = next(p for p in listed if p["project_id"] == project["id"])
    assert entry["need_ids"] == [need["id"]] and entry["category_zh"] == "节日慰问"

    aid = _verified_activity(staff, admin, team_id, project_id=project["id"])
    closed = ok(
        staff.post(f"/needs/{need['id']}/close", json={"activity_id": aid, "outcome": "已送煤两吨"})
    )
    fresh = {"min_position": closed["position"]}
    shown = ok(auditor.get(f"/needs/{need['id']}", params=fresh))
    assert ok(auditor.get(f"/activities/{aid}", params=fresh))["project_id"] == project["id"]
    assert (shown["status"], shown["activity_id"], shown["project_id"], shown["outcome"]) == (
        "met",
        aid,
        project["id"],
        "已送煤两吨",
    )
    assert shown["raised_by"]["contact"] == "139****0123"  # auditors read, they call no one
    assert need["id"] not in {
        n["need_id"] for n in ok(auditor.get("/needs", params={**fresh, "status": "open"}))["items"]
    }
    met = ok(auditor.get("/needs/met", params=fresh))
    by_station = {s["station_id"]: s for s in met["stations"]}
    assert by_station[station(staff)]["met"] >= 1
    by_project = {p["project_id"]: p for p in met["projects"]}
    assert by_project[project["id"]] == {
        "project_id": project["id"],
        "title": "烈属冬季送温暖",
        "status": "active",
        "township": TOWNSHIP,
        "needs_met": 1,
        "activities": 1,
    }
    trail = ok(auditor.get("/audit/events", params={**fresh, "aggregate_id": need["id"]}))
    assert [e["event_type"] for e in trail["items"]] == ["Raised", "Met"]


def test_a_need_is_declined_with_its_reason(api: Api) -> None:
    staff, auditor = api.client("staff"), api.client("auditor")
    need = ok(_need(staff), 201)
    declined = ok(staff.post(f"/needs/{need['id']}/decline", json={"reason": "已由民政部门解决"}))
    shown = ok(auditor.get(f"/needs/{need['id']}", params={"min_position": declined["position"]}))
    assert (shown["status"], shown["decline_reason"]) == ("declined", "已由民政部门解决")
    again = problem(staff.post(f"/needs/{need['id']}/decline", json={"reason": "再次"}), 409)
    assert again["rule"] == "need-closed" and "已" in again["detail_zh"]


def test_bad_need_and_project_requests_are_422_naming_the_field(api: Api) -> None:
    staff = api.client("staff")
    unknown_category = problem(_need(staff, category="no_such_thing"), 422)
    assert {e["field"] for e in unknown_category["errors"]} == {"category"}
    assert unknown_category["detail_zh"]
    bad_type = problem(_need(staff, beneficiary_type="alien"), 422)
    assert "beneficiary_type" in {e["field"] for e in bad_type["errors"]}
    no_station = problem(_need(staff, station_id=str(uuid.uuid4())), 422)
    assert {e["field"] for e in no_station["errors"]} == {"station_id"}
    no_contact = staff.post(
        "/needs",
        json={
            "township": TOWNSHIP,
            "station_id": station(staff),
            "beneficiary_type": "veteran",
            "category": "employment_difficulty",
            "description": "退役后求职",
            "raised_by": {"name": "张三"},
        },
    )
    assert "contact" in {e["field"].split(".")[-1] for e in problem(no_contact, 422)["errors"]}
    need = ok(_need(staff), 201)
    no_activity = staff.post(
        f"/needs/{need['id']}/close", json={"activity_id": str(uuid.uuid4()), "outcome": "x"}
    )
    assert {e["field"] for e in problem(no_activity, 422)["errors"]} == {"activity_id"}
    team_id = team(staff)
    no_need = problem(_project(staff, team_id, [need["id"], str(uuid.uuid4())]), 422)
    assert {e["field"] for e in no_need["errors"]} == {"need_ids[1]"}
    no_team = problem(_project(staff, str(uuid.uuid4()), []), 404)
    assert "team" in no_team["detail"]
    nobody = staff.post(
        "/projects",
        json={
            "title": "无对象",
            "category": "condolence_visit",
            "description": "x",
            "team_id": team_id,
            "target_beneficiaries": [],
        },
    )
    assert "target_beneficiaries" in {e["field"] for e in problem(nobody, 422)["errors"]}


def test_rule_conflicts_are_409_and_record_nothing(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    team_id = team(staff)
    need = ok(_need(staff), 201)
    # an activity not yet verified does not meet a need
    body = {
        "title": "未审核活动",
        "category": "condolence_visit",
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(staff),
        "location": "巴彦镇",
        "starts_at": "2022-05-11T08:00:00+08:00",
        "ends_at": "2022-05-11T18:00:00+08:00",
        "capacity": 5,
    }
    planned = ok(staff.post("/activities", json=body), 201)["id"]
    close = {"activity_id": planned, "outcome": "已办"}
    refused = problem(staff.post(f"/needs/{need['id']}/close", json=close), 409)
    assert refused["rule"] == "need-activity-verified" and "审核" in refused["detail_zh"]
    # a drafted (or closed) project takes no activity
    project = ok(_project(staff, team_id, [need["id"]]), 201)
    drafted = problem(staff.post("/activities", json={**body, "project_id": project["id"]}), 409)
    assert drafted["rule"] == "project-not-active"
    unknown = problem(
        staff.post("/activities", json={**body, "project_id": str(uuid.uuid4())}), 422
    )
    assert {e["field"] for e in unknown["errors"]} == {"project_id"}
    ok(staff.post(f"/projects/{project['id']}/activate"))
    twice = problem(staff.post(f"/projects/{project['id']}/activate"), 409)
    assert twice["rule"] == "project-status"
    # a declined need cannot be answered by a project
    declined = ok(_need(staff), 201)
    ok(staff.post(f"/needs/{declined['id']}/decline", json={"reason": "重复登记"}))
    assert problem(_project(staff, team_id, [declined["id"]]), 409)["rule"] == "need-declined"
    # still open after the refusals
    shown = ok(admin.get(f"/needs/{need['id']}", params={"min_position": declined["position"]}))
    assert (shown["status"], shown["activity_id"]) == ("open", None)


def test_who_may_raise_close_and_read_needs_and_projects(api: Api) -> None:
    staff, other, auditor, admin = (
        api.client(n) for n in ("staff", "other-staff", "auditor", "admin")
    )
    assert problem(_need(other), 403)  # another township's staff
    assert problem(_need(auditor), 403)  # auditors write nothing
    need = ok(_need(staff), 201)
    assert problem(other.post(f"/needs/{need['id']}/decline", json={"reason": "x"}), 403)
    missing = str(uuid.uuid4())
    assert problem(staff.post(f"/needs/{missing}/decline", json={"reason": "x"}), 404)
    assert problem(auditor.get(f"/needs/{missing}"), 404)
    assert problem(auditor.get(f"/projects/{missing}"), 404)
    assert problem(staff.post(f"/projects/{missing}/activate"), 404)
    team_id = team(staff)
    assert problem(_project(other, team_id, []), 403)
    project = ok(_project(staff, team_id, []), 201)
    assert problem(other.post(f"/projects/{project['id']}/activate"), 403)
    assert problem(auditor.post(f"/projects/{project['id']}/close", json={"reason": "x"}), 403)
    ok(admin.post(f"/projects/{project['id']}/close", json={"reason": "并入其他项目"}))
    # another township's staff read the need with the contact masked
    shown = ok(other.get(f"/needs/{need['id']}", params={"min_position": need["position"]}))
    assert shown["raised_by"]["contact"] == "139****0123"
    assert ok(admin.get(f"/needs/{need['id']}"))["raised_by"]["contact"] == "13947700123"
    assert problem(api.client().get("/needs"), 401)
    # station staff of the need's township may call back: they read the contact in full
    assert ok(staff.get(f"/needs/{need['id']}"))["raised_by"]["contact"] == "13947700123"


def _recorded(done: Any) -> tuple[str, int]:
    """The id and position a CLI write printed (``need <id>: version v, position p``)."""
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    return words[1].rstrip(":"), int(words[-1])


def test_needs_and_projects_from_the_command_line(api: Api) -> None:
    staff = api.client("staff")
    need_id, _ = _recorded(
        api.cli(
            "needs", "add",
            "--township", TOWNSHIP,
            "--station", station(staff),
            "--beneficiary-type", "veteran",
            "--category", "employment_difficulty",
            "--description", "退役后求职，希望参加电工培训",
            "--raised-by", "张海军",
            "--contact", "13947700456",
        )
    )  # fmt: skip
    project_id, _ = _recorded(
        api.cli(
            "projects", "add", "退役军人电工技能培训",
            "--category", "skills_training",
            "--description", "联合职业学校开展电工培训",
            "--team", team(staff),
            "--beneficiary", "veteran",
            "--need", need_id,
        )
    )  # fmt: skip
    _, activated = _recorded(api.cli("projects", "activate", project_id))
    _, declined = _recorded(api.cli("needs", "decline", need_id, "--reason", "本人已就业"))

    fresh = {"min_position": max(activated, declined)}
    need = ok(staff.get(f"/needs/{need_id}", params=fresh))
    assert (need["status"], need["decline_reason"], need["category_zh"]) == (
        "declined",
        "本人已就业",
        "就业困难",
    )
    project = ok(staff.get(f"/projects/{project_id}", params=fresh))
    assert (project["status"], project["need_ids"]) == ("active", [need_id])
    refused = api.cli("needs", "decline", need_id, "--reason", "再次")
    assert refused.returncode == 1 and "declined" in refused.stderr


def test_raising_a_need_again_with_the_same_idempotency_key_records_it_once(api: Api) -> None:
    staff = api.client("staff")
    key = {"Idempotency-Key": f"need-{uuid.uuid4()}"}
    body = {
        "township": TOWNSHIP,
        "station_id": station(staff),
        "beneficiary_type": "veteran",
        "category": "life_difficulty",
        "description": "重复提交的需求",
        "raised_by": {"name": "王桂兰", "contact": "13947700123"},
    }
    first = ok(staff.post("/needs", json=body, headers=key), 201)
    again = ok(staff.post("/needs", json=body, headers=key), 201)
    assert again == first
    changed = staff.post("/needs", json={**body, "description": "另一条"}, headers=key)
    assert problem(changed, 409)
    listed = ok(staff.get("/needs", params={"min_position": first["position"], "limit": 1000}))
    assert [n["description"] for n in listed["items"]].count("重复提交的需求") == 1


def _need_in_each_township(api: Api) -> tuple[str, str, dict[str, int]]:
    """An open need of each township, raised by its own station staff."""
    own = ok(_need(api.client("staff"), description="本镇需求·范围"), 201)
    other_staff = api.client("other-staff")
    other = ok(
        _need(
            other_staff,
            township=OTHER_TOWNSHIP,
            station_id=station(other_staff, OTHER_TOWNSHIP),
            description="他镇需求·范围",
        ),
        201,
    )
    return own["id"], other["id"], {"min_position": max(own["position"], other["position"])}


def test_a_station_clerk_lists_only_their_own_townships_needs(api: Api) -> None:
    own, other, fresh = _need_in_each_township(api)
    listed = ok(api.client("staff").get("/needs", params={**fresh, "limit": 1000}))["items"]
    assert own in {n["need_id"] for n in listed}
    assert other not in {n["need_id"] for n in listed}
    assert {n["township"] for n in listed} == {TOWNSHIP}


def test_a_station_clerk_asking_for_another_townships_needs_is_refused(api: Api) -> None:
    refused = problem(api.client("staff").get("/needs", params={"township": OTHER_TOWNSHIP}), 403)
    assert OTHER_TOWNSHIP in refused["detail_zh"]


@pytest.mark.parametrize("user", ["admin", "auditor"])
def test_the_office_and_auditors_list_needs_of_every_township(api: Api, user: str) -> None:
    own, other, fresh = _need_in_each_township(api)
    listed = ok(api.client(user).get("/needs", params={**fresh, "limit": 1000}))["items"]
    assert {own, other} <= {n["need_id"] for n in listed}
