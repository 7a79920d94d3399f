"""A group policy for the office's member list: all or nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.commands.people import WithdrawVolunteer
from application.errors import BulkRejected
from application.ledger import VolunteerLedger
from tests.support.builders import STAFF, volunteer
from tests.support.insurance import group_policy


def test_every_bad_member_is_named_and_nothing_is_recorded(ledger: VolunteerLedger) -> None:
    good, gone, holder = (volunteer(ledger, insured=False) for _ in range(3))
    ledger.withdraw_volunteer(WithdrawVolunteer(volunteer_id=gone, reason="退出"), actor=STAFF)
    group_policy(ledger, [holder])
    before = ledger.current_position()

    with pytest.raises(BulkRejected) as rejected:
        group_policy(
            ledger,
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
