"""A real uvicorn server process per store (SQLite file, fresh PostgreSQL schema), users from the CLI.

PostgreSQL: one fresh database per run (dropped after). Without a reachable server the
PostgreSQL cases are skipped — except under CI=true, where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.console_support import CHROMIUM, CHROMIUM_FLAGS
from tests.e2e.http_support import METRICS_TOKEN, OTHER_TOWNSHIP, TOWNSHIP, Api
from tests.e2e.server_support import serving
from tests.support.postgres import pg_url


def _store_env(kind: str, request: pytest.FixtureRequest, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    if kind == "sqlite":
        env["VL_DATABASE_URL"] = f"sqlite:///{tmp / 'ledger.sqlite3'}"
        return env
    dbname = request.getfixturevalue("pg_database")
    schema = f"e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    env["VL_DATABASE_URL"] = pg_url(dbname)
    env["VL_POSTGRES_SCHEMA"] = schema
    return env


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A uvicorn server (with its projection worker) on a free port, and four users."""
    tmp = tmp_path_factory.mktemp(f"e2e-{request.param}")
    env = _store_env(request.param, request, tmp)
    env["VL_SEAL_KEY_PATH"] = str(tmp / "seal-key.pem")
    env["VL_METRICS_TOKEN"] = METRICS_TOKEN
    # The authorisation matrix sends a revoked token to every route from one address.
    env["VL_AUTH_FAILURE_LIMIT"] = "100000"
    with serving(env, tmp) as api:
        assert api.cli("audit", "keygen").returncode == 0
        api.add_users(
            {
                "admin": ["--role", "admin"],
                "staff": ["--role", "station_staff", "--township", TOWNSHIP],
                "other-staff": ["--role", "station_staff", "--township", OTHER_TOWNSHIP],
                "auditor": ["--role", "auditor"],
            }
        )
        yield api


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright: one per test module."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()
