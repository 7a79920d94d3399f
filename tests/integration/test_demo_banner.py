"""The demo year is 乌审旗's: its area code, towns, stations and brand, and no other banner's."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from application.readmodel.audit.review import annual_review
from application.readmodel.replay import read_notifications
from demo import generate_year
from infrastructure.bootstrap import Container


def test_the_demo_is_set_in_wushen_banner(container: Container) -> None:
    generate_year(container.ledger, year=2022, seed=5, townships=6, volunteers=24, activities=12)
    states = [
        bytes(n.state).decode() for batch in read_notifications(container.ledger) for n in batch
    ]
    text = "\n".join(states)

    assert "152530" not in text and "锡林" not in text and "巴彦镇" not in text
    assert '"150626' in text  # national ids born in the banner
    for town in ("嘎鲁图镇", "乌审召镇", "图克镇", "乌兰陶勒盖镇", "无定河镇", "苏力德苏木"):
        assert town in text, town
    assert "绿色乌审·2781" in text and "乌审旗退役军人服务中心" in text
    container.runner().catch_up()
    levels = [s["level"] for s in container.read_models().stations(limit=100)["items"]]
    assert sorted(set(levels)) == ["banner_centre", "township", "village"]


def test_the_demo_year_raises_needs_and_meets_some_through_its_projects(
    container: Container,
) -> None:
    summary = generate_year(
        container.ledger, year=2022, seed=7, townships=6, volunteers=60, activities=120
    )
    container.runner().catch_up()
    reads = container.read_models()

    needs = reads.needs(today=date(2023, 1, 1), limit=1000)["items"]
    statuses = Counter(n["status"] for n in needs)
    assert (summary.needs, summary.projects) == (24, 18)
    assert statuses["met"] == summary.needs_met > 0 and statuses["open"] > 0
    assert {n["category"] for n in needs} == {
        "life_difficulty",
        "education_difficulty",
        "employment_difficulty",
        "psychological_support",
    }
    assert statuses["declined"] == 3  # the employment need of every other township
    menu = reads.projects(status="active", township="图克镇", limit=100)["items"]
    assert len(menu) == 3 and all(p["township"] == "图克镇" for p in menu)
    for need in (n for n in needs if n["status"] == "met"):
        activity = reads.activity(need["activity_id"])
        assert activity is not None and activity["status"] == "verified"
        assert activity["township"] == need["township"]
    counted = reads.needs_met()
    assert sum(s["met"] for s in counted["stations"]) == summary.needs_met
    assert sum(p["needs_met"] for p in counted["projects"]) == summary.needs_met


def test_every_decision_of_the_demo_year_is_supported_at_its_basis(container: Container) -> None:
    """The demo commends only whom the rulebook makes a candidate, and certifies only star
    levels reached: its annual review re-checks each decision at its basis position."""
    summary = generate_year(
        container.ledger, year=2022, seed=7, townships=2, volunteers=12, activities=120
    )

    review = annual_review(container.ledger, container.rulebook, 2022)

    decisions = review["decisions"]
    kinds = Counter(d["kind"] for d in decisions)
    assert kinds == {
        "volunteer_commendation": 3,
        "team_commendation": 1,
        "star_certification": summary.star_certifications,
    }
    assert summary.commendations == 4
    unsupported = [d for d in decisions if not d["eligible_at_basis"]]
    assert unsupported == []
    for d in decisions:
        if d["kind"] == "volunteer_commendation":
            assert Decimal(d["figures"]["hours_in_year"]) >= 100
            assert d["figures"]["activities_in_year"] >= 6
            assert d["figures"]["awards_withdrawn_in_year"] == 0


def test_a_second_demo_run_into_one_store_registers_new_people(container: Container) -> None:
    """`volunteer-ledger demo` twice, or a history of several years: the same seed draws
    the same national ids again, and one person has one record, so the second run picks
    ids the store does not hold and commends only its own teams."""
    first = generate_year(container.ledger, year=2022, seed=5, volunteers=24, activities=12)
    second = generate_year(container.ledger, year=2022, seed=5, volunteers=24, activities=12)

    container.runner().catch_up()
    people = container.read_models().volunteers(limit=100)["items"]
    assert first.volunteers == second.volunteers == 24
    assert len(people) == 48
    assert len({p["national_id"] for p in people}) == 48
