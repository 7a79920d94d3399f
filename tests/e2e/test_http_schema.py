"""Property-based calls against the live OpenAPI schema (schemathesis), as an admin, on SQLite.

Fails on any 5xx, on a status code or content type the operation does not document, and
on a documented response that does not match its schema.
(Driven through hypothesis directly: schemathesis' pytest plugin does not run on this pytest.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.http_support import Api

EXAMPLES_PER_OPERATION = 5
# The HTTP layer under test is the same for both stores: one (fast) store is enough here.
pytestmark = pytest.mark.parametrize("api", ["sqlite"], indirect=True, scope="module")


def test_no_server_errors_and_documented_responses(api: Api) -> None:
    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=api.base_url,
                headers=headers,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
                timeout=15,
            )

        try:
            check()
        except BaseExceptionGroup as e:  # every operation's failures, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {e}")
        except Exception as e:
            failures.append(f"{operation.method.upper()} {operation.path}: {e}")
    assert not failures, "\n\n".join(failures)
