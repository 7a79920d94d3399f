"""Four eyes on every change to credit: whoever proposed a correction or recorded the
hours cannot approve it, nor reverse the award."""

from __future__ import annotations

import pytest

from application.commands.activities import (
    ApproveCorrection,
)
from application.commands.people import ReverseAward
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from domain.values import Actor
from tests.support.builders import BUREAU, STAFF
from tests.support.corrections import CLERK, propose_correction, verified_activity


@pytest.mark.parametrize("approver", [CLERK, STAFF], ids=["proposer", "recorder"])
def test_the_proposer_or_the_recorder_cannot_approve(
    ledger: VolunteerLedger, approver: Actor
) -> None:
    aid, vid, _ = verified_activity(ledger)
    correction_id = propose_correction(ledger, aid, vid)
    before = ledger.current_position()

    with pytest.raises(DomainError) as refused:
        ledger.approve_correction(
            ApproveCorrection(activity_id=aid, correction_id=correction_id), actor=approver
        )

    assert refused.value.rule == "four-eyes"
    assert ledger.current_position() == before


def test_whoever_recorded_the_hours_cannot_reverse_the_award(ledger: VolunteerLedger) -> None:
    _, vid, entry = verified_activity(ledger)
    with pytest.raises(DomainError) as refused:
        ledger.reverse_award(
            ReverseAward(volunteer_id=vid, entry_id=entry, reason="重复"), actor=STAFF
        )
    assert refused.value.rule == "four-eyes"

    ledger.reverse_award(
        ReverseAward(volunteer_id=vid, entry_id=entry, reason="重复"), actor=BUREAU
    )
    assert ledger.repository.get(vid).balance == 0
