"""Which first reads the outermost layer recognises as plain ledger and ranking reads:
only those it can answer exactly as their route would; everything else is routed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from interfaces.http.cold_reads import recognise_ledger, recognise_rankings

ID = "7f0c2a4e-0000-4000-8000-000000000001"
LEDGER = recognise_ledger("/api/v1")
RANKINGS = recognise_rankings("/api/v1")


def _scope(path: str, query: bytes = b"", accept: bytes = b"") -> dict[str, Any]:
    return {"path": path, "query_string": query, "headers": [(b"accept", accept)]}


def test_a_plain_ledger_read_is_recognised_under_the_routes_cache_key() -> None:
    plain = LEDGER(_scope(f"/api/v1/volunteers/{ID}/ledger"))
    assert plain is not None and plain.projections == ("ledger",)
    assert plain.key == ("ledger", UUID(ID))


def test_a_ledger_read_with_a_query_is_routed() -> None:
    assert LEDGER(_scope(f"/api/v1/volunteers/{ID}/ledger", b"as_of_position=3")) is None


def test_a_ledger_read_of_a_non_canonical_id_is_routed() -> None:
    assert LEDGER(_scope(f"/api/v1/volunteers/{ID.upper()}/ledger")) is None


def test_a_plain_ranking_read_is_recognised_under_the_routes_cache_key() -> None:
    plain = RANKINGS(_scope("/api/v1/rankings", b"unit=team&period=2022-Q3"))
    assert plain is not None and plain.key == ("rankings", "team", "2022-Q3", False)


def test_a_ranking_asked_as_csv_is_another_kind() -> None:
    as_json = RANKINGS(_scope("/api/v1/rankings", b"unit=team&period=2022"))
    as_csv = RANKINGS(_scope("/api/v1/rankings", b"unit=team&period=2022", b"text/csv"))
    assert as_json is not None and as_csv is not None and as_json.kind != as_csv.kind


def test_a_ranking_of_a_period_the_route_refuses_is_routed() -> None:
    assert RANKINGS(_scope("/api/v1/rankings", b"unit=team&period=2022-13")) is None


def test_a_ranking_with_another_parameter_is_routed() -> None:
    query = b"unit=station&period=2022&level=village"
    assert RANKINGS(_scope("/api/v1/rankings", query)) is None


def test_a_ranking_of_an_unknown_unit_is_routed() -> None:
    assert RANKINGS(_scope("/api/v1/rankings", b"unit=county&period=2022")) is None
