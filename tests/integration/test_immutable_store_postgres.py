"""On PostgreSQL stored events and their links cannot be changed, not even by their owner,
and the documented service role can only read and append them."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from application.readmodel.queries.readmodels import ReadModels
from infrastructure.audit import chained, verify_chain
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.support.builders import volunteer
from tests.support.clock import fixed_clock

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
SERVICE_ROLE_SQL = ROOT / "deploy" / "postgres" / "service-role.sql"
EVENTS = "volunteerledger_events"


@pytest.fixture
def recorded(pg_store: Settings) -> Settings:
    container = bootstrap(pg_store, clock=fixed_clock)
    try:
        volunteer(container.ledger)
        volunteer(container.ledger, name="李卫东")
    finally:
        container.close()
    return pg_store


@pytest.mark.parametrize("table", [EVENTS, f"{EVENTS}_chain"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {t} SET {column} = {column}",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
    ],
)
def test_the_owner_cannot_update_delete_or_truncate(
    recorded: Settings, table: str, statement: str
) -> None:
    column = "state" if table == EVENTS else "hash"
    qualified = f'"{recorded.postgres_schema}".{table}'
    with psycopg.connect(recorded.database_url, autocommit=True) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            (recorded.postgres_schema, table),
        ).fetchone()
        assert owner == (conn.info.user,)  # we are the owner, and a superuser at that
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="immutable"):
            conn.execute(statement.format(t=qualified, column=column))
        (count,) = conn.execute(f"SELECT count(*) FROM {qualified}").fetchone()  # type: ignore[misc]
    assert count >= 2


@pytest.fixture
def service_role(recorded: Settings) -> Iterator[Settings]:
    """A login role set up exactly as deploy/postgres/service-role.sql documents."""
    role = f"vl_service_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(recorded.database_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        subprocess.run(
            [
                "psql",
                recorded.database_url,
                "-v",
                f"role={role}",
                "-v",
                f"schema={recorded.postgres_schema}",
                "-f",
                str(SERVICE_ROLE_SQL),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        url = urlsplit(recorded.database_url)
        as_role = urlunsplit(url._replace(netloc=f"{role}@{url.hostname}:{url.port or 5432}"))
        yield recorded.model_copy(update={"database_url": as_role, "create_event_tables": False})
    finally:
        with psycopg.connect(recorded.database_url, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_the_service_role_appends_and_reads_but_cannot_change_events(
    service_role: Settings,
) -> None:
    container = bootstrap(service_role, clock=fixed_clock)
    try:
        before = container.ledger.current_position()
        volunteer(container.ledger, name="赵志刚")
        assert container.ledger.current_position() > before
        assert container.runner().catch_up() > 0  # read models are the role's own tables
        names = {
            v["name"] for v in ReadModels(container.store, container.rulebook).volunteers()["items"]
        }
        assert "赵志刚" in names
        report = verify_chain(chained(container.ledger), {})
        assert report.ok and report.head == container.ledger.current_position()
    finally:
        container.close()

    schema = service_role.postgres_schema
    with psycopg.connect(service_role.database_url, autocommit=True) as conn:
        for statement in (
            f'UPDATE "{schema}".{EVENTS} SET state = state',
            f'DELETE FROM "{schema}".{EVENTS}',
            f'DELETE FROM "{schema}".{EVENTS}_chain',
            f'TRUNCATE "{schema}".{EVENTS}',
            f'ALTER TABLE "{schema}".{EVENTS} DISABLE TRIGGER USER',
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
