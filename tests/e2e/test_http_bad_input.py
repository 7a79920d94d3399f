"""Bad input end to end: oversize bodies, wrong types, unknown enum values, backwards
intervals, negative counts, malformed sheets — each refused whole, with nothing recorded —
and Chinese text in every free-text field coming back unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx

from tests.e2e.api_support import (
    activity,
    national_id,
    ok,
    problem,
    station,
    team,
    volunteer,
)
from tests.e2e.http_support import TOWNSHIP, Api

BODY_LIMIT = 1_048_576  # VL_MAX_BODY_BYTES default
SHEET_LIMIT = 16_777_216  # VL_MAX_SHEET_BYTES default


def _head(api: Api) -> int:
    return int(httpx.get(f"{api.base_url}/readyz", timeout=15).json()["head"])


def _fields(response: httpx.Response) -> set[str]:
    return {e["field"] for e in problem(response, 422)["errors"]}


def _too_large(response: httpx.Response, limit: int, setting: str) -> None:
    body = problem(response, 413)
    assert body["type"].endswith("/payload-too-large")
    assert body["limit_bytes"] == limit and body["setting"] == setting
    assert f"{limit:,} bytes" in body["detail"] and setting in body["detail"]


def test_oversize_bodies_are_413_naming_the_limit_and_record_nothing(api: Api) -> None:
    staff = api.client("staff")
    team_id = team(staff, "超大请求队")
    aid = activity(staff, team_id, "超大请求活动")
    before = _head(api)

    huge = {
        "name": "队" * BODY_LIMIT,
        "level": "township",
        "township": TOWNSHIP,
        "station_id": station(staff),
    }
    keyed = {"Idempotency-Key": f"big-{uuid.uuid4()}"}
    _too_large(staff.post("/teams", json=huge, headers=keyed), BODY_LIMIT, "VL_MAX_BODY_BYTES")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"name": "'
        for _ in range(BODY_LIMIT // 65536 + 1):
            yield b"x" * 65536
        yield b'", "level": "township", "township": "t", "station_id": "s"}'

    chunked = staff.post("/teams", content=chunks(), headers={"Content-Type": "application/json"})
    _too_large(chunked, BODY_LIMIT, "VL_MAX_BODY_BYTES")

    row = f"{uuid.uuid4()},2022-05-11T09:00:00+08:00,2022-05-11T10:00:00+08:00,checkin\n"
    sheet = "volunteer_id,started_at,ended_at,source\n" + row * (SHEET_LIMIT // len(row) + 1)
    oversize = staff.post(
        f"/activities/{aid}/hours/bulk", content=sheet, headers={"Content-Type": "text/csv"}
    )
    _too_large(oversize, SHEET_LIMIT, "VL_MAX_SHEET_BYTES")
    # A sheet over the body limit but under the sheet limit is read (and here refused row by row).
    big = staff.post(
        f"/activities/{aid}/hours/bulk",
        content=sheet[: BODY_LIMIT * 2],
        headers={"Content-Type": "text/csv"},
    )
    assert big.status_code == 422, big.text[:300]

    assert _head(api) == before
    # The refused request claimed no idempotency key: the key still works for a real request.
    small = {**huge, "name": "超大请求之后"}
    assert ok(staff.post("/teams", json=small, headers=keyed), 201)["id"]


def test_wrong_types_unknown_values_backwards_intervals_and_negative_counts(api: Api) -> None:
    staff = api.client("staff")
    team_id = team(staff, "坏输入队")
    aid = activity(staff, team_id, "坏输入活动")
    vid = volunteer(staff, "坏输入")
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    before = _head(api)

    plan: dict[str, Any] = {
        "title": "活动",
        "category": "health_education",
        "team_id": team_id,
        "township": TOWNSHIP,
        "station_id": station(staff),
        "location": "广场",
        "starts_at": "2022-06-01T08:00:00+08:00",
        "ends_at": "2022-06-01T18:00:00+08:00",
        "capacity": 5,
    }
    # wrong types
    assert "capacity" in _fields(staff.post("/activities", json={**plan, "capacity": "五"}))
    assert "team_id" in _fields(staff.post("/activities", json={**plan, "team_id": "not-a-uuid"}))
    assert "starts_at" in _fields(
        staff.post("/activities", json={**plan, "starts_at": ["2022-06-01"]})
    )
    assert "skills" in _fields(
        staff.post(
            "/volunteers",
            json={"name": "甲", "national_id": "1", "person_type": "veteran", "township": "镇"}
            | {"skills": "急救"},
        )
    )
    assert "volunteer_id" in _fields(
        staff.post(f"/activities/{aid}/signups", json={"volunteer_id": 42})
    )
    assert _fields(
        staff.post("/teams", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    )
    not_json = staff.post("/teams", content=b"{name:", headers={"Content-Type": "application/json"})
    problem(not_json, 422)

    # unknown enum values
    assert "person_type" in _fields(
        staff.post(
            "/volunteers",
            json={"name": "乙", "national_id": "1", "person_type": "alien", "township": "镇"},
        )
    )
    hours = {
        "volunteer_id": vid,
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T10:00:00+08:00",
    }
    assert "source" in _fields(
        staff.post(f"/activities/{aid}/hours", json={**hours, "source": "fax"})
    )
    assert "beneficiary_types.0" in _fields(
        staff.post("/activities", json={**plan, "beneficiary_types": ["martians"]})
    )
    unknown_category = staff.post("/activities", json={**plan, "category": "space_travel"})
    assert _fields(unknown_category) == {"category"}  # decided by the rulebook: 422
    assert "space_travel" in unknown_category.json()["detail"]

    # end before start: the request alone decides it, 422 naming the end field
    backwards = {**plan, "starts_at": plan["ends_at"], "ends_at": plan["starts_at"]}
    assert _fields(staff.post("/activities", json=backwards)) == {"ends_at"}
    fix = {"started_at": hours["ended_at"], "ended_at": hours["started_at"], "reason": "更正"}
    assert _fields(staff.post(f"/activities/{aid}/hours/{vid}/corrections", json=fix)) == {
        "ended_at"
    }
    policy = {
        "policy_number": "P-1",
        "insurer": "人保",
        "kind": "group",
        "covers_from": "2022-12-31",
        "covers_to": "2022-01-01",
        "sum_insured": "100000",
    }
    assert _fields(staff.post(f"/volunteers/{vid}/insurance", json=policy)) == {"covers_to"}

    # negative counts and amounts
    assert "counts.veteran" in _fields(
        staff.post(f"/activities/{aid}/beneficiaries", json={"counts": {"veteran": -1}})
    )
    assert "capacity" in _fields(staff.post("/activities", json={**plan, "capacity": -3}))
    assert "hours" in _fields(
        staff.post(
            f"/volunteers/{vid}/trainings",
            json={"course": "急救", "hours": "-2", "completed_on": "2022-03-01"},
        )
    )
    assert "points" in _fields(
        staff.post(f"/volunteers/{vid}/redemptions", json={"points": "-5", "benefit": "毛巾"})
    )

    # malformed sheets
    bulk, as_csv = f"/activities/{aid}/hours/bulk", {"Content-Type": "text/csv"}
    header = "volunteer_id,started_at,ended_at,source\n"
    problem(staff.post(bulk, content=header, headers=as_csv), 422)  # no rows
    # Neither UTF-8 nor GB18030 (which Chinese Excel writes, and which is read).
    latin = header.encode() + b"\x80\x81\xff," + "签到".encode("gb18030") + b"\n"
    assert "UTF-8" in problem(staff.post(bulk, content=latin, headers=as_csv), 422)["detail"]
    extra = header + f"{vid},2022-05-11T09:00:00+08:00,2022-05-11T10:00:00+08:00,checkin,x\n"
    assert problem(staff.post(bulk, content=extra, headers=as_csv), 422)["errors"][0]["line"] == 2
    problem(staff.post(bulk, json={"rows": []}), 422)

    assert _head(api) == before


def test_chinese_text_in_every_free_text_field_round_trips(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    text = "乌兰·巴特尔（蒙古族）「测试」😀"
    township, station_name = TOWNSHIP, f"{TOWNSHIP}退役军人服务站·{text}"
    station_id = ok(
        staff.post(
            "/stations", json={"name": station_name, "level": "township", "township": township}
        ),
        201,
    )["id"]
    formed = ok(
        staff.post(
            "/teams",
            json={
                "name": text,
                "level": "township",
                "township": township,
                "station_id": station_id,
            },
        ),
        201,
    )
    vid = ok(
        staff.post(
            "/volunteers",
            json={
                "name": text,
                "national_id": national_id(),
                "phone": "电话：" + text,
                "person_type": "veteran",
                "township": township,
                "skills": [text, "蒙汉双语"],
            },
        ),
        201,
    )["id"]
    ok(
        staff.post(
            f"/volunteers/{vid}/insurance",
            json={
                "policy_number": "保单-" + text,
                "insurer": text,
                "kind": "group",
                "covers_from": "2022-01-01",
                "covers_to": "2022-12-31",
                "sum_insured": "100000",
            },
        )
    )
    trained = ok(
        staff.post(
            f"/volunteers/{vid}/trainings",
            json={"course": text, "hours": "2", "completed_on": "2022-03-01"},
        )
    )
    aid = ok(
        staff.post(
            "/activities",
            json={
                "title": text,
                "category": "health_education",
                "team_id": formed["id"],
                "township": township,
                "station_id": station_id,
                "location": text,
                "starts_at": "2022-05-11T08:00:00+08:00",
                "ends_at": "2022-05-11T18:00:00+08:00",
                "capacity": 3,
            },
        ),
        201,
    )["id"]
    ok(staff.post(f"/teams/{formed['id']}/members", json={"volunteer_id": vid}))
    ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    hours = {
        "volunteer_id": vid,
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T12:00:00+08:00",
    }
    ok(staff.post(f"/activities/{aid}/hours", json=hours))
    fix = {
        "started_at": hours["started_at"],
        "ended_at": "2022-05-11T11:30:00+08:00",
        "reason": text,
    }
    ok(staff.post(f"/activities/{aid}/hours/{vid}/corrections", json=fix))
    ok(staff.post(f"/activities/{aid}/feedback", json={"satisfaction": 5, "comment": text}), 201)
    media = {
        "outlet": text,
        "level": "banner",
        "url": "https://例子.中国/新闻",
        "published_on": "2022-05-12",
    }
    ok(staff.post(f"/activities/{aid}/media", json=media))
    ok(staff.post(f"/activities/{aid}/complete"))
    verified = ok(admin.post(f"/activities/{aid}/verify"))
    # (a redemption names a rulebook benefit by its code, no longer free text)
    entry_id = verified["awards"][0]["entry_id"]
    reversed_ = ok(admin.post(f"/awards/{entry_id}/reversal", json={"reason": text}))
    commend = {
        "title": text,
        "period": "2022",
        "basis_position": trained["position"],
        "reason": text,
    }
    ok(admin.post(f"/volunteers/{vid}/commendations", json=commend))
    ok(admin.post(f"/teams/{formed['id']}/commendations", json=commend))
    left = ok(staff.post(f"/teams/{formed['id']}/members/{vid}/leave", json={"reason": text}))
    other = activity(staff, team(staff, "取消队"), "将取消")
    ok(staff.post(f"/activities/{other}/cancel", json={"reason": text}))

    fresh = {"min_position": max(left["position"], reversed_["position"])}
    shown_team = ok(staff.get(f"/teams/{formed['id']}", params=fresh))
    assert (shown_team["name"], shown_team["station"]) == (text, station_name)
    assert shown_team["station_id"] == station_id
    shown_volunteer = ok(staff.get(f"/volunteers/{vid}", params=fresh))
    assert shown_volunteer["name"] == text and shown_volunteer["skills"] == [text, "蒙汉双语"]
    assert shown_volunteer["phone"] == "电话：" + text
    shown_activity = ok(staff.get(f"/activities/{aid}", params=fresh))
    assert (shown_activity["title"], shown_activity["location"]) == (text, text)
    assert (shown_activity["station"], shown_activity["station_id"]) == (station_name, station_id)
    covered = ok(staff.get(f"/activities/{aid}/insurance", params=fresh))["items"]
    assert [(c["policy_number"], c["insurer"]) for c in covered] == [("保单-" + text, text)]
    details = [
        e["detail"] for e in ok(staff.get(f"/volunteers/{vid}/ledger", params=fresh))["entries"]
    ]
    assert {"course": text} in details
    assert {"reason": text} in details
