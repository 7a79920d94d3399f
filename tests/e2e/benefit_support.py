"""A volunteer with a courtesy tier, earned over HTTP: for the benefit tests and pages."""

from __future__ import annotations

import httpx

from tests.e2e.api_support import ok, station, volunteer
from tests.e2e.http_support import TOWNSHIP


def served_activity(
    staff: httpx.Client, admin: httpx.Client, team_id: str, vid: str, day: int, **counts: int
) -> dict[str, object]:
    """A verified 10 h emergency rescue on 2022-05-``day`` (20 points for ``vid``) that
    served ``counts`` people; the verification's answer."""
    date = f"2022-05-{day:02d}"
    body = {
        "title": "防汛抢险",
        "category": "emergency_rescue",
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(staff),
        "location": "无定河河堤",
        "starts_at": f"{date}T08:00:00+08:00",
        "ends_at": f"{date}T18:00:00+08:00",
        "beneficiary_types": ["veteran", "public"],
        "capacity": 10,
    }
    aid = str(ok(staff.post("/activities", json=body), 201)["id"])
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    hours = {
        "volunteer_id": vid,
        "started_at": f"{date}T08:00:00+08:00",
        "ended_at": f"{date}T18:00:00+08:00",
        "source": "checkin",
    }
    ok(staff.post(f"/activities/{aid}/hours", json=hours))
    if counts:
        ok(staff.post(f"/activities/{aid}/beneficiaries", json={"counts": counts}))
    ok(staff.post(f"/activities/{aid}/complete"))
    verified: dict[str, object] = ok(admin.post(f"/activities/{aid}/verify"))
    verified["activity_id"] = aid
    return verified


def bronze_volunteer(
    staff: httpx.Client, admin: httpx.Client, team_id: str, name: str
) -> tuple[str, int]:
    """A volunteer with 60 lifetime points (bronze); and the log position after."""
    vid = volunteer(staff, name)
    position = 0
    for day in (2, 3, 4):
        position = int(str(served_activity(staff, admin, team_id, vid, day)["position"]))
    return vid, position
