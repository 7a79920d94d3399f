"""Insurance purchasing over HTTP: group policies all or nothing, uncovered, expiring."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.api_support import national_id, ok, problem, volunteer
from tests.e2e.http_support import Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")


def _policy(members: list[str], number: str = "PICC-2023-E2E") -> dict[str, object]:
    return {
        "policy_number": number,
        "insurer": "中国人民财产保险股份有限公司鄂尔多斯市分公司",
        "covers_from": "2023-01-01",
        "covers_to": "2023-12-31",
        "sum_insured": "100000",
        "members": members,
    }


def test_a_group_policy_by_ids_and_national_ids_then_nobody_is_uncovered(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    first = volunteer(staff, "团险甲", insured=False)
    nid = national_id()
    body = {
        "name": "团险乙",
        "national_id": nid,
        "phone": "13900000000",
        "person_type": "veteran",
        "township": "巴彦镇",
        "skills": [],
    }
    created = ok(staff.post("/volunteers", json=body), 201)
    second, seen = created["id"], {"min_position": created["position"]}
    registered = ok(admin.get(f"/volunteers/{second}", params=seen))  # the directory knows it
    assert registered["national_id"] == nid

    before = ok(staff.get("/insurance/uncovered", params={"on": "2023-03-01", **seen}))["items"]
    assert {first, second} <= {r["volunteer_id"] for r in before}
    problem(staff.post("/insurance/group-policies", json=_policy([first, nid])), 403)
    recorded = ok(admin.post("/insurance/group-policies", json=_policy([first, nid])), 201)

    fresh = {"on": "2023-03-01", "min_position": recorded["position"]}
    after = ok(staff.get("/insurance/uncovered", params=fresh))["items"]
    assert not {first, second} & {r["volunteer_id"] for r in after}
    ending = ok(admin.get("/insurance/expiring", params={"within_days": 366}))
    assert ending["today"] and isinstance(ending["items"], list)


def test_a_group_policy_with_bad_members_names_each_and_records_nothing(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    good = volunteer(staff, "团险丙", insured=False)
    head = ok(admin.get("/audit/verify"))["checked"]
    members = [good, str(uuid.uuid4()), "not-an-id", national_id(), good]

    refused = problem(admin.post("/insurance/group-policies", json=_policy(members, "BAD")), 422)

    assert [e["field"] for e in refused["errors"]] == [
        "members[1]",
        "members[2]",
        "members[3]",
        "members[4]",
    ]
    assert ok(admin.get("/audit/verify"))["checked"] == head
    empty = problem(admin.post("/insurance/group-policies", json=_policy([])), 422)
    assert "members" in {e["field"] for e in empty["errors"]}


def test_bad_purchasing_queries_are_422(api: Api) -> None:
    staff = api.client("staff")
    assert "on" in {e["field"] for e in problem(staff.get("/insurance/uncovered"), 422)["errors"]}
    bad_day = problem(staff.get("/insurance/uncovered", params={"on": "2023-02-30"}), 422)
    assert "on" in {e["field"] for e in bad_day["errors"]}
    negative = problem(staff.get("/insurance/expiring", params={"within_days": -1}), 422)
    assert "within_days" in {e["field"] for e in negative["errors"]}
