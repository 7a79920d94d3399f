"""Corrections as the read models list them, on both stores: proposed, approved by a
second person, or rejected (the four-eyes refusals are in tests/usecases)."""

from __future__ import annotations

from application.commands.activities import (
    ApproveCorrection,
    RejectCorrection,
)
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU
from tests.support.corrections import CLERK, propose_correction, verified_activity


def test_a_correction_after_verification_is_proposed_and_moves_no_ledger(
    container: Container,
) -> None:
    aid, vid, _ = verified_activity(container.ledger)

    correction_id = propose_correction(container.ledger, aid, vid)

    person = container.ledger.repository.get(vid)
    assert (person.balance, person.credited_hours) == (1, 1)
    container.runner().catch_up()
    (row,) = container.read_models().corrections(str(aid))
    assert (row["correction_id"], row["status"], row["proposed_by"]) == (
        str(correction_id),
        "proposed",
        CLERK.user_id,
    )


def test_approval_by_another_person_reverses_and_reawards(container: Container) -> None:
    aid, vid, old = verified_activity(container.ledger)
    correction_id = propose_correction(container.ledger, aid, vid)

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
    aid, vid, _ = verified_activity(container.ledger)
    correction_id = propose_correction(container.ledger, aid, vid)

    container.ledger.reject_correction(
        RejectCorrection(activity_id=aid, correction_id=correction_id, reason="签到表无误"),
        actor=BUREAU,
    )

    assert container.ledger.repository.get(vid).balance == 1
    container.runner().catch_up()
    (row,) = container.read_models().corrections(str(aid))
    assert (row["status"], row["decision_reason"]) == ("rejected", "签到表无误")
