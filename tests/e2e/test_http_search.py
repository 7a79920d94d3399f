"""GET /volunteers?q=…: finding people over HTTP, national ids only for those who see them."""

from __future__ import annotations

import pytest

from tests.e2e.api_support import national_id, ok, problem
from tests.e2e.http_support import OTHER_TOWNSHIP, TOWNSHIP, Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")


def test_find_the_active_insured_first_aiders_of_a_township(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    nid = national_id()
    body = {
        "name": "搜索测试·巴雅尔",
        "national_id": nid,
        "phone": "13947755555",
        "person_type": "veteran",
        "township": "巴彦镇",
        "skills": ["水上救援", "急救"],
    }
    vid = ok(staff.post("/volunteers", json=body), 201)["id"]
    policy = {
        "policy_number": f"SEARCH-{vid[:6]}",
        "insurer": "人保",
        "kind": "individual",
        "covers_from": "2022-01-01",
        "covers_to": "2022-12-31",
        "sum_insured": "100000",
    }
    insured = ok(staff.post(f"/volunteers/{vid}/insurance", json=policy))
    fresh = {"min_position": insured["position"]}

    wanted = {
        **fresh,
        "q": "水上救援",
        "township": "巴彦镇",
        "status": "active",
        "insured_on": "2022-08-01",
    }
    found = ok(staff.get("/volunteers", params=wanted))["items"]
    assert [v["volunteer_id"] for v in found] == [vid]
    assert found[0]["national_id"] != nid  # masked for station staff
    assert (
        ok(staff.get("/volunteers", params={**wanted, "insured_on": "2023-08-01"}))["items"] == []
    )

    by_id = {**fresh, "q": nid}
    assert [v["volunteer_id"] for v in ok(admin.get("/volunteers", params=by_id))["items"]] == [vid]
    assert ok(staff.get("/volunteers", params=by_id))["items"] == []


def test_bad_search_filters_are_422_naming_them(api: Api) -> None:
    staff = api.client("staff")
    for params, field in (
        ({"status": "retired"}, "status"),
        ({"star_level": "-1"}, "star_level"),
        ({"insured_on": "2022-13-01"}, "insured_on"),
        ({"team_id": "not-a-team"}, "team_id"),
        ({"q": ""}, "q"),
    ):
        refused = problem(staff.get("/volunteers", params=params), 422)
        assert field in {e["field"] for e in refused["errors"]}, params


def _two_townships(api: Api) -> tuple[str, str, dict[str, int]]:
    """A volunteer of each township, registered by its own station staff, both named 范围."""
    made = {}
    for user, township, name in (
        ("staff", TOWNSHIP, "范围·巴特尔"),
        ("other-staff", OTHER_TOWNSHIP, "范围·其木格"),
    ):
        body = {
            "name": name,
            "national_id": national_id(),
            "phone": "13947711111",
            "person_type": "veteran",
            "township": township,
            "skills": ["急救"],
        }
        made[township] = ok(api.client(user).post("/volunteers", json=body), 201)
    fresh = {"min_position": max(m["position"] for m in made.values())}
    return made[TOWNSHIP]["id"], made[OTHER_TOWNSHIP]["id"], fresh


def test_a_station_clerk_finds_only_their_own_townships_volunteers(api: Api) -> None:
    own, other, fresh = _two_townships(api)
    found = ok(api.client("staff").get("/volunteers", params={**fresh, "q": "范围"}))["items"]
    assert own in {v["volunteer_id"] for v in found}
    assert other not in {v["volunteer_id"] for v in found}
    assert {v["township"] for v in found} == {TOWNSHIP}


def test_a_station_clerks_unfiltered_list_holds_only_their_township(api: Api) -> None:
    _, other, fresh = _two_townships(api)
    listed = ok(api.client("staff").get("/volunteers", params={**fresh, "limit": 1000}))["items"]
    assert listed and {v["township"] for v in listed} == {TOWNSHIP}
    assert other not in {v["volunteer_id"] for v in listed}


def test_a_station_clerk_asking_for_another_townships_volunteers_is_refused(api: Api) -> None:
    refused = problem(
        api.client("staff").get("/volunteers", params={"township": OTHER_TOWNSHIP}), 403
    )
    assert OTHER_TOWNSHIP in refused["detail_zh"]


@pytest.mark.parametrize("user", ["admin", "auditor"])
def test_the_office_and_auditors_find_volunteers_of_every_township(api: Api, user: str) -> None:
    own, other, fresh = _two_townships(api)
    found = ok(api.client(user).get("/volunteers", params={**fresh, "q": "范围"}))["items"]
    assert {own, other} <= {v["volunteer_id"] for v in found}
