"""Who may call what: every /api/v1 route in the OpenAPI schema against every kind of caller.

SQLite only (the decisions are made in the HTTP layer, the same for both stores).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.api_support import activity, national_id, ok, station, team, volunteer
from tests.e2e.benefit_support import bronze_volunteer
from tests.e2e.http_support import OTHER_TOWNSHIP, TOWNSHIP, Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")

CALLERS = (
    None,
    "revoked",
    "auditor",
    "other-staff",
    "other-leader",
    "staff",
    "leader",
    "admin",
)
ADMIN_ONLY = (
    "/commendations",
    "/star-certifications",
    "/awards/",
    "/audit/seals",
    "/group-policies",
)
AUDITORS = ("/api/v1/audit/", "/api/v1/reviews/")


@dataclass
class World:
    home_station: str  # the one new teams and activities name
    station: str  # the one the matrix renames and closes
    team: str
    volunteer: str
    other_volunteer: str
    activity: str
    entry: str
    decision_version: int
    commendation: str
    spare: str  # the volunteer the matrix suspends and withdraws (the others stay active)
    spare_team: str  # the team the matrix dissolves
    need: str  # a need of the home township, open
    project: str  # a drafted project of ``team``
    voucher: str  # a courtesy voucher of the home township, handed over by the matrix


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    staff, admin = api.client("staff"), api.client("admin")
    team_id, other_team = team(staff, "授权矩阵队"), team(staff, "另一支队")
    vid, other = volunteer(staff, "矩阵甲"), volunteer(staff, "矩阵乙")
    ok(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": vid}))
    awarded = activity(staff, team_id, "授权矩阵活动")
    ok(staff.post(f"/activities/{awarded}/signups", json={"volunteer_id": vid}))
    ok(staff.post(f"/activities/{awarded}/hours", json=_hours(vid)))
    ok(staff.post(f"/activities/{awarded}/complete"))
    entry = ok(admin.post(f"/activities/{awarded}/verify"))["awards"][0]["entry_id"]
    decision = {"title": "矩阵嘉奖", "period": "2022", "basis_position": 1, "reason": "复核用"}
    commended = ok(admin.post(f"/volunteers/{vid}/commendations", json=decision))
    decided = commended["version"]
    planned = activity(staff, team_id, "授权矩阵计划")
    ok(staff.post(f"/activities/{planned}/signups", json={"volunteer_id": vid}))
    api.add_users(
        {
            "leader": ["--role", "team_leader", "--team", team_id],
            "other-leader": ["--role", "team_leader", "--team", other_team],
            "revoked": ["--role", "admin"],
        }
    )
    assert api.cli("users", "revoke", "revoked").returncode == 0
    matrix_station = {"name": "授权矩阵站", "level": "township", "township": TOWNSHIP}
    station_id = ok(staff.post("/stations", json=matrix_station), 201)["id"]
    need = ok(staff.post("/needs", json=_need_body(station(staff))), 201)["id"]
    project = ok(staff.post("/projects", json=_project_body(team_id, need)), 201)["id"]
    return World(
        station(staff),
        station_id,
        team_id,
        vid,
        other,
        planned,
        entry,
        decided,
        commended["created"]["commendation_id"],
        volunteer(staff, "矩阵丁"),
        team(staff, "矩阵备用队"),
        need,
        project,
        _voucher(staff, admin, team_id),
    )


def _voucher(staff: httpx.Client, admin: httpx.Client, team_id: str) -> str:
    """A free courtesy benefit redeemed by a bronze volunteer: its voucher code."""
    holder, _ = bronze_volunteer(staff, admin, team_id, "矩阵戊")
    return str(
        ok(staff.post(f"/volunteers/{holder}/redemptions", json={"benefit": "haircut"}))[
            "voucher_code"
        ]
    )


def _need_body(station_id: str) -> dict[str, Any]:
    return {
        "township": TOWNSHIP,
        "station_id": station_id,
        "beneficiary_type": "veteran",
        "category": "employment_difficulty",
        "description": "退役后求职困难",
        "raised_by": {"name": "矩阵戊", "contact": "13800000009"},
    }


def _project_body(team_id: str, need_id: str) -> dict[str, Any]:
    return {
        "title": "矩阵项目",
        "category": "skills_training",
        "description": "就业技能培训",
        "team_id": team_id,
        "need_ids": [need_id],
        "target_beneficiaries": ["veteran"],
    }


def _hours(vid: str) -> dict[str, str]:
    return {
        "volunteer_id": vid,
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T11:00:00+08:00",
        "source": "checkin",
    }


def _bodies(w: World) -> dict[str, Any]:
    """A valid body for every POST route (None: the route takes none)."""
    commend = {"title": "优秀", "period": "2022", "basis_position": 1, "reason": "服务突出"}
    return {
        "/teams": {
            "name": "矩阵新队",
            "level": "township",
            "township": TOWNSHIP,
            "station_id": w.home_station,
        },
        "/teams/{team_id}/members": {"volunteer_id": w.other_volunteer},
        "/teams/{team_id}/members/{volunteer_id}/leave": {"reason": "外出务工"},
        "/teams/{team_id}/commendations": commend,
        "/volunteers": {
            "name": "矩阵丙",
            "national_id": national_id(),
            "phone": "13800000000",
            "person_type": "veteran",
            "township": TOWNSHIP,
            "skills": [],
        },
        "/volunteers/{volunteer_id}/insurance": {
            "policy_number": "PICC-MATRIX",
            "insurer": "中国人保",
            "kind": "individual",
            "covers_from": "2022-01-01",
            "covers_to": "2022-12-31",
            "sum_insured": "100000",
        },
        "/volunteers/{volunteer_id}/trainings": {
            "course": "急救",
            "hours": "1",
            "completed_on": "2022-03-01",
        },
        "/volunteers/{volunteer_id}/commendations": commend,
        "/volunteers/{volunteer_id}/star-certifications": {
            "level": 1,
            "basis_position": 1,
            "service_year": 2022,
        },
        "/volunteers/{volunteer_id}/redemptions": {"benefit": "haircut"},  # no tier: 409
        "/vouchers/{code}/use": None,
        "/awards/{entry_id}/reversal": {"reason": "记录有误"},
        "/activities": {
            "title": "矩阵活动",
            "category": "health_education",
            "team_id": w.team,
            "township": TOWNSHIP,
            "station_id": w.home_station,
            "location": "文化广场",
            "starts_at": "2022-06-01T08:00:00+08:00",
            "ends_at": "2022-06-01T18:00:00+08:00",
            "beneficiary_types": ["veteran"],
            "capacity": 5,
        },
        "/activities/{activity_id}/signups": {"volunteer_id": w.volunteer},
        "/activities/{activity_id}/hours": _hours(w.volunteer),
        "/activities/{activity_id}/signups/{volunteer_id}/withdraw": {"reason": "临时有事"},
        "/activities/{activity_id}/hours/bulk": [_hours(w.volunteer)],
        "/activities/{activity_id}/hours/{volunteer_id}/corrections": {
            "started_at": "2022-05-11T09:00:00+08:00",
            "ended_at": "2022-05-11T10:30:00+08:00",
            "reason": "签退时间有误",
        },
        "/activities/{activity_id}/beneficiaries": {"counts": {"veteran": 3}},
        "/activities/{activity_id}/feedback": {"satisfaction": 5, "comment": "好"},
        "/activities/{activity_id}/media": {
            "outlet": "内蒙古日报",
            "level": "provincial",
            "url": "https://example.cn/news/1.html",
            "published_on": "2022-05-12",
        },
        "/activities/{activity_id}/complete": None,
        "/activities/{activity_id}/cancel": {"reason": "天气原因"},
        "/activities/{activity_id}/verify": None,
        "/activities/{activity_id}/corrections/{correction_id}/approve": None,
        "/activities/{activity_id}/corrections/{correction_id}/reject": {"reason": "无需更正"},
        "/audit/seals": {},
        "/stations": {"name": "矩阵新站", "level": "township", "township": TOWNSHIP},
        "/stations/{station_id}/rename": {"name": "授权矩阵站（更名）"},
        "/stations/{station_id}/close": {"reason": "撤并"},
        "/volunteers/{volunteer_id}": {"phone": "13947700002"},
        "/volunteers/{volunteer_id}/suspend": {"reason": "外出务工"},
        "/volunteers/{volunteer_id}/reinstate": {"reason": "已返乡"},
        "/volunteers/{volunteer_id}/withdraw": {"reason": "本人申请"},
        "/volunteers/{volunteer_id}/insurance/{policy_number}/cancel": {"reason": "重复投保"},
        "/volunteers/{volunteer_id}/commendations/{commendation_id}/revoke": {"reason": "材料不实"},
        "/teams/{team_id}/dissolve": {"reason": "并入镇队"},
        "/needs": _need_body(w.home_station),
        "/needs/{need_id}/close": {"activity_id": w.activity, "outcome": "已办结"},
        "/needs/{need_id}/decline": {"reason": "已由其他部门解决"},
        "/projects": _project_body(w.team, w.need),
        "/projects/{project_id}/activate": None,
        "/projects/{project_id}/close": {"reason": "并入其他项目"},
        "/insurance/group-policies": {
            "policy_number": "PICC-MATRIX-GRP",
            "insurer": "中国人保",
            "covers_from": "2023-01-01",
            "covers_to": "2023-12-31",
            "sum_insured": "100000",
            "members": [w.other_volunteer],
        },
    }


QUERY = {
    "/api/v1/eligibility/teams": {"year": 2022},
    "/api/v1/rankings": {"period": "2022"},
    "/api/v1/insurance/uncovered": {"on": "2022-06-01"},
    "/api/v1/insurance/expiring": {"within_days": 30},
    "/api/v1/beneficiaries": {"period": "2022"},
    "/api/v1/media": {"period": "2022"},
}


def expected(method: str, path: str, caller: str | None) -> str:
    """``unauthorized``, ``forbidden`` or ``allowed``."""
    if caller in (None, "revoked"):
        return "unauthorized"
    if method == "GET" and path.endswith("/certificate"):
        # issuing a signed certificate is the office's act, or the volunteer's township's
        return "allowed" if caller in ("admin", "staff") else "forbidden"
    if method == "GET":
        if path.startswith(AUDITORS):
            return "allowed" if caller in ("admin", "auditor") else "forbidden"
        return "allowed"
    if caller == "admin":
        return "allowed"
    if caller == "auditor" or any(part in path for part in ADMIN_ONLY):
        return "forbidden"
    if caller == "staff":
        return "allowed"
    # a team's leader writes its activities and its projects
    if caller == "leader" and path.startswith(("/api/v1/activities", "/api/v1/projects")):
        return "allowed"
    return "forbidden"


def test_every_route_against_every_caller(api: Api, world: World) -> None:
    schema = httpx.get(f"{api.base_url}/openapi.json", timeout=15).json()
    routes = [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    ]
    assert len(routes) >= 38
    assert ("GET", "/api/v1/audit/awards/{entry_id}") in routes
    assert ("GET", "/api/v1/audit/decisions/{aggregate_id}/{version}") in routes
    bodies = _bodies(world)
    ids = {
        "{team_id}": world.team,
        "{policy_number}": f"PICC-{world.volunteer[:8]}",
        "{commendation_id}": world.commendation,
        "{station_id}": world.station,
        "{need_id}": world.need,
        "{project_id}": world.project,
        "{volunteer_id}": world.volunteer,
        "{activity_id}": world.activity,
        "{entry_id}": world.entry,
        "{aggregate_id}": world.volunteer,
        "{version}": str(world.decision_version),
        "{year}": "2022",
        "{correction_id}": "00000000-0000-4000-8000-000000000001",  # none: refused after auth
        "{code}": world.voucher,
        "{period}": "2022",
    }
    clients = {name: api.client(name) for name in CALLERS if name}
    clients[""] = api.client()
    wrong: list[str] = []
    for method, path in routes:
        url = path.removeprefix("/api/v1")
        if url.endswith(("/suspend", "/reinstate", "/withdraw")):
            url = url.replace("{volunteer_id}", world.spare)
        if url.endswith("/dissolve"):
            url = url.replace("{team_id}", world.spare_team)
        for key, value in ids.items():
            url = url.replace(key, value)
        assert "{" not in url, path
        local = path.removeprefix("/api/v1")
        if method != "GET":
            assert local in bodies, f"add a body for {method} {path}"
        # denied callers first: they must not change what the permitted ones find
        order = sorted(CALLERS, key=lambda c: expected(method, path, c) == "allowed")
        for caller in order:
            client = clients[caller or ""]
            if method == "GET":
                response = client.get(url, params=QUERY.get(path))
            else:
                response = client.request(method, url, json=bodies[local])
            status = response.status_code
            want = expected(method, path, caller)
            good = {
                "unauthorized": status == 401,
                "forbidden": status == 403,
                "allowed": 200 <= status < 300
                or (method == "GET" and status == 404)
                or (method != "GET" and status == 409)
                # a sheet already recorded: its rows are rejected (after authorisation)
                or (status == 422 and response.json()["title"] == "Invalid rows"),
            }[want]
            if not good:
                wrong.append(f"{method} {path} as {caller}: {status} (want {want}) {response.text}")
    assert not wrong, "\n".join(wrong)


def _other_township(api: Api) -> tuple[str, str]:
    """A team and a volunteer of the other township, made by its own station staff."""
    other = api.client("other-staff")
    team_body = {
        "name": "新民镇志愿服务队",
        "level": "township",
        "township": OTHER_TOWNSHIP,
        "station_id": station(other, OTHER_TOWNSHIP),
    }
    team_id = ok(other.post("/teams", json=team_body), 201)["id"]
    person = {
        "name": "新民镇队员",
        "national_id": national_id(),
        "phone": "13800000001",
        "person_type": "veteran",
        "township": OTHER_TOWNSHIP,
        "skills": [],
    }
    return team_id, ok(other.post("/volunteers", json=person), 201)["id"]


def _plan(team_id: str, township: str, station_id: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "township": township,
        "station_id": station_id,
        "title": "跨镇活动",
        "category": "health_education",
        "location": "文化广场",
        "starts_at": "2022-06-02T08:00:00+08:00",
        "ends_at": "2022-06-02T18:00:00+08:00",
        "beneficiary_types": ["veteran"],
        "capacity": 5,
    }


def test_a_clerk_cannot_plan_for_another_townships_team(api: Api, world: World) -> None:
    other_team, _ = _other_township(api)
    body = _plan(other_team, TOWNSHIP, world.home_station)
    refused = api.client("staff").post("/activities", json=body)
    assert refused.status_code == 403, refused.text
    assert OTHER_TOWNSHIP in refused.json()["detail"]
    ok(api.client("admin").post("/activities", json=body), 201)  # the bureau may


def test_a_team_leader_cannot_plan_in_another_township(api: Api, world: World) -> None:
    body = _plan(world.team, OTHER_TOWNSHIP, station(api.client("other-staff"), OTHER_TOWNSHIP))
    refused = api.client("leader").post("/activities", json=body)
    assert refused.status_code == 403, refused.text
    assert OTHER_TOWNSHIP in refused.json()["detail"]
    own = _plan(world.team, TOWNSHIP, world.home_station)
    ok(api.client("leader").post("/activities", json=own), 201)


def test_a_clerk_cannot_enrol_another_townships_volunteer(api: Api, world: World) -> None:
    _, stranger = _other_township(api)
    staff = api.client("staff")
    refused = staff.post(f"/teams/{world.team}/members", json={"volunteer_id": stranger})
    assert refused.status_code == 403, refused.text
    assert OTHER_TOWNSHIP in refused.json()["detail"]
    barrier = {"course": "屏障培训", "hours": "1", "completed_on": "2022-03-02"}
    position = ok(staff.post(f"/volunteers/{world.volunteer}/trainings", json=barrier))["position"]
    members = ok(staff.get(f"/teams/{world.team}", params={"min_position": position}))
    assert stranger not in str(members)  # nothing was recorded
