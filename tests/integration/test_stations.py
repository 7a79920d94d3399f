"""The stations register: teams and activities name a registered station; stations rank
within their level; stations named before the register keep reading and ranking. What
the register refuses is in tests/usecases."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from application.commands.activities import CompleteActivity, VerifyActivity
from application.commands.stations import RegisterStation, RenameStation
from domain.activity import ServiceActivity
from domain.errors import DomainError
from domain.team import VolunteerTeam
from domain.values import (
    Category,
    Interval,
    StationLevel,
    TeamLevel,
)
from infrastructure.bootstrap import Container
from infrastructure.decoding import FastDecoder
from tests.support.builders import BUREAU, STAFF, at, hours, station, volunteer
from tests.support.stations import D, activity_at, team_at


def _village(container: Container, township: str, name: str) -> UUID:
    return container.ledger.register_station(
        RegisterStation(
            name=name,
            level=StationLevel.VILLAGE,
            township=township,
            parent_id=station(container.ledger, township),
        ),
        actor=BUREAU,
    ).id


def _served(container: Container, team: UUID, station_id: UUID, people: int) -> None:
    """A verified activity at ``station_id`` with ``people`` volunteers serving 9–12."""
    ledger = container.ledger
    aid = activity_at(container.ledger, team, station_id)
    for _ in range(people):
        hours(ledger, aid, volunteer(ledger), at(D, 9), at(D, 12))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)


def test_village_and_township_stations_rank_apart_and_the_centre_never(
    container: Container,
) -> None:
    ledger = container.ledger
    centre = ledger.register_station(
        RegisterStation(
            name="旗退役军人服务中心", level=StationLevel.BANNER_CENTRE, township="", parent_id=None
        ),
        actor=BUREAU,
    ).id
    township = station(ledger)
    busy = _village(container, "巴彦镇", "巴彦嘎查退役军人服务站")
    _village(container, "巴彦镇", "呼和嘎查退役军人服务站")  # holds nothing
    team = team_at(container.ledger, township)
    _served(container, team, township, 1)
    _served(container, team, busy, 2)
    _served(container, team, centre, 3)
    container.runner().catch_up()
    reads = container.read_models()

    townships = reads.rankings("station", "2022")
    villages = reads.rankings("station", "2022", "village")

    # Each level is scaled on its own: alone in it, a station with activities, hours and
    # volunteers (no feedback, no media) scores 30 + 30 + 10, whatever the centre did.
    assert [(r["name"], r["rank"], r["score"]) for r in townships] == [
        ("巴彦镇退役军人服务站", 1, "70")
    ]
    assert [(r["name"], r["rank"], r["score"]) for r in villages] == [
        ("巴彦嘎查退役军人服务站", 1, "70"),
        ("呼和嘎查退役军人服务站", None, "0"),
    ]
    idle = villages[1]
    assert (idle["activities"], idle["volunteer_hours"], idle["rank_change"]) == (0, "0", None)
    with pytest.raises(DomainError) as refused:
        reads.rankings("station", "2022", "banner_centre")
    assert refused.value.rule == "ranking-level"


def test_a_renamed_station_ranks_and_lists_under_its_new_name(container: Container) -> None:
    ledger = container.ledger
    township = station(ledger)
    _served(container, team_at(container.ledger, township), township, 1)
    ledger.rename_station(
        RenameStation(station_id=township, name="巴彦镇退役军人服务站（新址）"), actor=BUREAU
    )
    container.runner().catch_up()
    reads = container.read_models()

    assert [r["name"] for r in reads.rankings("station", "2022")] == [
        "巴彦镇退役军人服务站（新址）"
    ]
    listed = reads.station(str(township))
    assert listed is not None
    assert (listed["name"], listed["level"], listed["closed"]) == (
        "巴彦镇退役军人服务站（新址）",
        "township",
        False,
    )


# ---------------------------------------------------------------- stored before the register


def _as_version_1(container: Container, event: Any) -> StoredEvent:
    """``event`` stored as version 1 wrote it: a free-text station, no ``station_id`` (nor
    the ``project_id`` an activity's version 3 adds)."""
    stored = container.ledger.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") in (2, 3)
    del state["station_id"]
    state.pop("project_id", None)
    return StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )


def _old_team(container: Container) -> tuple[VolunteerTeam, StoredEvent]:
    team = VolunteerTeam.form(
        name="老队",
        level=TeamLevel.TOWNSHIP,
        township="巴彦镇",
        station="巴彦镇服务站",
        actor=STAFF,
    )
    (formed,) = team.collect_events()
    return team, _as_version_1(container, formed)


def test_teams_and_activities_stored_before_the_register_still_load(
    container: Container,
) -> None:
    team, stored_team = _old_team(container)
    activity = ServiceActivity.plan(
        title="老活动",
        category=Category("health_education"),
        team_id=team.id,
        township="巴彦镇",
        station="巴彦镇服务站",
        location="广场",
        window=Interval(at(D, 8), at(D, 18)),
        beneficiary_types=[],
        capacity=3,
        actor=STAFF,
    )
    (planned,) = activity.collect_events()
    stored_activity = _as_version_1(container, planned)
    mapper = container.ledger.mapper
    for decode in (mapper.to_domain_event, FastDecoder(mapper)):
        for stored in (stored_team, stored_activity):
            event = decode(stored)
            assert (event.station, event.station_id) == ("巴彦镇服务站", None)
            assert event.mutate(None).station_id is None


def test_a_free_text_station_of_old_events_ranks_with_township_stations(
    container: Container,
) -> None:
    ledger = container.ledger
    _, stored_team = _old_team(container)
    ledger.recorder.insert_events([stored_team])
    township = station(ledger)
    _served(container, team_at(container.ledger, township), township, 1)
    container.runner().catch_up()

    rows = container.read_models().rankings("station", "2022")

    assert [(r["name"], r["rank"]) for r in rows] == [
        ("巴彦镇退役军人服务站", 1),
        ("巴彦镇服务站", None),
    ]
