"""Closing a need: only by a verified activity of the need's own township; a closure the
rules refuse records nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.commands.needs import CloseNeed
from application.errors import UnknownReference
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from tests.support.builders import STAFF, team
from tests.support.needs import condolence_activity, raised_need, served_and_verified


def test_a_need_is_not_closed_by_an_activity_not_yet_verified(ledger: VolunteerLedger) -> None:
    # Given a need and a planned, unverified activity
    need = raised_need(ledger)
    planned = condolence_activity(ledger, team(ledger), None)
    before = ledger.current_position()

    # When the need is closed by that activity
    with pytest.raises(DomainError) as unverified:
        ledger.close_need(CloseNeed(need_id=need, activity_id=planned, outcome="已办"), actor=STAFF)

    # Then it is refused and nothing is recorded
    assert unverified.value.rule == "need-activity-verified"
    assert ledger.current_position() == before


def test_a_need_is_not_closed_by_an_unknown_activity(ledger: VolunteerLedger) -> None:
    # Given a need
    need = raised_need(ledger)
    before = ledger.current_position()

    # When it is closed naming an activity that does not exist
    with pytest.raises(UnknownReference) as unknown:
        ledger.close_need(CloseNeed(need_id=need, activity_id=uuid4(), outcome="已办"), actor=STAFF)

    # Then the activity id is named as unknown and nothing is recorded
    assert unknown.value.field == "activity_id"
    assert ledger.current_position() == before


def test_a_need_of_another_township_is_not_met_by_this_townships_activity(
    ledger: VolunteerLedger,
) -> None:
    # Given a need in 新民镇 and a verified activity of 巴彦镇
    elsewhere = raised_need(ledger, township="新民镇")
    aid = condolence_activity(ledger, team(ledger), None)
    served_and_verified(ledger, aid)

    # When the need is closed by that activity
    with pytest.raises(DomainError) as refused:
        ledger.close_need(
            CloseNeed(need_id=elsewhere, activity_id=aid, outcome="已办"), actor=STAFF
        )

    # Then a township's activity meets only its own needs
    assert refused.value.rule == "need-activity-township"
