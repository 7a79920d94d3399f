"""Our hash-chaining recorders pass the library's own recorder test cases, on both stores.

Each case runs unchanged (inherited from ``eventsourcing.tests.persistence``); after it,
the chain over whatever the case recorded — including its concurrent writers — must
verify from the first event to the last.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)

from infrastructure.audit import verify_chain
from infrastructure.chain import ChainedRecorder
from infrastructure.chain_postgres import ChainedPostgresApplicationRecorder
from infrastructure.chain_sqlite import ChainedSQLiteApplicationRecorder
from tests.support.postgres import pg_url


class _ChainChecked:
    """Remembers the recorders a case made and checks their chains once it is done."""

    recorders: list[Any]

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.recorders = []

    def tearDown(self) -> None:
        try:
            for recorder in self.recorders:
                assert isinstance(recorder, ChainedRecorder)
                report = verify_chain(recorder, {})
                assert report.ok, report
                assert report.checked > 0 or not recorder.max_notification_id()
        finally:
            for recorder in self.recorders:
                recorder.datastore.close()
            super().tearDown()  # type: ignore[misc]

    def keep(self, recorder: Any) -> Any:
        self.recorders.append(recorder)
        return recorder


class _SQLiteFile(_ChainChecked):
    def setUp(self) -> None:
        super().setUp()
        self.folder = tempfile.TemporaryDirectory()
        self.db_name = str(Path(self.folder.name) / "events.sqlite3")

    def tearDown(self) -> None:
        super().tearDown()
        self.folder.cleanup()

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        recorder = ChainedSQLiteApplicationRecorder(SQLiteDatastore(db_name=self.db_name))
        recorder.create_table()
        return self.keep(recorder)


class TestChainedSQLiteApplicationRecorder(
    _SQLiteFile, ApplicationRecorderTestCase[ChainedSQLiteApplicationRecorder]
):
    pass


class TestChainedSQLiteNonInterleaving(_SQLiteFile, NonInterleavingNotificationIDsBaseCase):
    pass


@pytest.mark.postgres
@pytest.mark.usefixtures("pg_schema")
class _PostgresSchema(_ChainChecked):
    dbname: str
    schema: str

    def create_recorder(self) -> ChainedPostgresApplicationRecorder:
        datastore = PostgresDatastore(
            dbname=self.dbname,
            host="127.0.0.1",
            port="5432",
            user="postgres",
            password="",
            schema=self.schema,
            pool_size=10,
            max_overflow=10,
        )
        recorder = ChainedPostgresApplicationRecorder(datastore, events_table_name="stored_events")
        recorder.create_table()
        return self.keep(recorder)


@pytest.fixture
def pg_schema(request: pytest.FixtureRequest, pg_database: str) -> None:
    schema = f"r_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(pg_database), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    request.instance.dbname = pg_database
    request.instance.schema = schema


class TestChainedPostgresApplicationRecorder(
    _PostgresSchema, ApplicationRecorderTestCase[ChainedPostgresApplicationRecorder]
):
    # PostgreSQL sequences skip numbers after a rolled-back insert (the library says so
    # for its own PostgreSQL recorder too).
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False


class TestChainedPostgresNonInterleaving(_PostgresSchema, NonInterleavingNotificationIDsBaseCase):
    pass


def test_two_sqlite_writers_and_a_rolled_back_insert_keep_one_chain(tmp_path: Path) -> None:
    """Each recorder remembers the link it wrote last; another writer's events in between,
    or its own rolled-back insert, must make it read the head instead of trusting that."""
    from eventsourcing.persistence import IntegrityError, StoredEvent

    path = str(tmp_path / "shared.sqlite3")
    first = ChainedSQLiteApplicationRecorder(SQLiteDatastore(db_name=path))
    first.create_table()
    second = ChainedSQLiteApplicationRecorder(SQLiteDatastore(db_name=path))
    ids = {first: uuid.uuid4(), second: uuid.uuid4()}
    versions = {first: 0, second: 0}

    def insert(recorder: ChainedSQLiteApplicationRecorder, count: int = 1) -> None:
        events = [
            StoredEvent(ids[recorder], versions[recorder] + i, "topic", b"state")
            for i in range(count)
        ]
        recorder.insert_events(events)
        versions[recorder] += count

    for recorder in (first, first, second, first, second, second, first):
        insert(recorder, count=2)
    with pytest.raises(IntegrityError):  # a version that exists: the whole insert rolls back
        first.insert_events([StoredEvent(ids[first], 0, "topic", b"again")])
    insert(first)
    insert(second)
    insert(first)
    try:
        report = verify_chain(first, {})
        assert report.ok, report.problem
        assert report.checked == 17
    finally:
        first.datastore.close()
        second.datastore.close()
