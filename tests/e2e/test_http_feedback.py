"""Honest feedback over HTTP (issue 14, item 4): 201 with ``counted``; a rater's second
rating is 409 ``duplicate-rating`` in Chinese too; a rating dated tomorrow or a rater
neither named nor anonymous is 422 naming the field; every rating is listed, flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.api_support import activity, ok, problem, team
from tests.e2e.http_support import Api

HOUSEHOLD = {"beneficiary_type": "veteran", "reference": "巴彦镇-0031户"}


def test_ratings_name_their_rater_count_within_the_window_and_once_per_rater(api: Api) -> None:
    staff = api.client("staff")
    aid = activity(staff, team(staff, "评价服务队"), "评价活动")  # 11 May 2022
    url = f"/activities/{aid}/feedback"

    first = ok(
        staff.post(url, json={"satisfaction": 4, "rater": HOUSEHOLD, "given_on": "2022-05-12"}),
        201,
    )
    assert (first["counted"], first["given_on"]) == (True, "2022-05-12")

    again = {"satisfaction": 5, "rater": {**HOUSEHOLD, "reference": " 巴彦镇-００３１户"}}
    refused = problem(staff.post(url, json={**again, "given_on": "2022-05-13"}), 409)
    assert refused["rule"] == "duplicate-rating"
    assert "只能评价一次" in refused["detail_zh"]

    late = {"beneficiary_type": "public", "reference": "2026-批量"}
    flagged = ok(
        staff.post(url, json={"satisfaction": 5, "rater": late, "given_on": "2022-06-11"}), 201
    )
    assert flagged["counted"] is False

    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    future = problem(staff.post(url, json={"satisfaction": 5, "given_on": tomorrow}), 422)
    assert [e["field"] for e in future["errors"]] == ["given_on"]
    unnamed = problem(
        staff.post(url, json={"satisfaction": 5, "rater": {"beneficiary_type": "veteran"}}), 422
    )
    assert unnamed["errors"][0]["field"].startswith("rater")
    before = problem(staff.post(url, json={"satisfaction": 5, "given_on": "2022-05-10"}), 409)
    assert before["rule"] == "feedback-before-activity" and before["detail_zh"]

    listed = ok(staff.get(url, params={"min_position": flagged["position"]}))["items"]
    assert [(r["satisfaction"], r["counted"], r["rater"]["reference"]) for r in listed] == [
        (4, True, "巴彦镇-0031户"),
        (5, False, "2026-批量"),
    ]
