"""What a process's aggregate cache asks the event store, each in one query: every event
of several aggregates (``LedgerBase.load_many``), and the versions several aggregates
have reached (a cached copy is checked against it).

The chained recorders answer both through these (the library's recorders have neither:
``application.base`` then asks once per aggregate).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import Cursor
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from application.base import latest_versions_one_by_one

Fetch = Callable[..., list[Any]]  # (statement, *params) -> rows as tuples

# SQLite allows so many parameters in one statement.
_SQLITE_IDS_AT_ONCE = 500


class PostgresAggregateQueries:
    """The two queries on PostgreSQL: ids as one array parameter."""

    def __init__(self, recorder: PostgresApplicationRecorder, events_table_name: str) -> None:
        datastore = recorder.datastore
        names = {
            "schema": Identifier(datastore.schema),
            "events": Identifier(events_table_name),
            "id_type": Identifier(datastore.originator_id_type),
        }
        self._recorder = recorder
        # With ids of another type than uuid, one query per aggregate (as the library).
        self._ids_are_uuids = datastore.originator_id_type == "uuid"
        self._select_events_of = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{events} "
            "WHERE originator_id = ANY(%s::{id_type}[]) ORDER BY originator_id, originator_version"
        ).format(**names)
        self._latest_version = SQL(
            "SELECT originator_version FROM {schema}.{events} WHERE originator_id = %s "
            "ORDER BY originator_version DESC LIMIT 1"
        ).format(**names)
        self._latest_versions = SQL(
            "SELECT originator_id, max(originator_version) FROM {schema}.{events} "
            "WHERE originator_id = ANY(%s::{id_type}[]) GROUP BY originator_id"
        ).format(**names)

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every stored event of each of ``originator_ids``, in (originator, version)
        order — as ``select_events`` per originator gives them."""
        if not self._ids_are_uuids:
            return _events_one_by_one(self._recorder, originator_ids)
        with (
            self._recorder.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as c,
        ):
            c.execute(self._select_events_of, (list(originator_ids),))
            rows = c.fetchall()
        return [
            StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=r[3])
            for r in rows
        ]

    def latest_versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        """The version each of ``originator_ids`` has reached (those with no events are
        absent)."""
        if not self._ids_are_uuids:
            return latest_versions_one_by_one(self._recorder, originator_ids)
        # A command's check runs this: the cursor is opened inline (no context-manager
        # generator on the path of every write).
        with (
            self._recorder.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as c,
        ):
            if len(originator_ids) == 1:  # a command's check: the primary key's last entry
                return self._latest_version_of(c, originator_ids[0])
            c.execute(self._latest_versions, (list(originator_ids),), prepare=True)
            return dict(c.fetchall())

    def _latest_version_of(self, c: Cursor[Any], originator_id: UUID) -> dict[UUID, int]:
        row = c.execute(self._latest_version, (originator_id,), prepare=True).fetchone()
        return {} if row is None else {originator_id: row[0]}


def _events_one_by_one(
    recorder: PostgresApplicationRecorder, originator_ids: Sequence[UUID]
) -> list[StoredEvent]:
    """The same, one query per aggregate (as the library reads them)."""
    return [e for i in originator_ids for e in recorder.select_events(i)]


class SQLiteAggregateQueries:
    """The two queries on SQLite: ids as placeholders, so many a query."""

    def __init__(self, recorder: SQLiteApplicationRecorder, fetch: Fetch) -> None:
        self._recorder = recorder
        self._fetch = fetch

    def latest_versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        return {
            UUID(r[0]): int(r[1])
            for r in self._fetch_of(
                "SELECT originator_id, max(originator_version) FROM {events} "
                "WHERE originator_id IN ({ids}) GROUP BY originator_id",
                originator_ids,
            )
        }

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        return [
            StoredEvent(
                originator_id=self._recorder.convert_originator_id(r[0]),
                originator_version=r[1],
                topic=r[2],
                state=r[3],
            )
            for r in self._fetch_of(
                "SELECT originator_id, originator_version, topic, state FROM {events} "
                "WHERE originator_id IN ({ids}) ORDER BY originator_id, originator_version",
                originator_ids,
            )
        ]

    def _fetch_of(self, statement: str, originator_ids: Sequence[UUID]) -> list[Any]:
        """Rows of ``statement`` for ``originator_ids``, in chunks (``{ids}`` stands for
        their placeholders, ``{events}`` for the events table)."""
        ids = [i.hex for i in originator_ids]  # as the library stores them
        events = self._recorder.events_table_name
        rows: list[Any] = []
        for start in range(0, len(ids), _SQLITE_IDS_AT_ONCE):
            chunk = ids[start : start + _SQLITE_IDS_AT_ONCE]
            placeholders = ", ".join("?" * len(chunk))
            rows += self._fetch(statement.format(events=events, ids=placeholders), *chunk)
        return rows
