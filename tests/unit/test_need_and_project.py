"""Need and Project: raising a need, meeting or declining it once; drafting, activating
and closing a project of the library."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.need import Need
from domain.project import Project
from domain.values import BeneficiaryType, Category

STATION = uuid4()


def raise_need(actor, **changes):
    fields = {
        "township": " 嘎鲁图镇 ",
        "station_id": STATION,
        "station_township": "嘎鲁图镇",
        "beneficiary_type": BeneficiaryType.MARTYR_FAMILY,
        "category": "life_difficulty",
        "description": "烈属独居老人，冬季取暖煤需要帮助搬运",
        "raised_by_name": "王桂兰",
        "raised_by_contact": "13947700123",
        **changes,
    }
    return Need.raise_need(actor=actor, **fields)


@pytest.fixture
def need(actor):
    need = raise_need(actor)
    need.collect_events()
    return need


def meet(need, actor, **changes):
    fields = {
        "activity_id": uuid4(),
        "activity_township": "嘎鲁图镇",
        "activity_verified": True,
        "project_id": None,
        "outcome": "已送煤两吨",
        **changes,
    }
    need.meet(actor=actor, **fields)


def test_raising_a_need(actor, names):
    need = raise_need(actor)

    [raised] = need.collect_events()
    assert names([raised]) == ["Raised"]
    assert (raised.township, raised.category, raised.raised_by_contact) == (
        "嘎鲁图镇",
        "life_difficulty",
        "13947700123",
    )
    assert need.status == "open"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"description": "  "}, "required-field"),
        ({"raised_by_contact": " "}, "required-field"),
        ({"station_township": "图克镇"}, "need-station-township"),
    ],
)
def test_raising_refusals(actor, changes, rule):
    with pytest.raises(DomainError) as refused:
        raise_need(actor, **changes)
    assert refused.value.rule == rule


def test_a_need_is_met_by_a_verified_activity_of_its_township(actor, names, need):
    project = uuid4()
    meet(need, actor, project_id=project)

    [met] = need.collect_events()
    assert names([met]) == ["Met"]
    assert (met.project_id, met.outcome, need.status) == (project, "已送煤两吨", "met")


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"activity_verified": False}, "need-activity-verified"),
        ({"activity_township": "图克镇"}, "need-activity-township"),
        ({"outcome": " "}, "required-field"),
    ],
)
def test_meeting_refusals_record_nothing(actor, need, changes, rule):
    with pytest.raises(DomainError) as refused:
        meet(need, actor, **changes)
    assert refused.value.rule == rule
    assert need.collect_events() == [] and need.status == "open"


def test_a_closed_need_is_closed_once(actor, need):
    need.decline("已由民政部门解决", actor)
    with pytest.raises(DomainError) as again:
        meet(need, actor)
    assert again.value.rule == "need-closed"
    with pytest.raises(DomainError) as no_reason:
        raise_need(actor).decline(" ", actor)
    assert no_reason.value.rule == "reason-required"


def draft(actor, **changes):
    fields = {
        "title": "烈属冬季送温暖",
        "category": Category("condolence_visit"),
        "description": "送煤并搬运入户",
        "team_id": uuid4(),
        "township": "嘎鲁图镇",
        "need_ids": [STATION, STATION],
        "target_beneficiaries": [BeneficiaryType.MARTYR_FAMILY],
        **changes,
    }
    return Project.draft(actor=actor, **fields)


def test_a_project_is_drafted_activated_and_closed(actor, names):
    project = draft(actor)
    project.activate(actor)
    project.close("并入其他项目", actor)

    events = project.collect_events()
    assert names(events) == ["Drafted", "Activated", "Closed"]
    assert events[0].need_ids == [STATION]  # each need once
    assert project.status == "closed"


def test_project_refusals(actor):
    with pytest.raises(DomainError) as nobody:
        draft(actor, target_beneficiaries=[])
    project = draft(actor)
    with pytest.raises(DomainError) as draft_takes_none:
        project.require_active("have new activities")
    project.activate(actor)
    with pytest.raises(DomainError) as twice:
        project.activate(actor)
    assert (nobody.value.rule, draft_takes_none.value.rule, twice.value.rule) == (
        "project-beneficiaries",
        "project-not-active",
        "project-status",
    )
