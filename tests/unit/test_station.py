"""Station: registering the three levels, a village's parent, renaming, closing.

One behaviour per test, given / when / then; the fixture ``township`` is a registered
township station (嘎鲁图镇).
"""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.station import Station
from domain.values import StationLevel


def register(
    actor,
    *,
    name=" 嘎鲁图镇退役军人服务站 ",
    level=StationLevel.TOWNSHIP,
    township=" 嘎鲁图镇 ",
    parent=None,
):
    return Station.register(name=name, level=level, township=township, parent=parent, actor=actor)


@pytest.fixture
def township(actor):
    station = register(actor)
    station.collect_events()
    return station


def test_registering_a_township_station_records_it_with_its_names_trimmed(actor, names):
    # When a township station is registered with padded names
    station = register(actor)

    # Then it is recorded, names trimmed, with no parent, by whoever registered it
    [registered] = station.collect_events()
    assert names([registered]) == ["Registered"]
    assert (registered.name, registered.level, registered.township, registered.parent_id) == (
        "嘎鲁图镇退役军人服务站",
        StationLevel.TOWNSHIP,
        "嘎鲁图镇",
        None,
    )
    assert registered.actor == actor


def test_the_banner_centre_needs_no_township(actor, names):
    # When the banner's centre is registered with no township, then it is recorded
    centre = register(
        actor, name="乌审旗退役军人服务中心", level=StationLevel.BANNER_CENTRE, township=""
    )
    assert names(centre.collect_events()) == ["Registered"]


def test_a_village_station_names_its_township_station(actor, township):
    # When a village station is registered under the township station
    village = register(
        actor, name="萨如拉图雅嘎查退役军人服务站", level=StationLevel.VILLAGE, parent=township
    )

    # Then it names the township station as its parent
    [registered] = village.collect_events()
    assert registered.parent_id == township.id


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"name": "  "}, "required-field"),
        ({"township": " "}, "station-township"),
        ({"level": StationLevel.VILLAGE}, "station-parent"),
    ],
    ids=["no-name", "no-township", "village-without-parent"],
)
def test_a_station_without_a_name_township_or_village_parent_is_refused(actor, changes, rule):
    # When a station names no name or township, or a village station no parent, then
    # it is refused
    with pytest.raises(DomainError) as refused:
        register(actor, **changes)
    assert refused.value.rule == rule


def test_a_village_under_a_village_station_is_refused(actor, township):
    # Given a village station
    village = register(actor, level=StationLevel.VILLAGE, parent=township)

    # When another village station is registered under it, then that is refused
    with pytest.raises(DomainError) as refused:
        register(actor, level=StationLevel.VILLAGE, parent=village)
    assert "not a township station" in str(refused.value)


def test_a_village_under_another_townships_station_is_refused(actor, township):
    # When a village in 图克镇 is registered under 嘎鲁图镇's station, then that is refused
    with pytest.raises(DomainError) as refused:
        register(actor, level=StationLevel.VILLAGE, township="图克镇", parent=township)
    assert "not in 图克镇" in str(refused.value)


def test_only_a_village_station_has_a_parent(actor, township):
    # When a township station names a parent, then that is refused
    with pytest.raises(DomainError) as refused:
        register(actor, level=StationLevel.TOWNSHIP, parent=township)
    assert refused.value.rule == "station-parent"


def test_renaming_records_the_new_name_trimmed_and_the_previous_one(actor, township, names):
    # When the station is renamed with a padded name
    township.rename(" 嘎鲁图镇退役军人服务站（新址） ", actor)

    # Then the renaming names both, and the station holds the new name
    [renamed] = township.collect_events()
    assert names([renamed]) == ["Renamed"]
    assert (renamed.name, renamed.previous) == (
        "嘎鲁图镇退役军人服务站（新址）",
        "嘎鲁图镇退役军人服务站",
    )
    assert township.name == "嘎鲁图镇退役军人服务站（新址）"


def test_renaming_to_the_same_name_is_refused(actor, township):
    # When the station is renamed to its name, then that is refused and nothing recorded
    with pytest.raises(DomainError) as refused:
        township.rename("嘎鲁图镇退役军人服务站", actor)
    assert refused.value.rule == "station-name-changes"
    assert township.collect_events() == []


def test_closing_a_station_records_it(actor, township, names):
    # When a station is closed, then that is recorded
    township.close("并入镇综合服务中心", actor)
    assert names(township.collect_events()) == ["Closed"]


@pytest.mark.parametrize("attempt", ["rename", "close", "add-village"])
def test_a_closed_station_is_not_renamed_closed_again_or_given_villages(actor, township, attempt):
    # Given a closed station
    township.close("并入镇综合服务中心", actor)
    township.collect_events()

    # When it is renamed, closed again or given a village station
    with pytest.raises(DomainError) as refused:
        if attempt == "rename":
            township.rename("新名", actor)
        elif attempt == "close":
            township.close("again", actor)
        else:
            register(actor, level=StationLevel.VILLAGE, parent=township)

    # Then that is refused and nothing is recorded
    assert refused.value.rule == "station-closed"
    assert township.collect_events() == []


def test_closing_without_a_reason_is_refused(actor, township):
    # When a station is closed with a blank reason, then that is refused
    with pytest.raises(DomainError) as refused:
        township.close(" ", actor)
    assert refused.value.rule == "reason-required"
