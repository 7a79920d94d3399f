"""The OpenAPI names the fields of the reports' and probes' answers, not a bare ``object``."""

from __future__ import annotations

from typing import Any

import pytest

from infrastructure.bootstrap import Container
from interfaces.http.app import create_app

SHAPED = {
    ("/api/v1/rankings", "application/json"): {"unit", "period", "items"},
    ("/api/v1/eligibility/teams", "application/json"): {"year", "items"},
    ("/api/v1/insurance/gaps", "application/json"): {"items"},
    ("/readyz", "application/json"): {"status", "head", "lag", "projections"},
    ("/healthz", "application/json"): {"status"},
}


@pytest.fixture
def spec(container: Container) -> dict[str, Any]:
    return create_app(container).openapi()


@pytest.mark.parametrize(("path", "media_type"), sorted(SHAPED))
def test_a_report_answer_is_documented_with_its_fields(
    spec: dict[str, Any], path: str, media_type: str
) -> None:
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"][media_type]["schema"]
    component = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert SHAPED[(path, media_type)] <= set(component["properties"])


def test_a_ranking_row_is_documented_with_its_columns(spec: dict[str, Any]) -> None:
    row = spec["components"]["schemas"]["RankingRow"]
    assert {"unit_id", "volunteer_hours", "score", "rank", "rank_change"} <= set(row["properties"])


def test_the_certificate_is_documented_as_a_binary_pdf(spec: dict[str, Any]) -> None:
    path = spec["paths"]["/api/v1/volunteers/{volunteer_id}/certificate"]["get"]
    schema = path["responses"]["200"]["content"]["application/pdf"]["schema"]
    assert schema == {"type": "string", "format": "binary"}
