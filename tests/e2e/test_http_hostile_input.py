"""Inputs that once answered 500 (and cost the client its connection): each is now a 4xx
problem document naming the field, nothing is recorded, and the same keep-alive connection
serves the next request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.api_support import activity, ok, problem, team, volunteer
from tests.e2e.http_support import TOWNSHIP, Api

FAR = "9999-12-31T23:59:59+08:00"
FAR_OFFSET = "9999-12-31T23:59:59-23:59"
CSV_FIELD_LIMIT = 131_072  # the csv module's default field size limit


class Connections:
    """Counts the TCP connections a client opens (httpx's trace extension)."""

    def __init__(self) -> None:
        self.opened = 0

    def __call__(self, name: str, _: dict[str, Any]) -> None:
        if name == "connection.connect_tcp.complete":
            self.opened += 1


def _refused_on_one_connection(
    api: Api, send: Callable[[httpx.Client, dict[str, Any]], httpx.Response], field: str
) -> dict[str, Any]:
    """Send a bad request and then a good one over one client; both on one connection."""
    connections = Connections()
    trace = {"trace": connections}
    with api.client("staff") as client:
        before = client.get("/teams", extensions=trace)
        assert before.status_code == 200
        refused = send(client, trace)
        assert 400 <= refused.status_code < 500, refused.text[:300]
        body = problem(refused, refused.status_code)
        named = {e["field"] for e in body.get("errors", [])}
        assert any(field in f for f in named), (field, body)
        after = client.get("/teams", extensions=trace)
        assert after.status_code == 200
    assert connections.opened == 1, "the refused request cost the client its connection"
    return body


def _head(api: Api) -> int:
    return int(httpx.get(f"{api.base_url}/readyz", timeout=15).json()["head"])


@pytest.fixture(scope="module")
def scene(api: Api) -> dict[str, str]:
    staff = api.client("staff")
    team_id = team(staff, "刁钻输入队")
    aid = activity(staff, team_id, "刁钻输入活动")
    vid = volunteer(staff, "刁钻输入")
    assert staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}).status_code == 200
    return {"team_id": team_id, "activity_id": aid, "volunteer_id": vid}


def test_json_nested_a_thousand_deep_to_a_sheet_is_422(api: Api, scene: dict[str, str]) -> None:
    before = _head(api)
    deep = b"[" * 1000 + b"]" * 1000
    _refused_on_one_connection(
        api,
        lambda c, t: c.post(
            f"/activities/{scene['activity_id']}/hours/bulk",
            content=deep,
            headers={"Content-Type": "application/json"},
            extensions=t,
        ),
        "body",
    )
    assert _head(api) == before


def test_year_9999_activity_window_is_422(api: Api, scene: dict[str, str]) -> None:
    plan = {
        "title": "万年活动",
        "category": "health_education",
        "team_id": scene["team_id"],
        "township": TOWNSHIP,
        "station": "站",
        "location": "广场",
        "starts_at": "9999-12-31T08:00:00+08:00",
        "ends_at": FAR,
        "capacity": 5,
    }
    before = _head(api)
    _refused_on_one_connection(
        api, lambda c, t: c.post("/activities", json=plan, extensions=t), "starts_at"
    )
    assert _head(api) == before


def test_year_9999_hours_are_422(api: Api, scene: dict[str, str]) -> None:
    row = {
        "volunteer_id": scene["volunteer_id"],
        "started_at": "9999-12-31T08:00:00+08:00",
        "ended_at": FAR,
        "source": "checkin",
    }
    before = _head(api)
    path = f"/activities/{scene['activity_id']}"
    _refused_on_one_connection(
        api, lambda c, t: c.post(f"{path}/hours", json=row, extensions=t), "started_at"
    )
    _refused_on_one_connection(
        api, lambda c, t: c.post(f"{path}/hours/bulk", json=[row], extensions=t), "started_at"
    )
    assert _head(api) == before


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/teams", {"known_at": FAR_OFFSET}, "known_at"),
        ("/rankings", {"period": "2022", "known_at": FAR_OFFSET}, "known_at"),
        ("/audit/events", {"from": FAR_OFFSET}, "from"),
        ("/audit/events", {"to": FAR_OFFSET}, "to"),
    ],
)
def test_times_beyond_the_calendar_are_422(
    api: Api, path: str, params: dict[str, str], field: str
) -> None:
    admin = {"Authorization": f"Bearer {api.tokens['admin']}"}
    _refused_on_one_connection(
        api, lambda c, t: c.get(path, params=params, headers=admin, extensions=t), field
    )


@pytest.mark.parametrize(
    "path", ["/teams", "/volunteers", "/activities", "/eligibility/volunteers", "/audit/events"]
)
def test_a_nul_cursor_is_422(api: Api, path: str) -> None:
    def send(c: httpx.Client, t: dict[str, Any]) -> httpx.Response:
        admin = {"Authorization": f"Bearer {api.tokens['admin']}"}
        return c.get(f"{path}?cursor=%00", headers=admin, extensions=t)

    _refused_on_one_connection(api, send, "cursor")


def test_a_nul_in_any_query_parameter_is_422(api: Api) -> None:
    _refused_on_one_connection(
        api, lambda c, t: c.get("/volunteers?township=%00", extensions=t), "township"
    )


def test_a_csv_field_over_the_csv_limit_is_422_naming_its_line(
    api: Api, scene: dict[str, str]
) -> None:
    sheet = "volunteer_id,started_at,ended_at,source\n" + "x" * (CSV_FIELD_LIMIT + 1) + "\n"
    before = _head(api)
    body = _refused_on_one_connection(
        api,
        lambda c, t: c.post(
            f"/activities/{scene['activity_id']}/hours/bulk",
            content=sheet,
            headers={"Content-Type": "text/csv"},
            extensions=t,
        ),
        "rows[2]",
    )
    assert body["status"] == 422
    assert _head(api) == before


@pytest.mark.parametrize("period", ["", "2022-13", "9999", "1899", "2022-Q5", "０２２"])
def test_a_ranking_period_the_calendar_cannot_hold_is_422(api: Api, period: str) -> None:
    # A plain ranking read first: later plain reads may be answered before routing.
    ok(api.client("staff").get("/rankings", params={"unit": "station", "period": "2022"}))
    params = {"unit": "station", "period": period}
    _refused_on_one_connection(
        api, lambda c, t: c.get("/rankings", params=params, extensions=t), "period"
    )
