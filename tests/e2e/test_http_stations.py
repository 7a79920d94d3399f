"""The stations register over HTTP: register, list, rename, close; teams and activities
naming a station; rankings by level. SQLite only: the rules are the model's, tested on
both stores in tests/integration/test_stations.py."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.api_support import ok, problem
from tests.e2e.http_support import OTHER_TOWNSHIP, TOWNSHIP, Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")


def _register(api: Api, caller: str, **body: object) -> dict:
    return api.client(caller).post("/stations", json=body)  # type: ignore[return-value]


def _fields(body: dict) -> set[str]:
    return {e["field"] for e in body["errors"]}


def test_register_list_rename_and_close_a_station(api: Api) -> None:
    staff, auditor = api.client("staff"), api.client("auditor")
    township = ok(
        staff.post(
            "/stations",
            json={"name": "图克镇测试站", "level": "township", "township": TOWNSHIP},
        ),
        201,
    )
    village = ok(
        staff.post(
            "/stations",
            json={
                "name": "梅林庙嘎查测试站",
                "level": "village",
                "township": TOWNSHIP,
                "parent_id": township["id"],
            },
        ),
        201,
    )
    renamed = ok(staff.post(f"/stations/{village['id']}/rename", json={"name": "梅林庙嘎查站"}))
    closed = ok(staff.post(f"/stations/{village['id']}/close", json={"reason": "撤并"}))
    assert closed["version"] == renamed["version"] + 1

    fresh = {"min_position": closed["position"]}
    shown = ok(auditor.get(f"/stations/{village['id']}", params=fresh))
    assert (shown["name"], shown["level"], shown["parent_id"], shown["closed"]) == (
        "梅林庙嘎查站",
        "village",
        township["id"],
        True,
    )
    assert shown["close_reason"] == "撤并"
    villages = ok(auditor.get("/stations", params={**fresh, "level": "village", "limit": 1000}))
    assert village["id"] in {s["station_id"] for s in villages["items"]}
    assert all(s["level"] == "village" for s in villages["items"])
    trail = ok(auditor.get("/audit/events", params={**fresh, "aggregate_id": village["id"]}))
    assert [e["event_type"] for e in trail["items"]] == ["Registered", "Renamed", "Closed"]
    assert {e["aggregate_type"] for e in trail["items"]} == {"Station"}


def test_bad_station_requests_are_422_naming_the_field(api: Api) -> None:
    staff = api.client("staff")
    no_parent = staff.post(
        "/stations", json={"name": "无上级", "level": "village", "township": TOWNSHIP}
    )
    assert _fields(problem(no_parent, 422)) == {"parent_id"}
    no_township = staff.post("/stations", json={"name": "无镇", "level": "township"})
    assert _fields(problem(no_township, 422)) == {"township"}
    bad_level = staff.post("/stations", json={"name": "x", "level": "county", "township": TOWNSHIP})
    assert "level" in _fields(problem(bad_level, 422))
    unknown_parent = staff.post(
        "/stations",
        json={
            "name": "父站不存在",
            "level": "village",
            "township": TOWNSHIP,
            "parent_id": str(uuid.uuid4()),
        },
    )
    assert _fields(problem(unknown_parent, 422)) == {"parent_id"}
    ranking = staff.get(
        "/rankings", params={"unit": "station", "level": "banner_centre", "period": "2022"}
    )
    assert "level" in _fields(problem(ranking, 422))


def test_a_team_or_activity_naming_an_unknown_or_closed_station(api: Api) -> None:
    staff = api.client("staff")
    typo = str(uuid.uuid4())
    team = {"name": "错站队", "level": "township", "township": TOWNSHIP, "station_id": typo}
    refused = problem(staff.post("/teams", json=team), 422)
    assert refused["errors"][0]["field"] == "station_id" and typo in refused["detail"]

    gone = ok(
        staff.post("/stations", json={"name": "将撤站", "level": "township", "township": TOWNSHIP}),
        201,
    )["id"]
    ok(staff.post(f"/stations/{gone}/close", json={"reason": "撤并"}))
    closed = problem(staff.post("/teams", json={**team, "station_id": gone}), 409)
    assert closed["rule"] == "station-closed"
    again = problem(staff.post(f"/stations/{gone}/close", json={"reason": "再撤"}), 409)
    assert again["rule"] == "station-closed"


def test_who_may_register_and_change_stations(api: Api) -> None:
    centre = {"name": "旗服务中心", "level": "banner_centre"}
    problem(api.client("staff").post("/stations", json=centre), 403)
    problem(api.client("auditor").post("/stations", json=centre), 403)
    centre_id = ok(api.client("admin").post("/stations", json=centre), 201)["id"]
    problem(api.client("staff").post(f"/stations/{centre_id}/rename", json={"name": "中心"}), 403)

    mine = {"name": "本镇站", "level": "township", "township": TOWNSHIP}
    problem(api.client("other-staff").post("/stations", json=mine), 403)
    station_id = ok(api.client("staff").post("/stations", json=mine), 201)["id"]
    problem(
        api.client("other-staff").post(f"/stations/{station_id}/close", json={"reason": "x"}), 403
    )
    ok(api.client("other-staff").post("/stations", json={**mine, "township": OTHER_TOWNSHIP}), 201)

    missing = uuid.uuid4()
    problem(api.client("admin").post(f"/stations/{missing}/rename", json={"name": "x"}), 404)
    problem(api.client("admin").get(f"/stations/{missing}"), 404)
