"""Insurance as the office buys it: a group policy covering its member list; who is
uncovered on a date; which policies run out soon; gaps that name people. That a group
policy is all or nothing is in tests/usecases."""

from __future__ import annotations

from datetime import date

from application.commands.people import SuspendVolunteer
from infrastructure.bootstrap import Container
from tests.support.builders import STAFF, activity, at, hours, team, volunteer
from tests.support.insurance import group_policy


def test_a_group_policy_covers_every_member_in_one_write(container: Container) -> None:
    ledger = container.ledger
    people = [volunteer(ledger, insured=False) for _ in range(3)]
    before = ledger.current_position()

    recorded = group_policy(container.ledger, list(people))

    assert recorded.position == before + 3  # type: ignore[attr-defined]
    container.runner().catch_up()
    assert container.read_models().uncovered(date(2023, 6, 1)) == []


def test_uncovered_and_expiring_name_people_and_their_township(container: Container) -> None:
    ledger = container.ledger
    insured = volunteer(ledger, name="巴特尔")  # covered through 2022-12-31
    bare = volunteer(ledger, insured=False, name="其木格")
    suspended = volunteer(ledger, insured=False, name="停用者")
    ledger.suspend_volunteer(SuspendVolunteer(volunteer_id=suspended, reason="外出"), actor=STAFF)
    container.runner().catch_up()
    reads = container.read_models()

    assert [(r["name"], r["township"]) for r in reads.uncovered(date(2022, 6, 1))] == [
        ("其木格", "巴彦镇")
    ]
    january = reads.uncovered(date(2023, 1, 10))
    assert {r["volunteer_id"] for r in january} == {str(insured), str(bare)}
    assert next(r for r in january if r["name"] == "巴特尔")["last_covered_to"] == "2022-12-31"

    soon = reads.expiring(date(2022, 12, 1), 30)
    assert [(r["name"], r["covers_to"], r["days_left"]) for r in soon] == [
        ("巴特尔", "2022-12-31", 30)
    ]
    assert reads.expiring(date(2022, 12, 1), 29) == []


def test_gap_rows_carry_the_volunteers_name_township_and_the_activity_title(
    container: Container,
) -> None:
    ledger = container.ledger
    bare = volunteer(ledger, insured=False, name="无保者")
    day = date(2022, 5, 11)
    aid = activity(ledger, team(ledger), day=day, category="emergency_rescue")  # recorded, flagged
    hours(ledger, aid, bare, at(day, 9), at(day, 11))
    container.runner().catch_up()

    [gap] = container.read_models().insurance_gaps()
    assert (gap["volunteer_name"], gap["township"], gap["title"]) == (
        "无保者",
        "巴彦镇",
        "健康知识进社区",
    )
