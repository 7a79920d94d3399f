"""Stores for the integration suite: a real SQLite file and a real PostgreSQL database.

PostgreSQL: one fresh database per test run (dropped after), one schema per test.
Without a reachable server the PostgreSQL cases are skipped — except under CI=true,
where a skip would hide a failure, so they fail instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.support.clock import fixed_clock
from tests.support.postgres import pg_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a brand-new store of each kind."""
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    dbname = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(database_url=pg_url(dbname), postgres_schema=schema)


@pytest.fixture
def pg_store(pg_database: str) -> Settings:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(pg_database), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return Settings(database_url=pg_url(pg_database), postgres_schema=schema)


@pytest.fixture
def container(store: Settings) -> Iterator[Container]:
    c = bootstrap(store, clock=fixed_clock)
    try:
        yield c
    finally:
        c.close()
