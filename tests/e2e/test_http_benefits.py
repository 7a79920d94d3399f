"""Courtesy benefits, people served and media coverage over HTTP, against a real server."""

from __future__ import annotations

import pytest

from tests.e2e.api_support import ok, problem, team, volunteer
from tests.e2e.benefit_support import bronze_volunteer, served_activity
from tests.e2e.http_support import Api

pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")


def test_the_benefits_of_each_tier_are_listed_for_every_role(api: Api) -> None:
    for role in ("admin", "staff", "auditor"):
        answer = ok(api.client(role).get("/benefits"))
        tiers = {t["tier"]: t for t in answer["tiers"]}
        assert list(tiers) == ["bronze", "silver", "gold"]
        assert tiers["bronze"]["tier_zh"] == "铜牌" and tiers["bronze"]["min_points"] == "50"
        check = {b["code"]: b for b in tiers["gold"]["benefits"]}["health_check"]
        assert (check["name_zh"], check["points"], check["free"]) == ("健康体检套餐", "0", True)
    problem(api.client().get("/benefits"), 401)


def test_a_benefit_redeemed_by_code_and_its_voucher_used_once(api: Api) -> None:
    staff, admin, other = api.client("staff"), api.client("admin"), api.client("other-staff")
    auditor = api.client("auditor")
    team_id = team(staff)
    newcomer = volunteer(staff, "新队员")
    refused = problem(
        staff.post(f"/volunteers/{newcomer}/redemptions", json={"benefit": "haircut"}), 409
    )
    assert refused["rule"] == "benefit-not-in-tier" and "铜牌" in refused["detail_zh"]

    vid, _ = bronze_volunteer(staff, admin, team_id, "斯琴")
    unknown = problem(
        staff.post(f"/volunteers/{vid}/redemptions", json={"benefit": "spa_day"}), 422
    )
    assert unknown["rule"] == "unknown-benefit" and unknown["detail_zh"]
    assert [e["field"] for e in unknown["errors"]] == ["benefit"]
    bad_code = problem(staff.post(f"/volunteers/{vid}/redemptions", json={"benefit": "体检"}), 422)
    assert "benefit" in {e["field"] for e in bad_code["errors"]}
    wrong_cost = {"benefit": "health_check", "points": "10"}
    assert problem(staff.post(f"/volunteers/{vid}/redemptions", json=wrong_cost), 409)["rule"] == (
        "redemption-cost"
    )
    body = {"benefit": "health_check", "points": "40"}
    problem(other.post(f"/volunteers/{vid}/redemptions", json=body), 403)
    problem(auditor.post(f"/volunteers/{vid}/redemptions", json=body), 403)
    redeemed = ok(staff.post(f"/volunteers/{vid}/redemptions", json=body))
    code = redeemed["voucher_code"]
    assert code.startswith("LY-") and redeemed["created"]["entry_id"]
    short = problem(staff.post(f"/volunteers/{vid}/redemptions", json=body), 409)
    assert short["rule"] == "redemption-within-balance" and "余额" in short["detail_zh"]

    fresh = {"min_position": redeemed["position"]}
    ledger = ok(auditor.get(f"/volunteers/{vid}/ledger", params=fresh))
    assert ledger["balance"] == "20"
    assert [e["points"] for e in ledger["entries"] if e["kind"] == "redemption"] == ["-40"]
    shown = ok(auditor.get(f"/vouchers/{code}", params=fresh))
    assert (shown["status"], shown["benefit_zh"], shown["volunteer_name"]) == (
        "issued",
        "健康体检套餐",
        "斯琴",
    )

    problem(other.post(f"/vouchers/{code}/use"), 403)
    problem(auditor.post(f"/vouchers/{code}/use"), 403)
    used = ok(staff.post(f"/vouchers/{code}/use"))
    twice = problem(admin.post(f"/vouchers/{code}/use"), 409)
    assert twice["rule"] == "voucher-used" and "已核销" in twice["detail_zh"]
    mine = ok(
        staff.get(f"/volunteers/{vid}/redemptions", params={"min_position": used["position"]})
    )
    [voucher] = mine["items"]
    assert (voucher["voucher_code"], voucher["status"]) == (code, "used")

    assert problem(staff.get("/vouchers/LY-AAAA-BBBB-CCCC"), 404)
    assert "code" in {e["field"] for e in problem(staff.get("/vouchers/nonsense"), 422)["errors"]}
    assert problem(staff.post("/vouchers/LY-AAAA-BBBB-CCCC/use"), 404)


