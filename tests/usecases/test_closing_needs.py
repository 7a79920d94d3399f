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


def test_a_closure_the_rules_refuse_records_nothing(ledger: VolunteerLedger) -> None:
    need = raised_need(ledger)
    team_id = team(ledger)
    planned = condolence_activity(ledger, team_id, None)
    before = ledger.current_position()

    with pytest.raises(DomainError) as unverified:
        ledger.close_need(CloseNeed(need_id=need, activity_id=planned, outcome="已办"), actor=STAFF)
    with pytest.raises(UnknownReference) as unknown:
        ledger.close_need(CloseNeed(need_id=need, activity_id=uuid4(), outcome="已办"), actor=STAFF)

    assert unverified.value.rule == "need-activity-verified"
    assert unknown.value.field == "activity_id"
    assert ledger.current_position() == before


def test_a_need_of_another_township_is_not_met_by_this_townships_activity(
    ledger: VolunteerLedger,
) -> None:
    elsewhere = raised_need(ledger, township="新民镇")
    aid = condolence_activity(ledger, team(ledger), None)
    served_and_verified(ledger, aid)

    with pytest.raises(DomainError) as refused:
        ledger.close_need(
            CloseNeed(need_id=elsewhere, activity_id=aid, outcome="已办"), actor=STAFF
        )

    assert refused.value.rule == "need-activity-township"
