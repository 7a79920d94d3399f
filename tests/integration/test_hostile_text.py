"""Hostile text at the HTTP edge and in the store (issue 13, findings 1 and 10), on PostgreSQL.

Every text field of every command refuses NUL, controls, bidi overrides, lone surrogates
and over-long text with a 422 naming the field; what is accepted every projection applies.
An event stored with a NUL (below the API, as before the rules) is applied in its safe
form; a projection that cannot apply an event stops alone, naming it, and /readyz says so.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args, get_origin
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands.people import EnrolMember
from application.readmodel.catalogue import all_projections
from application.readmodel.projections.ledger import LedgerProjection
from application.readmodel.store import RowStore
from domain.team import VolunteerTeam
from domain.values import Actor, PersonType, Role, TeamLevel
from domain.volunteer import Volunteer
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.rebuild import rebuild
from infrastructure.runner import ProjectionRunner
from infrastructure.settings import Settings
from infrastructure.users import UserStore
from interfaces.http.app import API_PREFIX, create_app
from tests.hostile_text import hostile_text, refused
from tests.support.builders import (
    activity,
    at,
    hours,
    national_id,
    station,
    team,
    volunteer,
)
from tests.support.postgres import pg_url

pytestmark = pytest.mark.postgres


def _settings(dbname: str) -> Settings:
    schema = f"h_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(database_url=pg_url(dbname), postgres_schema=schema, run_projections=False)


@dataclass
class Http:
    container: Container
    client: TestClient
    runner: ProjectionRunner
    token: str

    def post(self, path: str, body: dict[str, Any]) -> Any:
        # json.dumps escapes a lone surrogate as \\ud800, as a hostile client would send it.
        return self.client.post(
            API_PREFIX + path,
            content=json.dumps(body),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )

    def caught_up(self) -> None:
        """Every projection applied the log to its head, none stopped."""
        self.runner.catch_up()
        head = self.container.ledger.current_position()
        tracking = self.container.store.tracking()
        assert {n: t["error"] for n, t in tracking.items() if t["error"]} == {}
        assert {n: t["position"] for n, t in tracking.items() if t["position"] != head} == {}


@pytest.fixture(scope="module")
def http(pg_database: str) -> Iterator[Http]:
    container = bootstrap(_settings(pg_database))
    token = UserStore(container.store).add("admin-h13", "admin")
    with TestClient(create_app(container, close_container=True)) as client:
        yield Http(container, client, container.runner(), token)


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


# ----------------------------------------------------------------- every field of every command


@dataclass(frozen=True)
class Field:
    path: str
    body: dict[str, Any]
    name: str
    multiline: bool = False
    required: bool = True
    max_length: int = 500
    # Text the text rules let through may still break the field's own format rule (a
    # national id's length, digits and check character): then a 422 naming that rule.
    format_rules: tuple[str, ...] = ()
    # A code the schema's pattern decides first (a rulebook code): its 422 names no rule.
    pattern: bool = False

    @property
    def error_field(self) -> str:
        return "skills.0" if self.name == "skills" else self.name


@pytest.fixture(scope="module")
def fields(http: Http) -> list[Field]:
    ledger = http.container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    ledger.enrol_member(EnrolMember(team_id=tid, volunteer_id=vid, role=_member()), actor=_staff())
    aid = activity(ledger, tid)
    hours(ledger, aid, vid, at(date(2022, 5, 11), 9), at(date(2022, 5, 11), 12))
    http.caught_up()
    reason = {"reason": "理由"}
    commend = {"title": "优秀", "period": "2022", "basis_position": 1, "reason": "理由"}
    sid = str(station(ledger))
    new_station = {"name": "站", "level": "township", "township": "巴彦镇"}
    new_team = {"name": "队", "level": "banner", "township": "巴彦镇", "station_id": sid}
    new_volunteer = {
        "name": "王建国",
        "national_id": national_id(),
        "phone": "13800000000",
        "person_type": "veteran",
        "township": "巴彦镇",
        "skills": ["急救"],
    }
    insurance = {
        "policy_number": "P-1",
        "insurer": "中国人保",
        "kind": "group",
        "covers_from": "2023-01-01",
        "covers_to": "2023-12-31",
        "sum_insured": "1000",
    }
    new_activity = {
        "title": "健康知识进社区",
        "category": "health_education",
        "team_id": str(tid),
        "township": "巴彦镇",
        "station_id": sid,
        "location": "广场",
        "starts_at": "2022-06-11T08:00:00+08:00",
        "ends_at": "2022-06-11T18:00:00+08:00",
        "capacity": 5,
    }
    correction = {
        "started_at": "2022-05-11T09:00:00+08:00",
        "ended_at": "2022-05-11T11:00:00+08:00",
        "reason": "理由",
    }
    media = {
        "outlet": "日报",
        "level": "city",
        "url": "https://example.cn/a.html",
        "published_on": "2022-05-12",
    }
    long = {"multiline": True, "max_length": 2000}
    return [
        *(Field("/stations", new_station, f) for f in ("name", "township")),
        *(Field("/teams", new_team, f) for f in ("name", "township")),
        Field(f"/teams/{tid}/members/{vid}/leave", reason, "reason", **long),
        *(Field(f"/teams/{tid}/commendations", commend, f) for f in ("title",)),
        Field(f"/teams/{tid}/commendations", commend, "period", max_length=40),
        Field(f"/teams/{tid}/commendations", commend, "reason", **long),
        *(Field("/volunteers", new_volunteer, f) for f in ("name", "township")),
        Field(
            "/volunteers",
            new_volunteer,
            "national_id",
            max_length=40,
            format_rules=("national-id-",),
        ),
        Field("/volunteers", new_volunteer, "phone", required=False, max_length=40),
        Field("/volunteers", new_volunteer, "skills", max_length=100),
        *(
            Field(f"/volunteers/{vid}/insurance", insurance, f)
            for f in ("policy_number", "insurer")
        ),
        Field(
            f"/volunteers/{vid}/trainings",
            {"course": "急救", "hours": "2", "completed_on": "2022-03-01"},
            "course",
        ),
        Field(f"/volunteers/{vid}/commendations", commend, "title"),
        Field(f"/volunteers/{vid}/commendations", commend, "period", max_length=40),
        Field(f"/volunteers/{vid}/commendations", commend, "reason", **long),
        Field(
            f"/volunteers/{vid}/redemptions",
            {"benefit": "health_check"},
            "benefit",
            max_length=40,
            format_rules=("unknown-benefit",),
            pattern=True,
        ),
        Field(f"/awards/{uuid.uuid4()}/reversal", reason, "reason", **long),
        *(Field("/activities", new_activity, f) for f in ("title", "township", "location")),
        Field(
            "/activities",
            new_activity,
            "category",
            max_length=60,
            format_rules=("unknown-category", "category-code"),
        ),
        Field(f"/activities/{aid}/signups/{vid}/withdraw", reason, "reason", **long),
        Field(f"/activities/{aid}/hours/{vid}/corrections", correction, "reason", **long),
        Field(
            f"/activities/{aid}/feedback",
            {"satisfaction": 5, "comment": ""},
            "comment",
            multiline=True,
            required=False,
            max_length=2000,
        ),
        Field(f"/activities/{aid}/media", media, "outlet"),
        Field(f"/activities/{aid}/media", media, "url", max_length=2000),
        Field(f"/activities/{aid}/cancel", reason, "reason", **long),
    ]


def _member() -> Any:
    from domain.values import MemberRole

    return MemberRole.MEMBER


def _staff() -> Actor:
    return Actor("staff-h13", Role.ADMIN, "req-h13")


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), text=hostile_text())
def test_every_text_field_of_every_command_is_refused_with_422_or_applied_by_every_projection(
    http: Http, fields: list[Field], data: st.DataObject, text: str
) -> None:
    field = data.draw(st.sampled_from(fields))
    value: Any = [text] if field.name == "skills" else text
    response = http.post(field.path, {**field.body, field.name: value})

    assert response.status_code < 500, response.text
    if refused(
        text, multiline=field.multiline, required=field.required, max_length=field.max_length
    ):
        assert response.status_code == 422, (field.path, field.name, response.text)
        assert field.error_field in _fields(response), response.text
    elif field.format_rules and field.error_field in _fields(response):
        assert response.status_code == 422, response.text
        rule = response.json().get("rule")
        if not (field.pattern and rule is None):
            assert str(rule).startswith(field.format_rules), response.text
    else:
        assert field.error_field not in _fields(response), response.text
    if response.status_code < 300:
        http.caught_up()


def test_the_field_table_covers_every_text_field_of_every_request_body(
    fields: list[Field],
) -> None:
    from pydantic import BaseModel

    from interfaces.http import schemas

    bodies = [
        m
        for m in vars(schemas).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == schemas.__name__
    ]
    text_fields = {
        (model.__name__, name)
        for model in bodies
        for name, info in model.model_fields.items()
        if model.model_config.get("extra") == "forbid" and _is_text(info.annotation)
    }
    covered = {f.name for f in fields}
    assert {name for _, name in text_fields} <= covered, text_fields


def _is_text(annotation: Any) -> bool:
    """``str``, or a list of (annotated) ``str``."""
    if annotation is str:
        return True
    args = get_args(annotation)
    # Annotated[str, ...] keeps str as its __origin__.
    return get_origin(annotation) is list and getattr(args[0], "__origin__", args[0]) is str


# ----------------------------------------------------------------- finding 10 at the edge


@pytest.mark.parametrize(
    ("starts_at", "why"),
    [
        ("1652227200", "an epoch string"),
        ("2022-06-11", "a bare date"),
        ("2022-06-11T08:00:00", "no offset"),
        ("2022-06-11T08:00:00-23:59", "an offset beyond -14:00"),
        ("2022-06-11T08:00:00+14:30", "an offset beyond +14:00"),
    ],
)
def test_times_are_rfc3339_with_a_real_offset(
    http: Http, fields: list[Field], starts_at: str, why: str
) -> None:
    plan = next(f for f in fields if f.path == "/activities")
    before = http.container.ledger.current_position()
    response = http.post("/activities", {**plan.body, "starts_at": starts_at})
    assert response.status_code == 422, why
    assert _fields(response) == {"starts_at"}, why
    assert http.container.ledger.current_position() == before


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        ("/audit/events", "from", "1652227200"),
        ("/audit/events", "to", "2022-06-11T08:00:00-23:59"),
        ("/teams", "known_at", "2022-06-11T08:00:00+23:59"),
        ("/reviews/2022", "known_at", "1652227200"),
    ],
)
def test_query_times_are_rfc3339_with_a_real_offset(
    http: Http, path: str, param: str, value: str
) -> None:
    response = http.client.get(
        API_PREFIX + path, params={param: value}, headers={"Authorization": f"Bearer {http.token}"}
    )
    assert response.status_code == 422, response.text
    assert _fields(response) == {param}


def test_an_offset_of_fourteen_hours_is_accepted(http: Http, fields: list[Field]) -> None:
    plan = next(f for f in fields if f.path == "/activities")
    body = {
        **plan.body,
        "starts_at": "2022-06-11T08:00:00+14:00",
        "ends_at": "2022-06-11T10:00:00+14:00",
    }
    assert http.post("/activities", body).status_code == 201


def test_fifty_thousand_skills_are_refused_naming_the_list(http: Http, fields: list[Field]) -> None:
    register = next(f for f in fields if f.path == "/volunteers")
    response = http.post("/volunteers", {**register.body, "skills": ["急救"] * 50_000})
    assert response.status_code == 422
    assert _fields(response) == {"skills"}


def test_training_hours_off_the_step_are_422_naming_hours(http: Http, fields: list[Field]) -> None:
    training = next(f for f in fields if f.path.endswith("/trainings"))
    before = http.container.ledger.current_position()
    response = http.post(training.path, {**training.body, "hours": "1e-10"})
    assert response.status_code == 422, response.text
    assert _fields(response) == {"hours"}
    assert "0.5" in response.json()["detail"]
    assert http.container.ledger.current_position() == before


def test_a_malformed_ranking_period_is_422_naming_it(http: Http) -> None:
    response = http.client.get(
        f"{API_PREFIX}/rankings",
        params={"unit": "station", "period": "2022-13"},
        headers={"Authorization": f"Bearer {http.token}"},
    )
    assert response.status_code == 422, response.text
    assert _fields(response) == {"period"}


# ----------------------------------------------------------------- NUL already in the store


@pytest.fixture
def pg_container(pg_database: str) -> Iterator[Container]:
    container = bootstrap(_settings(pg_database))
    try:
        yield container
    finally:
        container.close()


def _stored_with_nul(container: Container) -> UUID:
    """A volunteer and a team whose text holds NUL, saved below the use cases (which
    refuse it), as events recorded before the text rules were."""
    actor = Actor("old-release", Role.ADMIN, "req-old")
    nul = Volunteer(
        name="王\x00建国",
        national_id=national_id(),
        phone="138\x00",
        person_type=PersonType.VETERAN,
        township="巴彦镇\x00",
        skills=["急\x00救"],
        actor=actor,
    )
    squad = VolunteerTeam(
        name="队\x00",
        level=TeamLevel.TOWNSHIP,
        township="巴彦镇\x00",
        station="站",
        station_id=None,
        actor=actor,
    )
    container.ledger.save(nul, squad)
    return nul.id


def test_events_stored_with_nul_are_applied_with_nul_as_u_fffd_on_postgres(
    pg_container: Container,
) -> None:
    ledger = pg_container.ledger
    volunteer(ledger)
    vid = _stored_with_nul(pg_container)
    volunteer(ledger)  # and the log goes on after it

    pg_container.runner().catch_up()

    head = ledger.current_position()
    tracking = pg_container.store.tracking()
    assert {n: t["error"] for n, t in tracking.items()} == {n: None for n in tracking}
    assert {t["position"] for t in tracking.values()} == {head}
    row = pg_container.read_models().volunteer(str(vid))
    assert row is not None and row["name"] == "王\ufffd建国"


def test_a_rebuild_over_an_event_with_nul_completes_on_postgres(pg_container: Container) -> None:
    _stored_with_nul(pg_container)
    pg_container.runner().catch_up()
    head = pg_container.ledger.current_position()
    for projection in all_projections(pg_container.rulebook):
        assert rebuild(pg_container.ledger, pg_container.store, projection) == head


# ----------------------------------------------------------------- a projection that cannot apply


class _Refusing(LedgerProjection):
    """The ledger projection, failing on one event as a handler meeting a value it cannot
    take would (every time: it is the event's, not the moment's)."""

    def __init__(self, rulebook: Any, refuse_at: int) -> None:
        super().__init__(rulebook)
        self.refuse_at = refuse_at

    def apply(self, store: RowStore, event: Any, position: int) -> None:
        if position == self.refuse_at:
            raise ValueError(f"cannot take the value at {position}")
        super().apply(store, event, position)


def _stopped_runner(container: Container) -> tuple[ProjectionRunner, int, str]:
    ledger = container.ledger
    tid = team(ledger)
    volunteer(ledger)
    bad = ledger.current_position()
    topic = ledger.recorder.select_notifications(bad, 1)[0].topic
    volunteer(ledger)
    activity(ledger, tid)
    projections = [
        _Refusing(container.rulebook, bad) if p.name == "ledger" else p
        for p in all_projections(container.rulebook)
    ]
    runner = ProjectionRunner(ledger, container.store, projections, batch_size=500)
    runner.catch_up()
    return runner, bad, topic


def test_a_projection_that_cannot_apply_an_event_stops_alone_naming_it(
    pg_container: Container,
) -> None:
    _, bad, topic = _stopped_runner(pg_container)

    head = pg_container.ledger.current_position()
    tracking = pg_container.store.tracking()
    stopped = tracking.pop("ledger")
    assert stopped["position"] == bad - 1
    assert f"at position {bad}" in stopped["error"] and topic in stopped["error"]
    assert "ValueError: cannot take the value" in stopped["error"]
    assert {n: (t["position"], t["error"]) for n, t in tracking.items()} == {
        n: (head, None) for n in tracking
    }


def test_readyz_says_failing_naming_the_stopped_projection(pg_container: Container) -> None:
    _stopped_runner(pg_container)
    with TestClient(create_app(pg_container)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing" and body["failing"] == ["ledger"]
    assert "cannot apply event" in body["projections"]["ledger"]["error"]


def test_projections_status_exits_1_naming_the_failing_projection(
    pg_container: Container,
) -> None:
    from typer.testing import CliRunner

    from interfaces.cli.main import app as cli

    _stopped_runner(pg_container)
    settings = pg_container.settings
    result = CliRunner().invoke(
        cli,
        ["projections", "status", "--database-url", settings.database_url],
        env={"VL_POSTGRES_SCHEMA": settings.postgres_schema},
    )
    assert result.exit_code == 1, result.output
    assert "failing" in result.output and "ledger" in result.output


# ----------------------------------------------------------------- the last write error


def test_readyz_reports_the_last_write_error_until_a_write_succeeds(
    pg_container: Container,
) -> None:
    """A full disk is simulated by the events table refusing inserts with SQLSTATE 53100
    (disk_full), as PostgreSQL does when it cannot extend a file."""
    settings = pg_container.settings
    table = pg_container.ledger.recorder.events_table_name
    full = (
        f'CREATE FUNCTION "{settings.postgres_schema}".vl_disk_full() RETURNS trigger '
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left "
        "on device' USING ERRCODE = 'disk_full'; END $$",
        f'CREATE TRIGGER vl_disk_full BEFORE INSERT ON "{settings.postgres_schema}".{table} '
        f'FOR EACH ROW EXECUTE FUNCTION "{settings.postgres_schema}".vl_disk_full()',
    )
    token = UserStore(pg_container.store).add("admin-disk", "admin")
    auth = {"Authorization": f"Bearer {token}"}
    sid = str(station(pg_container.ledger))
    body = {"name": "队", "level": "banner", "township": "巴彦镇", "station_id": sid}
    with TestClient(create_app(pg_container)) as client:
        assert client.get("/readyz").status_code == 200
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            for statement in full:
                conn.execute(statement)
        assert client.post(f"{API_PREFIX}/teams", json=body, headers=auth).status_code == 503

        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "not ready"
        assert "No space left on device" in ready.json()["last_write_error"]

        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(f'DROP TRIGGER vl_disk_full ON "{settings.postgres_schema}".{table}')
        assert client.post(f"{API_PREFIX}/teams", json=body, headers=auth).status_code == 201
        ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["last_write_error"] is None