def test_people_served_and_media_coverage_per_period(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    team_id = team(staff, "防汛突击队")
    vid = volunteer(staff, "巴特尔")
    first = served_activity(staff, admin, team_id, vid, 20, veteran=4, public=6)
    aid = first["activity_id"]
    media = {
        "outlet": "鄂尔多斯日报",
        "level": "city",
        "url": "https://example.cn/ordos/2022/05/21",
        "published_on": "2022-05-21",
    }
    recorded = ok(staff.post(f"/activities/{aid}/media", json=media))
    fresh = {"min_position": recorded["position"]}

    by_team = ok(auditor.get("/beneficiaries", params={"period": "2022-05", "by": "team", **fresh}))
    row = next(r for r in by_team["rows"] if r["unit_id"] == team_id)
    assert (row["name"], row["people"], row["activities"]) == ("防汛突击队", 10, 1)
    assert row["by_type"]["veteran"] == {"count": 4, "label_zh": "退役军人"}
    assert by_team["total"] >= 10
    june = ok(auditor.get("/beneficiaries", params={"period": "2022-06", **fresh}))
    assert (june["by"], june["total"], june["rows"]) == ("station", 0, [])

    coverage = ok(auditor.get("/media", params={"period": "2022-Q2", **fresh}))["items"]
    mine = [m for m in coverage if m["activity_id"] == aid]
    assert [(m["outlet"], m["level"], m["level_zh"], m["url"]) for m in mine] == [
        ("鄂尔多斯日报", "city", "市级", media["url"])
    ]
    assert mine[0]["activity_title"] == "防汛抢险"
    assert ok(auditor.get("/media", params={"period": "2021", **fresh}))["items"] == []

    for bad in ({"period": "2022-13"}, {"period": "last year"}):
        refused = problem(auditor.get("/media", params=bad), 422)
        assert refused["errors"][0]["field"] == "period"
    refused = problem(auditor.get("/beneficiaries", params={"period": "2022", "by": "county"}), 422)
    assert "by" in {e["field"] for e in refused["errors"]}
    problem(auditor.get("/media"), 422)


def test_benefits_from_the_command_line(api: Api) -> None:
    staff, admin, auditor = api.client("staff"), api.client("admin"), api.client("auditor")
    team_id = team(staff, "命令行礼遇队")
    vid, position = bronze_volunteer(staff, admin, team_id, "命令行礼遇")

    listed = api.cli("benefits", "list")
    assert listed.returncode == 0, listed.stderr
    assert "health_check" in listed.stdout and "铜牌" in listed.stdout
    refused = api.cli("benefits", "redeem", vid, "bus_pass")  # gold only
    assert refused.returncode == 1 and "tier" in refused.stderr
    redeemed = api.cli("benefits", "redeem", vid, "daily_goods", "--points", "20")
    assert redeemed.returncode == 0, redeemed.stderr
    code = redeemed.stdout.split()[1].rstrip(":")
    position = int(redeemed.stdout.rsplit("position", 1)[1].strip())

    ok(auditor.get(f"/vouchers/{code}", params={"min_position": position}))  # the server saw it
    used = api.cli("benefits", "use", code)
    assert used.returncode == 0, used.stderr
    again = api.cli("benefits", "use", code, "--volunteer", vid)
    assert again.returncode == 1 and "already" in again.stderr
    position = int(used.stdout.rsplit("position", 1)[1].strip())
    shown = ok(auditor.get(f"/vouchers/{code}", params={"min_position": position}))
    assert shown["status"] == "used" and shown["used_by"].startswith("cli:")
