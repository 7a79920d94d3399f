"""Integrity over HTTP: the status and problem body of each integrity rule."""

from __future__ import annotations

from tests.e2e.http_support import TOWNSHIP, Api
from tests.e2e.test_http_api import national_id, ok, problem


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
    fresh = {"limit": 1000, "min_position": first["position"]}
    listed = ok(api.client("admin").get("/volunteers", params=fresh))["items"]
    assert [v["volunteer_id"] for v in listed if v["national_id"] == number] == [first["id"]]
