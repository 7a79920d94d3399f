"""Where the tests find PostgreSQL: the server named by ``VL_TEST_POSTGRES_URL``."""

from __future__ import annotations

import os

PG_ADMIN_URL = os.environ.get(
    "VL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pg_url(dbname: str) -> str:
    """The URL of database ``dbname`` on the tests' PostgreSQL server."""
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"
