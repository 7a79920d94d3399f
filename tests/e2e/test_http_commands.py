"""The remaining commands over HTTP: leaving, decisions, redemptions, corrections, bulk sheets."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from tests.e2e.api_support import activity, ok, problem, team, volunteer
from tests.e2e.http_support import Api


def _hours(vid: str, start: str, end: str, source: str = "checkin") -> dict[str, str]:
    return {
        "volunteer_id": vid,
        "started_at": f"2022-05-11T{start}:00+08:00",
        "ended_at": f"2022-05-11T{end}:00+08:00",
        "source": source,
    }


def _commendation(position: int, title: str) -> dict[str, object]:
    return {"title": title, "period": "2022", "basis_position": position, "reason": "服务突出"}


def test_members_leave_and_admins_commend_teams_and_volunteers(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    team_id = team(staff, "离队测试队")
    vid = volunteer(staff, "巴图", insured=False)
    ok(staff.post(f"/teams/{team_id}/members", json={"volunteer_id": vid}))
    leave = f"/teams/{team_id}/members/{vid}/leave"
    problem(auditor.post(leave, json={"reason": "外出务工"}), 403)
    problem(staff.post(leave, json={}), 422)
    left = ok(staff.post(leave, json={"reason": "外出务工"}))
    shown = ok(staff.get(f"/teams/{team_id}", params={"min_position": left["position"]}))
    assert shown["members"] == []

    body = _commendation(left["position"], "优秀志愿服务队")
    problem(staff.post(f"/teams/{team_id}/commendations", json=body), 403)
    commended = ok(admin.post(f"/teams/{team_id}/commendations", json=body))
    assert commended["id"] == team_id and commended["created"]["commendation_id"]
    again = admin.post(f"/teams/{team_id}/commendations", json=body)
    assert problem(again, 409)["rule"] == "commendation-once"

    body = _commendation(commended["position"], "优秀志愿者")
    problem(staff.post(f"/volunteers/{vid}/commendations", json=body), 403)
    granted = ok(admin.post(f"/volunteers/{vid}/commendations", json=body))
    assert granted["id"] == vid and granted["created"]["commendation_id"]
    future = admin.post(f"/volunteers/{vid}/commendations", json={**body, "basis_position": 10**9})
    assert problem(future, 409)["rule"] == "basis-position"

    star = {"level": 1, "basis_position": granted["position"], "service_year": 2022}
    problem(staff.post(f"/volunteers/{vid}/star-certifications", json=star), 403)
    not_reached = admin.post(f"/volunteers/{vid}/star-certifications", json=star)
    assert problem(not_reached, 409)["rule"] == "star-level-not-reached"


def test_an_activity_through_every_command_then_redemption_and_reversal(api: Api) -> None:
    staff, admin = api.client("staff"), api.client("admin")
    team_id = team(staff, "全流程队")
    first, second, third = (volunteer(staff, n) for n in ("其其格", "阿拉坦", "苏和"))
    aid = activity(staff, team_id, "全流程活动")
    for vid in (first, second, third):
        ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    ok(staff.post(f"/activities/{aid}/signups/{third}/withdraw", json={"reason": "临时有事"}))

    sheet = [_hours(first, "09:00", "12:00"), _hours(second, "13:00", "17:00")]
    bulk = ok(staff.post(f"/activities/{aid}/hours/bulk", json=sheet))
    fixed = {
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T12:30:00+08:00",
        "reason": "签退时间登记错误",
    }
    corrected = ok(staff.post(f"/activities/{aid}/hours/{first}/corrections", json=fixed))
    assert corrected["version"] > bulk["version"]

    unknown = staff.post(f"/activities/{aid}/beneficiaries", json={"counts": {"aliens": 3}})
    assert any(e["field"].startswith("counts") for e in problem(unknown, 422)["errors"])
    counts = {"counts": {"veteran": 12, "public": 30}}
    ok(staff.post(f"/activities/{aid}/beneficiaries", json=counts))
    media = {
        "outlet": "内蒙古日报",
        "level": "provincial",
        "url": "https://example.cn/news/2022/05/12.html",
        "published_on": "2022-05-12",
    }
    problem(staff.post(f"/activities/{aid}/media", json={**media, "level": "galactic"}), 422)
    ok(staff.post(f"/activities/{aid}/media", json=media))
    ok(staff.post(f"/activities/{aid}/complete"))
    verified = ok(admin.post(f"/activities/{aid}/verify"))
    awards = {a["volunteer_id"]: a for a in verified["awards"]}
    assert set(awards) == {first, second} and awards[first]["hours"] == "3.5"

    shown = ok(staff.get(f"/activities/{aid}", params={"min_position": verified["position"]}))
    hours = {p["volunteer_id"]: p["started_at"] for p in shown["participants"]}
    assert hours[first] and hours[second] and not hours.get(third)
    assert shown["media_points"]

    untiered = {"benefit": "health_check"}  # a few points: no courtesy tier yet
    assert problem(staff.post(f"/volunteers/{first}/redemptions", json=untiered), 409)["rule"] == (
        "benefit-not-in-tier"
    )
    problem(staff.post(f"/volunteers/{first}/redemptions", json={**untiered, "points": 1.5}), 422)

    entry_id = awards[second]["entry_id"]
    reason = {"reason": "签到记录有误"}
    problem(staff.post(f"/awards/{entry_id}/reversal", json=reason), 403)
    problem(api.client("auditor").post(f"/awards/{entry_id}/reversal", json=reason), 403)
    assert (
        "not found"
        in problem(admin.post(f"/awards/{uuid.uuid4()}/reversal", json=reason), 404)["detail"]
    )
    reversed_ = ok(admin.post(f"/awards/{entry_id}/reversal", json=reason))
    assert reversed_["id"] == second
    ledger = ok(
        staff.get(f"/volunteers/{second}/ledger", params={"min_position": reversed_["position"]})
    )
    reversal = next(e for e in ledger["entries"] if e["kind"] == "reversal")
    assert reversal["reverses"] == entry_id
    assert reversal["entry_id"] == reversed_["created"]["entry_id"]
    assert Decimal(ledger["balance"]) == 0
    twice = admin.post(f"/awards/{entry_id}/reversal", json=reason)
    assert problem(twice, 409)["rule"] == "reversal-once"


def _csv(*rows: str) -> str:
    return "\n".join(["volunteer_id,started_at,ended_at,source", *rows]) + "\n"


def test_bulk_sheets_are_all_or_nothing_with_line_numbers(api: Api) -> None:
    staff = api.client("staff")
    team_id = team(staff, "签到表队")
    first, second = volunteer(staff, "额尔登"), volunteer(staff, "娜仁")
    aid = activity(staff, team_id, "签到表活动")
    for vid in (first, second):
        ok(staff.post(f"/activities/{aid}/signups", json={"volunteer_id": vid}))
    url = f"/activities/{aid}/hours/bulk"
    as_csv = {"Content-Type": "text/csv"}
    good = f"{first},2022-05-11T09:00:00+08:00,2022-05-11T12:00:00+08:00,checkin"

    outside = f"{second},2022-05-11T19:00:00+08:00,2022-05-11T21:00:00+08:00,checkin"
    rejected = problem(staff.post(url, content=_csv(good, outside), headers=as_csv), 422)
    assert [e["line"] for e in rejected["errors"]] == [3]
    assert rejected["errors"][0]["field"].startswith("rows[3].")

    malformed = _csv(good, f"{second},yesterday,2022-05-11T12:00:00+08:00,checkin", f"{second}")
    errors = problem(staff.post(url, content=malformed, headers=as_csv), 422)["errors"]
    assert {(e["line"], e["field"]) for e in errors} >= {
        (3, "rows[3].started_at"),
        (4, "rows[4].started_at"),
        (4, "rows[4].ended_at"),
    }
    lacking = "volunteer_id,started_at\n" + f"{first},2022-05-11T09:00:00+08:00\n"
    header = problem(staff.post(url, content=lacking, headers=as_csv), 422)["errors"]
    assert [(e["line"], e["field"]) for e in header] == [(1, "rows[1].ended_at")]

    unsigned = _hours(str(uuid.uuid4()), "09:00", "10:00")
    json_sheet = [_hours(first, "09:00", "12:00"), unsigned]
    json_errors = problem(staff.post(url, json=json_sheet), 422)["errors"]
    assert [e["line"] for e in json_errors] == [2]
    bad_item = problem(staff.post(url, json=[{"volunteer_id": first}]), 422)["errors"]
    assert {e["field"] for e in bad_item} == {"rows[1].started_at", "rows[1].ended_at"}

    head = int(httpx.get(f"{api.base_url}/readyz").json()["head"])
    shown = ok(staff.get(f"/activities/{aid}", params={"min_position": head}))
    assert not any(p["started_at"] for p in shown["participants"])

    fine = f"{second},2022-05-11T13:00:00+08:00,2022-05-11T15:00:00+08:00,"
    recorded = ok(staff.post(url, content=_csv(good, fine), headers=as_csv))
    shown = ok(staff.get(f"/activities/{aid}", params={"min_position": recorded["position"]}))
    assert all(p["started_at"] for p in shown["participants"])
    assert {p["source"] for p in shown["participants"]} == {"checkin"}


def test_cancelling_an_activity(api: Api) -> None:
    staff = api.client("staff")
    aid = activity(staff, team(staff, "取消测试队"), "将被取消")
    problem(api.client("auditor").post(f"/activities/{aid}/cancel", json={"reason": "雨"}), 403)
    problem(api.client("other-staff").post(f"/activities/{aid}/cancel", json={"reason": "雨"}), 403)
    cancelled = ok(staff.post(f"/activities/{aid}/cancel", json={"reason": "天气原因取消"}))
    shown = ok(staff.get(f"/activities/{aid}", params={"min_position": cancelled["position"]}))
    assert shown["status"] == "cancelled"
