"""The stations register: a team or an activity names a registered, open station."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.commands.stations import CloseStation
from application.errors import UnknownReference
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from tests.support.builders import BUREAU, station
from tests.support.stations import activity_at, team_at


def test_a_team_or_activity_naming_no_registered_station_is_refused(
    ledger: VolunteerLedger,
) -> None:
    before = ledger.current_position()
    typo = uuid4()
    with pytest.raises(UnknownReference) as team_refused:
        team_at(ledger, typo)
    team = team_at(ledger, station(ledger))
    after_team = ledger.current_position()
    with pytest.raises(UnknownReference) as activity_refused:
        activity_at(ledger, team, typo)
    assert team_refused.value.field == activity_refused.value.field == "station_id"
    assert str(typo) in str(activity_refused.value)
    # the station and the team were recorded; nothing for either refusal
    assert after_team == before + 2
    assert ledger.current_position() == after_team


def test_a_closed_station_takes_no_new_team_or_activity(ledger: VolunteerLedger) -> None:
    township = station(ledger)
    team = team_at(ledger, township)
    ledger.close_station(
        CloseStation(station_id=township, reason="并入镇综合服务中心"), actor=BUREAU
    )
    for attempt in (
        lambda: team_at(ledger, township),
        lambda: activity_at(ledger, team, township),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.rule == "station-closed"
