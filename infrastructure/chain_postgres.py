"""The library's PostgreSQL application recorder, its events hash-chained (see
:mod:`infrastructure.chain`) in the transaction that inserts them.

The chain head is read under the writers' lock in the same pipeline as the insert, so
chaining adds no round trip; a process's concurrent inserts share one transaction
(:mod:`infrastructure.groupcommit`), their links the same as if each had been inserted
alone, in that order.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier

from infrastructure.aggregate_queries import PostgresAggregateQueries
from infrastructure.chain import (
    GENESIS_LINK,
    IMMUTABLE,
    ChainedRecorder,
    as_chained,
    extend,
    head_link,
)
from infrastructure.groupcommit import GroupCommit
from infrastructure.pgrecorder import BoundedPostgresApplicationRecorder
from infrastructure.stamping import HEAD as STAMP_HEAD
from infrastructure.stamping import PATTERN as STAMP_PATTERN
from infrastructure.stamping import PREFIX_BYTES, rest_of, stamp
from infrastructure.stamping import TAIL as STAMP_TAIL

log = logging.getLogger(__name__)

# The identifiers the statements name: schema, events, chain, refuse (the trigger function).
Names = dict[str, Identifier]


class ChainedPostgresApplicationRecorder(BoundedPostgresApplicationRecorder, ChainedRecorder):
    """The library's PostgreSQL recorder (retries bounded), plus a link per event in the
    same transaction."""

    read_ahead = 2

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = f"{events_table_name}_chain"
        self.check_identifier_length(self.chain_table_name)
        names = {
            "schema": Identifier(datastore.schema),
            "events": Identifier(events_table_name),
            "chain": Identifier(self.chain_table_name),
            "refuse": Identifier("vl_refuse_change"),
        }
        self.sql_create_statements += _chain_and_immutability_ddl(names)
        self._name_chain_reads(names)
        self._insert_event_arrays = _insert_event_arrays(names, datastore.originator_id_type)
        self._insert_links = SQL(
            "INSERT INTO {schema}.{chain} (position, prev_position, hash) "
            "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])"
        ).format(**names)
        self._copy_links = SQL(
            "COPY {schema}.{chain} (position, prev_position, hash) FROM STDIN"
        ).format(**names)
        self._aggregates = PostgresAggregateQueries(self, events_table_name)
        self._pending = threading.local()
        self._writer_lock = [
            self.lock_table_statements[0],  # SET LOCAL lock_timeout
            SQL("SELECT pg_advisory_xact_lock({0})").format(
                _writer_lock_key(datastore.schema, events_table_name)
            ),
        ]
        self._group_commit = GroupCommit(super().insert_events)

    def _name_chain_reads(self, names: Names) -> None:
        """The statements that read the chain (for the verifier, the sealer, the exporter,
        and the writer's head), and the events as the chain hashes them."""
        self._select_head = SQL(
            "SELECT position, prev_position, hash FROM {schema}.{chain} "
            "ORDER BY position DESC LIMIT 1"
        ).format(**names)
        self._select_head_at = SQL(
            "SELECT position, prev_position, hash FROM {schema}.{chain} "
            "WHERE position <= %s ORDER BY position DESC LIMIT 1"
        ).format(**names)
        hashed = (
            "convert_to(replace(e.originator_id::text, '-', ''), 'UTF8'), "
            "e.originator_version, convert_to(e.topic, 'UTF8'), e.state"
        )
        self._select_linked = SQL(
            "SELECT e.notification_id, " + hashed + ", c.prev_position, c.hash "
            "FROM {schema}.{events} e LEFT JOIN {schema}.{chain} c "
            "ON c.position = e.notification_id AND c.position BETWEEN %s AND %s "
            "WHERE e.notification_id BETWEEN %s AND %s ORDER BY e.notification_id"
        ).format(**names)
        self._select_events_after = SQL(
            "SELECT e.notification_id, " + hashed + " FROM {schema}.{events} e "
            "WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT 20000"
        ).format(**names)
        self._count_links_in = SQL(
            "SELECT count(*) FROM {schema}.{chain} WHERE position BETWEEN %s AND %s"
        ).format(**names)
        self._first_orphan = SQL(
            "SELECT min(c.position) FROM {schema}.{chain} c WHERE c.position BETWEEN %s AND %s "
            "AND NOT EXISTS (SELECT 1 FROM {schema}.{events} e "
            "WHERE e.notification_id = c.position)"
        ).format(**names)
        self._select_max = SQL(
            "SELECT GREATEST((SELECT MAX(notification_id) FROM {schema}.{events}), "
            "(SELECT MAX(position) FROM {schema}.{chain}))"
        ).format(**names)
        self._count_links = SQL("SELECT EXISTS (SELECT 1 FROM {schema}.{chain})").format(**names)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events (and their links) in one transaction; this process's concurrent
        callers share one (see :mod:`infrastructure.groupcommit`)."""
        if not stored_events or any(v is not None for v in kwargs.values()):
            alone: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return alone  # e.g. with tracking: never grouped
        return self._group_commit(stored_events)

    # Writing: the head is read right after the table lock, in the same pipeline as the
    # insert; the links follow the returned notification ids before the commit.

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        # Writers are serialised (so ids are issued in commit order and readers never pass
        # a gap that fills later) by a transaction-scoped advisory lock, not by LOCK TABLE:
        # an EXCLUSIVE table lock needs UPDATE, DELETE or TRUNCATE privilege, which the
        # service's role does not have. Every writer goes through this recorder.
        for statement in self._writer_lock:
            curs.execute(statement, prepare=True)
        head = curs.connection.cursor(row_factory=tuple_row)
        head.execute(self._select_head, prepare=True)
        self._pending.head = head

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        assert curs.statusmessage and curs.statusmessage.startswith("INSERT")
        ids_cursor = cast(Cursor[tuple[int, str]], curs)
        ids_cursor.row_factory = tuple_row  # no dict per id (the library's cursors make dicts)
        rows = ids_cursor.fetchall()
        ids = [row[0] for row in rows]
        if len(ids) != len(stored_events):
            raise ProgrammingError(
                f"got {len(ids)} notification ids for {len(stored_events)} events"
            )
        stamp(stored_events, rows[0][1])  # as the server stored them
        self._insert_links_for(curs, ids, stored_events)
        return ids

    def _insert_links_for(
        self, curs: Cursor[DictRow], ids: list[int], stored_events: Sequence[StoredEvent]
    ) -> None:
        """The inserted events' links, after the head read under the writers' lock."""
        head = head_link(self._pending.__dict__.pop("head").fetchone())
        links = extend(head, as_chained(ids, stored_events))
        with curs.connection.cursor() as links_cursor:
            # As three arrays: positions, previous positions, hashes.
            columns = [list(column) for column in zip(*links, strict=True)]
            links_cursor.execute(self._insert_links, columns, prepare=True)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # As the library's (lock, notify, insert returning the ids), with the events as
        # arrays, each stamped with its recording time by the server.
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self._insert_event_arrays,
            (STAMP_PATTERN, STAMP_HEAD, STAMP_TAIL, *_event_arrays(stored_events)),
            prepare=True,
        )

    def create_table(self) -> None:
        super().create_table()
        self._build_missing_chain()

    def _build_missing_chain(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in [*self._writer_lock, *self.lock_table_statements]:
                curs.execute(statement)
            if curs.execute(self._count_links).fetchone()["exists"]:  # type: ignore[index]
                return
            with curs.connection.cursor(row_factory=tuple_row, binary=True) as c:
                built = self._chain_all(c)
            if built:
                log.warning("built the hash chain over %d events recorded before it", built)

    def _chain_all(self, c: Cursor[tuple[Any, ...]]) -> int:
        """Links for every event, a batch at a time (the chain is empty); how many."""
        head, built = GENESIS_LINK, 0
        while links := list(extend(head, c.execute(self._select_events_after, (head.position,)))):
            with c.copy(self._copy_links) as copy:
                for link in links:
                    copy.write_row(link)
            head, built = links[-1], built + len(links)
        return built

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        return self._aggregates.select_events_of(originator_ids)

    def latest_versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        return self._aggregates.latest_versions(originator_ids)

    def _fetch(self, statement: Any, *params: Any) -> list[Any]:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as c,
        ):
            c.execute(statement, params or None)
            return c.fetchall()


def _chain_and_immutability_ddl(names: Names) -> list[Composed]:
    """The chain table, and the triggers refusing UPDATE, DELETE and TRUNCATE of events
    and links."""
    statements = [
        SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
            "position bigint PRIMARY KEY, prev_position bigint NOT NULL, hash bytea NOT NULL)"
        ).format(**names),
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{refuse}() RETURNS trigger "
            "LANGUAGE plpgsql AS $body$ BEGIN "
            "RAISE EXCEPTION '" + IMMUTABLE + ": % on %.% refused', "
            "TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; "
            "END $body$"
        ).format(**names),
    ]
    for table in (names["events"], names["chain"]):
        statements += [
            SQL(
                "CREATE OR REPLACE TRIGGER vl_immutable_rows BEFORE UPDATE OR DELETE "
                "ON {schema}.{table} FOR EACH ROW EXECUTE FUNCTION {schema}.{refuse}()"
            ).format(table=table, **names),
            SQL(
                "CREATE OR REPLACE TRIGGER vl_immutable_truncate BEFORE TRUNCATE "
                "ON {schema}.{table} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{refuse}()"
            ).format(table=table, **names),
        ]
    return statements


def _insert_event_arrays(names: Names, id_type: str) -> Composed:
    """Events go in as one statement of parallel arrays, sent in binary (the library's
    array of composites is dumped as text, escaped by regex, per event). Each event is
    stamped with its recording time by the server, in the insert itself
    (infrastructure/stamping.py): its clock, or the last event's stamp if that is later,
    written as Python's isoformat() writes it. A state laid out as ours is sent without
    its stamp (``rest``), any other whole (``whole``); the stamp comes back."""
    return SQL(
        "WITH recorded AS (SELECT GREATEST(clock_timestamp(), ("
        "SELECT substring(encode(substring(state FROM 1 FOR {prefix}), 'escape') "
        "FROM %s)::timestamptz FROM {schema}.{events} "
        "ORDER BY notification_id DESC LIMIT 1)) AS at), "
        "stamp AS (SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        "|| CASE WHEN mod(extract(microseconds FROM at)::bigint, 1000000) = 0 THEN '' "
        "ELSE to_char(at AT TIME ZONE 'UTC', '.US') END || '+00:00' AS iso FROM recorded) "
        "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state) "
        "SELECT e.i, e.v, e.t, COALESCE(e.whole, %b || convert_to(stamp.iso, 'UTF8') "
        "|| %b || e.rest) FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], "
        "%b::bytea[], %b::bytea[]) AS e(i, v, t, whole, rest), stamp "
        "RETURNING notification_id, (SELECT iso FROM stamp)"
    ).format(id_type=Identifier(id_type), prefix=PREFIX_BYTES, **names)


def _event_arrays(stored_events: Sequence[StoredEvent]) -> tuple[list[Any], ...]:
    """The events as the insert's arrays: ids, versions, topics, and the states, each
    ``whole`` (one not laid out as ours) or its ``rest`` after the stamp."""
    rests = [rest_of(e.state) for e in stored_events]
    return (
        [e.originator_id for e in stored_events],
        [e.originator_version for e in stored_events],
        [e.topic for e in stored_events],
        [None if r is not None else e.state for e, r in zip(stored_events, rests, strict=True)],
        rests,
    )


def _writer_lock_key(schema: str, events_table_name: str) -> int:
    """The advisory lock every writer of this events table takes (see ``_lock_table``)."""
    return int.from_bytes(
        hashlib.blake2b(f"{schema}.{events_table_name}".encode(), digest_size=8).digest(),
        "big",
        signed=True,
    )
