"""The people side's answers have shapes: the OpenAPI names each read's fields (not
``object``), and what the routes send is what the schema names (every field documented,
nothing dropped), on a real SQLite store through the app ``serve`` runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.commands.people import CompleteTraining, EnrolMember
from domain.values import MemberRole
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from infrastructure.users import UserStore
from interfaces.http.app import API_PREFIX, create_app
from tests.support.builders import STAFF, team, volunteer

READS = {
    "/volunteers": "VolunteerPage",
    "/volunteers/{volunteer_id}": "VolunteerEntry",
    "/volunteers/{volunteer_id}/ledger": "VolunteerLedger",
    "/volunteers/{volunteer_id}/redemptions": "Vouchers",
    "/teams": "TeamPage",
    "/teams/{team_id}": "Team",
    "/stations": "StationPage",
    "/stations/{station_id}": "StationEntry",
    "/insurance/uncovered": "Uncovered",
    "/insurance/expiring": "Expiring",
    "/vouchers/{code}": "Voucher",
    "/beneficiaries": "Beneficiaries",
    "/media": "Media",
}


@dataclass
class Http:
    client: TestClient
    token: str
    volunteer_id: UUID
    team_id: UUID
    station_id: str

    def get(self, path: str, **params: Any) -> Any:
        answer = self.client.get(
            API_PREFIX + path, params=params, headers={"Authorization": f"Bearer {self.token}"}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Http]:
    path: Path = tmp_path_factory.mktemp("answers") / "ledger.sqlite3"
    container: Container = bootstrap(Settings(database_url=f"sqlite:///{path}"))
    ledger = container.ledger
    tid, vid = team(ledger), volunteer(ledger)
    ledger.enrol_member(
        EnrolMember(team_id=tid, volunteer_id=vid, role=MemberRole.DEPUTY), actor=STAFF
    )
    ledger.complete_training(
        CompleteTraining(
            volunteer_id=vid, course="应急救护", hours=Decimal(2), completed_on=date(2022, 5, 1)
        ),
        actor=STAFF,
    )
    container.runner().catch_up()
    station_id = str(container.read_models().team(str(tid))["station_id"])  # type: ignore[index]
    token = UserStore(container.store).add("admin-answers", "admin")
    with TestClient(create_app(container, close_container=True)) as client:
        yield Http(client, token, vid, tid, station_id)


def _schema(http: Http, name: str) -> dict[str, Any]:
    spec = http.client.get("/openapi.json").json()
    return dict(spec["components"]["schemas"][name])


@pytest.mark.parametrize("path", sorted(READS))
def test_each_read_documents_its_fields(http: Http, path: str) -> None:
    spec = http.client.get("/openapi.json").json()
    answer = spec["paths"][API_PREFIX + path]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema == {"$ref": f"#/components/schemas/{READS[path]}"}
    assert spec["components"]["schemas"][READS[path]]["properties"]


def test_the_ledger_documents_its_balance_and_entries(http: Http) -> None:
    ledger = _schema(http, "VolunteerLedger")
    entry = _schema(http, "LedgerEntry")
    assert {"balance", "lifetime_points", "credited_hours", "entries"} <= set(ledger["properties"])
    assert {"entry_id", "kind", "points", "balance_after", "detail"} <= set(entry["properties"])


def _documented(http: Http, name: str, body: dict[str, Any]) -> None:
    """Every field sent is one the schema names, and every required one is sent."""
    schema = _schema(http, name)
    assert set(body) <= set(schema["properties"]), set(body) - set(schema["properties"])
    assert set(schema.get("required", [])) <= set(body)


def test_a_volunteer_and_their_ledger_are_sent_as_documented(http: Http) -> None:
    vid = http.volunteer_id
    _documented(http, "VolunteerEntry", http.get(f"/volunteers/{vid}"))
    ledger = http.get(f"/volunteers/{vid}/ledger")
    _documented(http, "VolunteerLedger", ledger)
    assert ledger["entries"]
    for entry in ledger["entries"]:
        _documented(http, "LedgerEntry", entry)
    for item in http.get("/volunteers")["items"]:
        _documented(http, "VolunteerEntry", item)


def test_a_team_and_its_station_are_sent_as_documented(http: Http) -> None:
    found = http.get(f"/teams/{http.team_id}")
    _documented(http, "Team", found)
    assert found["members"] == [{"volunteer_id": str(http.volunteer_id), "role": "deputy"}]
    for item in http.get("/teams")["items"]:
        _documented(http, "TeamEntry", item)
    _documented(http, "StationEntry", http.get(f"/stations/{http.station_id}"))
    for item in http.get("/stations")["items"]:
        _documented(http, "StationEntry", item)


def test_insurance_lists_are_sent_as_documented(http: Http) -> None:
    uncovered = http.get("/insurance/uncovered", on="2030-01-01")
    assert [r["volunteer_id"] for r in uncovered["items"]] == [str(http.volunteer_id)]
    for item in uncovered["items"]:
        _documented(http, "UncoveredVolunteer", item)
    for item in http.get("/insurance/expiring", within_days=366)["items"]:
        _documented(http, "ExpiringPolicy", item)
