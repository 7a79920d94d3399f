"""Needs and the project library on both stores: a need carried to closure by a project's
verified activity and counted per station and project; activities stored before projects
(class version 2) still load. The refused closures are in tests/usecases."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.commands.needs import ActivateProject, CloseNeed, DraftProject
from domain.activity import ServiceActivity
from domain.ranking import Period
from domain.values import BeneficiaryType, Category, Interval
from infrastructure.bootstrap import Container
from infrastructure.decoding import FastDecoder
from tests.support.builders import BUREAU, STAFF, at, station, team
from tests.support.needs import D, condolence_activity, raised_need, served_and_verified


def _project(container: Container, team_id: UUID, need_ids: list[UUID]) -> UUID:
    ledger = container.ledger
    project = ledger.draft_project(
        DraftProject(
            title="烈属冬季送温暖",
            category=Category("condolence_visit"),
            description="为烈属家庭送煤并搬运入户",
            team_id=team_id,
            need_ids=need_ids,
            target_beneficiaries=[BeneficiaryType.MARTYR_FAMILY],
        ),
        actor=STAFF,
    ).id
    ledger.activate_project(ActivateProject(project_id=project), actor=BUREAU)
    return project


def test_a_need_met_by_a_projects_verified_activity_is_counted_for_station_and_project(
    container: Container,
) -> None:
    ledger = container.ledger
    met, waiting = (
        raised_need(container.ledger),
        raised_need(container.ledger, category="education_difficulty"),
    )
    team_id = team(ledger)
    project = _project(container, team_id, [met, waiting])
    aid = condolence_activity(container.ledger, team_id, project)
    served_and_verified(container.ledger, aid)

    ledger.close_need(CloseNeed(need_id=met, activity_id=aid, outcome="已送煤两吨"), actor=STAFF)
    container.runner().catch_up()
    reads = container.read_models()

    row = reads.need(str(met), date(2022, 12, 31))
    assert row is not None
    assert (row["status"], row["activity_id"], row["project_id"]) == ("met", str(aid), str(project))
    open_rows = reads.needs(today=date(2022, 12, 31), status="open", township="巴彦镇")["items"]
    assert [r["need_id"] for r in open_rows] == [str(waiting)]
    assert open_rows[0]["category_zh"] == "就学困难"
    counts = reads.needs_met()
    (home,) = [s for s in counts["stations"] if s["station_id"] == str(station(ledger))]
    assert (home["raised"], home["met"], home["open"], home["declined"]) == (2, 1, 1, 0)
    assert [(p["project_id"], p["needs_met"], p["activities"]) for p in counts["projects"]] == [
        (str(project), 1, 1)
    ]
    # counted in the period the need was closed in (the store stamps the time), no other
    closed_in = (datetime.fromisoformat(row["closed_at"]) + timedelta(hours=8)).strftime("%Y-%m")
    before = (datetime.fromisoformat(row["closed_at"]) - timedelta(days=40)).strftime("%Y-%m")
    assert reads.needs_met(Period.parse(closed_in))["projects"][0]["needs_met"] == 1
    assert reads.needs_met(Period.parse(before))["projects"][0]["needs_met"] == 0
    menu = reads.projects(status="active", township="巴彦镇")["items"]
    assert [(p["title"], p["needs_met"]) for p in menu] == [("烈属冬季送温暖", 1)]


def _as_version_2(container: Container, event: Any) -> StoredEvent:
    """``event`` stored as version 2 wrote it: a station id and no ``project_id``."""
    stored = container.ledger.mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 3
    del state["project_id"]
    state["class_version"] = 2
    return StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )


def test_activities_planned_before_projects_load_and_project_with_no_project(
    container: Container,
) -> None:
    ledger = container.ledger
    activity = ServiceActivity.plan(
        title="项目库之前的活动",
        category=Category("health_education"),
        team_id=team(ledger),
        township="巴彦镇",
        station="巴彦镇退役军人服务站",
        station_id=station(ledger),
        location="广场",
        window=Interval(at(D, 8), at(D, 18)),
        beneficiary_types=[],
        capacity=3,
        actor=STAFF,
    )
    (planned,) = activity.collect_events()
    stored = _as_version_2(container, planned)
    mapper = container.ledger.mapper
    for decode in (mapper.to_domain_event, FastDecoder(mapper)):
        event = decode(stored)
        assert (event.station_id, event.project_id) == (station(ledger), None)
        assert event.mutate(None).project_id is None

    ledger.recorder.insert_events([stored])
    container.runner().catch_up()

    assert ledger.load(ServiceActivity, activity.id).project_id is None
    assert container.read_models().activity(str(activity.id)) is not None
    assert container.read_models().needs_met()["projects"] == []
