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


def test_a_team_naming_no_registered_station_is_refused(ledger: VolunteerLedger) -> None:
    # Given a station id that names no registered station (a typo)
    typo = uuid4()
    before = ledger.current_position()

    # When a team is formed there
    with pytest.raises(UnknownReference) as refused:
        team_at(ledger, typo)

    # Then the station id is refused and nothing is recorded
    assert refused.value.field == "station_id"
    assert ledger.current_position() == before


def test_an_activity_naming_no_registered_station_is_refused(ledger: VolunteerLedger) -> None:
    # Given a team at a registered station, and a station id that names none
    team = team_at(ledger, station(ledger))
    typo = uuid4()
    before = ledger.current_position()

    # When the team plans an activity at the unknown station
    with pytest.raises(UnknownReference) as refused:
        activity_at(ledger, team, typo)

    # Then the refusal names the station id, and nothing is recorded
    assert refused.value.field == "station_id" and str(typo) in str(refused.value)
    assert ledger.current_position() == before


def test_a_closed_station_takes_no_new_team(ledger: VolunteerLedger) -> None:
    # Given a closed station
    township = station(ledger)
    ledger.close_station(
        CloseStation(station_id=township, reason="并入镇综合服务中心"), actor=BUREAU
    )

    # When a team is formed there
    with pytest.raises(DomainError) as refused:
        team_at(ledger, township)

    # Then it is refused
    assert refused.value.rule == "station-closed"


def test_a_closed_station_takes_no_new_activity(ledger: VolunteerLedger) -> None:
    # Given a team whose station is then closed
    township = station(ledger)
    team = team_at(ledger, township)
    ledger.close_station(
        CloseStation(station_id=township, reason="并入镇综合服务中心"), actor=BUREAU
    )

    # When the team plans an activity there
    with pytest.raises(DomainError) as refused:
        activity_at(ledger, team, township)

    # Then it is refused
    assert refused.value.rule == "station-closed"
