"""Insurance as the office buys it: a group policy for its member list, all or nothing; who
is uncovered on a date; which policies run out soon; gaps that name people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.commands.insurance import RecordGroupPolicy
from application.commands.people import SuspendVolunteer, WithdrawVolunteer
from application.errors import BulkRejected
from infrastructure.bootstrap import Container
from tests.integration.builders import BUREAU, STAFF, activity, at, hours, team, volunteer

Y23 = {"covers_from": date(2023, 1, 1), "covers_to": date(2023, 12, 31)}


def _group(container: Container, members: list[UUID | None], **more: object) -> object:
    fields: dict[str, object] = {**Y23, **more}
    return container.ledger.record_group_policy(
        RecordGroupPolicy(
            policy_number="PICC-2023-GRP",
            insurer="人保鄂尔多斯",
            sum_insured=Decimal(100000),
            members=members,
            **fields,  # type: ignore[arg-type]
        ),
        actor=BUREAU,
    )


def test_a_group_policy_covers_every_member_in_one_write(container: Container) -> None:
    ledger = container.ledger
    people = [volunteer(ledger, insured=False) for _ in range(3)]
    before = ledger.current_position()

    recorded = _group(container, list(people))

    assert recorded.position == before + 3  # type: ignore[attr-defined]
    container.runner().catch_up()
    assert container.read_models().uncovered(date(2023, 6, 1)) == []


def test_every_bad_member_is_named_and_nothing_is_recorded(container: Container) -> None:
    ledger = container.ledger
    good, gone, holder = (volunteer(ledger, insured=False) for _ in range(3))
    ledger.withdraw_volunteer(WithdrawVolunteer(volunteer_id=gone, reason="退出"), actor=STAFF)
    _group(container, [holder])
    before = ledger.current_position()

    with pytest.raises(BulkRejected) as rejected:
        _group(
            container,
            [good, uuid4(), gone, good, holder, None],
            unidentified={5: "no volunteer holds national id 150626…0011"},
        )

    assert [(e.line, e.field) for e in rejected.value.errors] == [
        (1, "members"),
        (2, "members"),
        (3, "members"),
        (4, "members"),
        (5, "members"),
    ]
    messages = [e.message for e in rejected.value.errors]
    assert "not found" in messages[0] and "withdrawn" in messages[1]
    assert "listed at 0" in messages[2] and "already recorded" in messages[3]
    assert "150626" in messages[4]
    assert ledger.current_position() == before


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
