"""Need and Project: raising a need, meeting or declining it once; drafting, activating
and closing a project of the library. One behaviour per test, given / when / then."""

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


def test_raising_a_need_records_it_with_the_township_trimmed(actor, names):
    # When a martyr's family raises a need through the station
    need = raise_need(actor)

    # Then the need is recorded, township trimmed, with who to contact
    [raised] = need.collect_events()
    assert names([raised]) == ["Raised"]
    assert (raised.township, raised.category, raised.raised_by_contact) == (
        "嘎鲁图镇",
        "life_difficulty",
        "13947700123",
    )


def test_a_raised_need_is_open(actor):
    # When a need is raised, then it is open
    assert raise_need(actor).status == "open"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"description": "  "}, "required-field"),
        ({"raised_by_contact": " "}, "required-field"),
        ({"station_township": "图克镇"}, "need-station-township"),
    ],
    ids=["no-description", "no-contact", "station-of-another-township"],
)
def test_a_need_without_a_description_or_contact_or_through_another_township_is_refused(
    actor, changes, rule
):
    # When a need names no description or contact, or comes through another township's
    # station, then it is refused
    with pytest.raises(DomainError) as refused:
        raise_need(actor, **changes)
    assert refused.value.rule == rule


def test_a_need_is_met_by_a_verified_activity_of_its_township(actor, names, need):
    # Given an open need
    project = uuid4()

    # When a verified activity of its township meets it, under a project
    meet(need, actor, project_id=project)

    # Then that is recorded with the project and the outcome, and the need is met
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
    ids=["activity-not-verified", "activity-elsewhere", "no-outcome"],
)
def test_meeting_a_need_otherwise_is_refused_and_records_nothing(actor, need, changes, rule):
    # When an unverified or another township's activity, or no outcome, meets the need
    with pytest.raises(DomainError) as refused:
        meet(need, actor, **changes)

    # Then that is refused, nothing is recorded and the need stays open
    assert refused.value.rule == rule
    assert need.collect_events() == [] and need.status == "open"


def test_a_declined_need_cannot_be_met(actor, need):
    # Given a declined need
    need.decline("已由民政部门解决", actor)

    # When it is met, then that is refused: it is closed
    with pytest.raises(DomainError) as refused:
        meet(need, actor)
    assert refused.value.rule == "need-closed"


def test_declining_a_need_without_a_reason_is_refused(actor, need):
    # When a need is declined with a blank reason, then that is refused
    with pytest.raises(DomainError) as refused:
        need.decline(" ", actor)
    assert refused.value.rule == "reason-required"


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
    # When a project is drafted, activated and closed
    project = draft(actor)
    project.activate(actor)
    project.close("并入其他项目", actor)

    # Then each step is recorded and the project is closed
    assert names(project.collect_events()) == ["Drafted", "Activated", "Closed"]
    assert project.status == "closed"


def test_a_draft_names_each_need_once(actor):
    # When a project is drafted naming one need twice, then it names it once
    [drafted] = draft(actor).collect_events()
    assert drafted.need_ids == [STATION]


def test_a_project_for_no_one_is_refused(actor):
    # When a project names no beneficiaries, then it is refused
    with pytest.raises(DomainError) as refused:
        draft(actor, target_beneficiaries=[])
    assert refused.value.rule == "project-beneficiaries"


def test_a_draft_project_takes_no_activities(actor):
    # Given a draft project
    project = draft(actor)

    # When an activity would serve it, then that is refused: it is not active
    with pytest.raises(DomainError) as refused:
        project.require_active("have new activities")
    assert refused.value.rule == "project-not-active"


def test_activating_a_project_twice_is_refused(actor):
    # Given an active project
    project = draft(actor)
    project.activate(actor)

    # When it is activated again, then that is refused
    with pytest.raises(DomainError) as refused:
        project.activate(actor)
    assert refused.value.rule == "project-status"
