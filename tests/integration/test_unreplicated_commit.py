"""A write is acknowledged only once the synchronous standby has it, even with every
database operation bounded.

Had the server's statement timeout cut a commit's wait for the standby, PostgreSQL would
answer the COMMIT with a warning and success: committed on the primary alone, and lost
with it. It does not (the timeout is disabled before the commit's wait): the client's own
answer deadline ends the wait instead, closing the connection, so the request fails and
nothing is acknowledged. Here the standby is named but never comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from application.commands.people import RegisterVolunteer
from application.errors import StoreUnavailable
from domain.values import PersonType
from infrastructure.bootstrap import bootstrap
from infrastructure.pgbounds import AnswerTimeout, Bounds
from infrastructure.settings import Settings
from tests.clusters import Cluster, Clusters
from tests.drills import ACTOR, registration

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def waiting_primary() -> Iterator[Cluster]:
    clusters = Clusters.create()
    try:
        primary = clusters.primary()
        primary.sql("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
        primary.sql("SELECT pg_reload_conf()")
        yield primary
    finally:
        clusters.close()


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=url,
        postgres_statement_timeout_seconds=1,
        postgres_lock_timeout_seconds=1,
        seal_key_path=tmp_path / "seal-key.pem",
        run_projections=False,
    )


def test_a_commit_the_standby_never_confirmed_fails_instead_of_succeeding(
    waiting_primary: Cluster, tmp_path: Path
) -> None:
    bounds = Bounds.of(_settings(waiting_primary.url, tmp_path))
    with bounds.connect(waiting_primary.url, autocommit=True) as setup:
        setup.execute("SET synchronous_commit = off")
        setup.execute("CREATE TABLE IF NOT EXISTS t (n int)")
    conn = bounds.connect(waiting_primary.url)
    with pytest.raises(AnswerTimeout), conn.transaction():
        conn.execute("INSERT INTO t VALUES (1)")
    assert conn.closed


def test_a_write_through_the_ledger_is_not_acknowledged_without_the_standby(
    waiting_primary: Cluster, tmp_path: Path
) -> None:
    settings = _settings(waiting_primary.url, tmp_path)
    with psycopg.connect(waiting_primary.url, autocommit=True) as admin:
        # The tables made with commits that need no standby; only the write below waits.
        admin.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
        admin.execute("SELECT pg_reload_conf()")
        container = bootstrap(settings)
        admin.execute("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
        admin.execute("SELECT pg_reload_conf()")
    try:
        body = registration(1)
        with pytest.raises(StoreUnavailable):
            container.ledger.register_volunteer(
                RegisterVolunteer(
                    name=str(body["name"]),
                    national_id=str(body["national_id"]),
                    phone="13800000000",
                    person_type=PersonType.VETERAN,
                    township="嘎鲁图镇",
                    skills=[],
                ),
                actor=ACTOR,
            )
    finally:
        container.close()
