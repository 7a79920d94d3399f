"""Station: registering the three levels, a village's parent, renaming, closing."""

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


def test_registering_a_township_station(actor, names):
    station = register(actor)

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
    centre = register(
        actor, name="乌审旗退役军人服务中心", level=StationLevel.BANNER_CENTRE, township=""
    )
    assert names(centre.collect_events()) == ["Registered"]


def test_a_village_station_names_its_township_station(actor, township):
    village = register(
        actor, name="萨如拉图雅嘎查退役军人服务站", level=StationLevel.VILLAGE, parent=township
    )
    [registered] = village.collect_events()
    assert registered.parent_id == township.id


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"name": "  "}, "required-field"),
        ({"township": " "}, "station-township"),
        ({"level": StationLevel.VILLAGE}, "station-parent"),  # no parent
    ],
)
def test_registering_refusals(actor, changes, rule):
    with pytest.raises(DomainError) as refused:
        register(actor, **changes)
    assert refused.value.rule == rule


def test_a_village_parent_must_be_a_township_station_of_the_same_township(actor, township):
    village = register(actor, level=StationLevel.VILLAGE, parent=township)
    with pytest.raises(DomainError) as not_township:
        register(actor, level=StationLevel.VILLAGE, parent=village)
    with pytest.raises(DomainError) as elsewhere:
        register(actor, level=StationLevel.VILLAGE, township="图克镇", parent=township)
    with pytest.raises(DomainError) as not_village:
        register(actor, level=StationLevel.TOWNSHIP, parent=township)
    assert "not a township station" in str(not_township.value)
    assert "not in 图克镇" in str(elsewhere.value)
    assert not_village.value.rule == "station-parent"


def test_renaming_records_the_previous_name(actor, township, names):
    township.rename(" 嘎鲁图镇退役军人服务站（新址） ", actor)

    [renamed] = township.collect_events()
    assert names([renamed]) == ["Renamed"]
    assert (renamed.name, renamed.previous) == (
        "嘎鲁图镇退役军人服务站（新址）",
        "嘎鲁图镇退役军人服务站",
    )
    assert township.name == "嘎鲁图镇退役军人服务站（新址）"


def test_renaming_to_the_same_name_records_nothing(actor, township):
    with pytest.raises(DomainError) as refused:
        township.rename("嘎鲁图镇退役军人服务站", actor)
    assert refused.value.rule == "station-name-changes"
    assert township.collect_events() == []


def test_a_closed_station_is_not_renamed_closed_again_or_given_villages(actor, township, names):
    township.close("并入镇综合服务中心", actor)
    assert names(township.collect_events()) == ["Closed"]

    for attempt in (
        lambda: township.rename("新名", actor),
        lambda: township.close("again", actor),
        lambda: register(actor, level=StationLevel.VILLAGE, parent=township),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.rule == "station-closed"
    assert township.collect_events() == []


def test_closing_needs_a_reason(actor, township):
    with pytest.raises(DomainError) as refused:
        township.close(" ", actor)
    assert refused.value.rule == "reason-required"
