"""Responses have shapes: the reads of activities, needs and projects answer through their
response models, so the OpenAPI names each field instead of ``object``, and the models
drop nothing: each answer is the read model's row as it is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.commands.activities import (
    CompleteActivity,
    CorrectHours,
    RecordFeedback,
    SignUp,
    VerifyActivity,
)
from application.commands.needs import DraftProject, RaiseNeed
from application.readmodel.queries.readmodels import ReadModels
from domain.ranking import Period
from domain.values import BeneficiaryType, Category, Interval
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.users import UserStore
from interfaces.http.app import API_PREFIX, create_app
from interfaces.http.routers.needs import today
from tests.support.builders import (
    BUREAU,
    DAY,
    STAFF,
    activity,
    at,
    hours,
    station,
    team,
    volunteer,
)


@dataclass
class Office:
    client: TestClient
    reads: ReadModels
    ids: dict[str, str]
    today: Any
    token: str

    def get(self, path: str) -> Any:
        answer = self.client.get(API_PREFIX + path, headers={"Authorization": self.token})
        assert answer.status_code == 200, answer.text
        return answer.json()


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    folder: Path = tmp_path_factory.mktemp("shapes")
    container = bootstrap(Settings(database_url=f"sqlite:///{folder / 'ledger.sqlite3'}"))
    token = UserStore(container.store).add("admin-shapes", "admin")
    ledger = container.ledger
    tid, vid = team(ledger), volunteer(ledger)
    aid = activity(ledger, tid)
    ledger.sign_up(SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF)
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 12))
    ledger.record_feedback(
        RecordFeedback(activity_id=aid, satisfaction=5, comment="讲得很清楚"), actor=STAFF
    )
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    ledger.correct_hours(
        CorrectHours(
            activity_id=aid,
            volunteer_id=vid,
            interval=Interval(at(DAY, 9), at(DAY, 11)),
            reason="签退时间登记错误",
        ),
        actor=STAFF,
    )
    nid = ledger.raise_need(
        RaiseNeed(
            township="巴彦镇",
            station_id=station(ledger),
            beneficiary_type=BeneficiaryType.VETERAN,
            category="life_difficulty",
            description="独居老人冬季取暖需要帮助",
            raised_by_name="王桂兰",
            raised_by_contact="13947700123",
        ),
        actor=STAFF,
    ).id
    pid = ledger.draft_project(
        DraftProject(
            title="冬季送温暖",
            category=Category("health_education"),
            description="为困难家庭送煤",
            team_id=tid,
            need_ids=[nid],
            target_beneficiaries=[BeneficiaryType.VETERAN],
        ),
        actor=STAFF,
    ).id
    container.catch_up()
    ids = {"activity": str(aid), "need": str(nid), "project": str(pid)}
    with TestClient(create_app(container, close_container=True)) as client:
        yield Office(client, container.read_models(), ids, today(container), f"Bearer {token}")


def _expected(office: Office, route: str) -> Any:
    reads, ids = office.reads, office.ids
    aid = ids["activity"]
    return {
        "/activities": lambda: dict(reads.activities()),
        "/activities/{activity}": lambda: {
            **(reads.activity(aid) or {}),
            "project_id": reads.project_of_activity(aid),
        },
        "/activities/{activity}/corrections": lambda: {
            "activity_id": aid,
            "items": reads.corrections(aid),
        },
        "/activities/{activity}/feedback": lambda: {
            "activity_id": aid,
            "items": reads.feedback(aid),
        },
        "/activities/{activity}/insurance": lambda: {
            "activity_id": aid,
            "items": reads.activity_insurance(aid),
        },
        "/needs": lambda: reads.needs(today=office.today),
        "/needs/{need}": lambda: reads.need(ids["need"], office.today),
        "/needs/met": lambda: reads.needs_met(Period.parse("2022")),
        "/projects": lambda: reads.projects(),
        "/projects/{project}": lambda: reads.project(ids["project"]),
    }[route]()


ROUTES = [
    ("/activities", "ActivityPage"),
    ("/activities/{activity}", "ActivityDetail"),
    ("/activities/{activity}/corrections", "Corrections"),
    ("/activities/{activity}/feedback", "Ratings"),
    ("/activities/{activity}/insurance", "ActivityCover"),
    ("/needs", "NeedPage"),
    ("/needs/{need}", "NeedRow"),
    ("/needs/met", "NeedsMet"),
    ("/projects", "ProjectPage"),
    ("/projects/{project}", "ProjectDetail"),
]


@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_the_answer_is_the_read_models_row_with_every_field(
    office: Office, route: str, model: str
) -> None:
    path = route.format(**office.ids)
    if route == "/needs/met":
        path += "?period=2022"
    assert office.get(path) == _as_json(_expected(office, route))


@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_the_openapi_names_the_answers_fields(office: Office, route: str, model: str) -> None:
    openapi = office.client.get("/openapi.json").json()
    template = route.replace("{activity}", "{activity_id}")
    template = template.replace("{need}", "{need_id}").replace("{project}", "{project_id}")
    answer = openapi["paths"][API_PREFIX + template]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema == {"$ref": f"#/components/schemas/{model}"}
    assert openapi["components"]["schemas"][model]["properties"]
