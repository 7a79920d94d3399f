"""The OpenAPI's shapes of the bulletin's and the annual review's JSON say what is sent.

A demo year with every kind of row (the three kinds of decision, corrections, reversals,
insurance gaps, media, a redeemed courtesy benefit and a seal) is asked for over HTTP;
each answer must validate against its documented model, and no field may be sent that
the model does not name, at any depth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from pydantic import BaseModel

from demo import generate_year
from domain.values import Actor, Role
from infrastructure.bootstrap import bootstrap
from infrastructure.seal_head import seal_chain
from infrastructure.settings import Settings
from infrastructure.users import UserStore
from interfaces.http.app import create_app
from interfaces.http.document_schemas import AnnualReview, Bulletin
from tests.integration.document_records import redeem_a_free_benefit

AUDITOR = Actor(user_id="auditor-1", role=Role.AUDITOR)


SERVICE_YEAR = 2025
# A redemption and its voucher belong to the year they are recorded in: this one.
THIS_YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("shapes") / "ledger.sqlite3"
    container = bootstrap(Settings(database_url=f"sqlite:///{path}"))
    generate_year(
        container.ledger, year=SERVICE_YEAR, seed=5, townships=3, volunteers=60, activities=50
    )
    redeem_a_free_benefit(container)
    sealed = seal_chain(container.ledger, Ed25519PrivateKey.generate(), AUDITOR).sealed_position
    with TestClient(create_app(container, close_container=True)) as client:
        headers = {
            "Authorization": f"Bearer {UserStore(container.store).add('auditor', 'auditor')}"
        }
        yield {
            "bulletin": client.get(  # at the sealed cut, so a seal covers it
                f"/api/v1/bulletins/{SERVICE_YEAR}?as_of_position={sealed}", headers=headers
            ).json(),
            "review": client.get(f"/api/v1/reviews/{SERVICE_YEAR}", headers=headers).json(),
            "redemptions": client.get(f"/api/v1/reviews/{THIS_YEAR}", headers=headers).json(),
        }


def _undocumented(model: BaseModel, where: str = "") -> list[str]:
    """The fields sent that ``model`` (and the models inside it) does not name."""
    found = [f"{where}.{name}" for name in model.model_extra or {}]
    for name in type(model).model_fields:
        found += _undocumented_in(getattr(model, name), f"{where}.{name}")
    return found


def _undocumented_in(value: Any, where: str) -> list[str]:
    if isinstance(value, BaseModel):
        return _undocumented(value, where)
    if isinstance(value, list):
        return [f for i, item in enumerate(value) for f in _undocumented_in(item, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [f for k, item in value.items() for f in _undocumented_in(item, f"{where}.{k}")]
    return []


def test_every_kind_of_row_is_in_the_answers(answers: dict[str, dict[str, Any]]) -> None:
    review, bulletin = answers["review"], answers["bulletin"]
    kinds = {d["kind"] for d in review["decisions"]}
    assert kinds == {"volunteer_commendation", "star_certification", "team_commendation"}
    for section in ("corrections", "reversals", "insurance_gaps", "media"):
        assert review[section], section
    assert answers["redemptions"]["redemptions"] and answers["redemptions"]["benefits"]
    for section in ("key_support_teams", "media_coverage", "needs_met", "hours_by_month"):
        assert bulletin[section], section
    assert bulletin["served"]["stations"] and bulletin["chain"]["seal"] is not None


@pytest.mark.parametrize("year", ["review", "redemptions"])
def test_the_review_is_what_its_model_documents(
    answers: dict[str, dict[str, Any]], year: str
) -> None:
    review = AnnualReview.model_validate(answers[year])

    assert _undocumented(review) == []


def test_the_bulletin_is_what_its_model_documents(answers: dict[str, dict[str, Any]]) -> None:
    bulletin = Bulletin.model_validate(answers["bulletin"])

    assert _undocumented(bulletin) == []


def test_the_openapi_refers_to_the_models(tmp_path: Path) -> None:
    container = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}"))
    try:
        paths = create_app(container).openapi()["paths"]
    finally:
        container.close()
    for path, model in (
        ("/api/v1/bulletins/{period}", "Bulletin"),
        ("/api/v1/reviews/{year}", "AnnualReview"),
    ):
        json_answer = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        assert json_answer["schema"] == {"$ref": f"#/components/schemas/{model}"}


def test_every_documented_shape_has_its_own_name(tmp_path: Path) -> None:
    # two models of one name are told apart by their module path, which a client sees
    container = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'l.sqlite3'}"))
    try:
        names = create_app(container).openapi()["components"]["schemas"]
    finally:
        container.close()
    assert [n for n in names if "__" in n] == []
