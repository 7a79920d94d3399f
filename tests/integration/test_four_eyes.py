"""Four eyes on every change to credit, through the application on both stores."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.commands.activities import (
    ApproveCorrection,
    CompleteActivity,
    CorrectHours,
    RejectCorrection,
    VerifyActivity,
)
from application.commands.people import ReverseAward
from domain.errors import DomainError
from domain.values import Actor, Interval, Role
from infrastructure.bootstrap import Container
from tests.integration.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer

CLERK = Actor("staff-clerk", Role.STATION_STAFF, "req-clerk")


def _verified(container: Container) -> tuple[UUID, UUID, UUID]:
    """An activity whose 09:00–10:00 hours STAFF recorded and BUREAU verified (1 point)."""
    ledger = container.ledger
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards
    return aid, vid, award.entry_id


def _propose(container: Container, aid: UUID, vid: UUID, by: Actor = CLERK) -> UUID:
    proposed = container.ledger.correct_hours(
        CorrectHours(
            activity_id=aid,
            volunteer_id=vid,
            interval=Interval(at(DAY, 8), at(DAY, 12)),
            reason="漏记",
        ),
        actor=by,
    )
    return proposed.created["correction_id"]


def test_a_correction_after_verification_is_proposed_and_moves_no_ledger(
    container: Container,
) -> None:
    aid, vid, _ = _verified(container)

    correction_id = _propose(container, aid, vid)

    person = container.ledger.repository.get(vid)
    assert (person.balance, person.credited_hours) == (1, 1)
    container.runner().catch_up()
    (row,) = container.read_models().corrections(str(aid))
    assert (row["correction_id"], row["status"], row["proposed_by"]) == (
        str(correction_id),
        "proposed",
        CLERK.user_id,
    )


@pytest.mark.parametrize("approver", [CLERK, STAFF], ids=["proposer", "recorder"])
def test_the_proposer_or_the_recorder_cannot_approve(container: Container, approver: Actor) -> None:
    aid, vid, _ = _verified(container)
    correction_id = _propose(container, aid, vid)
    before = container.ledger.current_position()

    with pytest.raises(DomainError) as refused:
        container.ledger.approve_correction(
            ApproveCorrection(activity_id=aid, correction_id=correction_id), actor=approver
        )

    assert refused.value.rule == "four-eyes"
    assert container.ledger.current_position() == before


def test_approval_by_another_person_reverses_and_reawards(container: Container) -> None:
    aid, vid, old = _verified(container)
    correction_id = _propose(container, aid, vid)

    approved = container.ledger.approve_correction(
        ApproveCorrection(activity_id=aid, correction_id=correction_id), actor=BUREAU
    )

    person = container.ledger.repository.get(vid)
    assert person.awards[old].reversed and approved.created["reversal_id"]
    assert (person.balance, person.credited_hours) == (4, 4)
    container.runner().catch_up()
    (row,) = container.read_models().corrections(str(aid))
    assert (row["status"], row["decided_by"]) == ("approved", BUREAU.user_id)


def test_a_rejected_proposal_changes_nothing(container: Container) -> None:
    aid, vid, _ = _verified(container)
    correction_id = _propose(container, aid, vid)

    container.ledger.reject_correction(
        RejectCorrection(activity_id=aid, correction_id=correction_id, reason="签到表无误"),
        actor=BUREAU,
    )

    assert container.ledger.repository.get(vid).balance == 1
    container.runner().catch_up()
    (row,) = container.read_models().corrections(str(aid))
    assert (row["status"], row["decision_reason"]) == ("rejected", "签到表无误")


def test_whoever_recorded_the_hours_cannot_reverse_the_award(container: Container) -> None:
    _, vid, entry = _verified(container)
    with pytest.raises(DomainError) as refused:
        container.ledger.reverse_award(
            ReverseAward(volunteer_id=vid, entry_id=entry, reason="重复"), actor=STAFF
        )
    assert refused.value.rule == "four-eyes"

    container.ledger.reverse_award(
        ReverseAward(volunteer_id=vid, entry_id=entry, reason="重复"), actor=BUREAU
    )
    assert container.ledger.repository.get(vid).balance == 0
