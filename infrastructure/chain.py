"""Tamper evidence: every stored event is chained by SHA-256 to the one before it in log order.

A link is a row beside the events (``<events table>_chain``): the event's position, the
position of the event before it, and a hash covering that previous link's hash and
position, the event's position, aggregate id, version, topic and stored state bytes.
The recorders below write the links in the same transaction as the events — on
PostgreSQL under the library's table lock (the chain head is read in the same pipeline,
so chaining adds no round trip), on SQLite inside the write transaction. On PostgreSQL a
process's concurrent inserts share one transaction (:mod:`infrastructure.groupcommit`):
the links are the same as if each had been inserted alone, in that order. Events and
links can only be inserted: triggers refuse UPDATE, DELETE and TRUNCATE.

A store that has events but no links yet (events recorded before chaining existed, or
copied in bulk) gets its chain built when the recorder is first created.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from application.base import latest_versions_one_by_one
from infrastructure.groupcommit import GroupCommit
from infrastructure.pgrecorder import BoundedPostgresApplicationRecorder
from infrastructure.stamping import HEAD as STAMP_HEAD
from infrastructure.stamping import PATTERN as STAMP_PATTERN
from infrastructure.stamping import PREFIX_BYTES, recording_time, rest_of, stamp
from infrastructure.stamping import TAIL as STAMP_TAIL

log = logging.getLogger(__name__)

GENESIS = bytes(32)
LINK_NUMBERS = struct.Struct(">qqqH")  # previous position, position, version, id length
TOPIC_LENGTH = struct.Struct(">I")
IMMUTABLE = "stored events are immutable"


def link_hash(
    prev_hash: bytes,
    prev_position: int,
    position: int,
    originator: bytes,
    version: int,
    topic: bytes,
    state: bytes,
) -> bytes:
    """The hash of one link. Every variable-length part is length-prefixed (unambiguous)."""
    return hashlib.sha256(
        b"".join(
            (
                prev_hash,
                LINK_NUMBERS.pack(prev_position, position, version, len(originator)),
                originator,
                TOPIC_LENGTH.pack(len(topic)),
                topic,
                state,
            )
        )
    ).digest()


def originator_bytes(originator_id: UUID | str) -> bytes:
    """An aggregate id as hashed: a UUID's 32 lowercase hex digits (as SQLite stores it)."""
    if isinstance(originator_id, UUID):
        return originator_id.hex.encode()
    return originator_id.encode()


@dataclass(frozen=True)
class Link:
    position: int
    prev_position: int
    hash: bytes


GENESIS_LINK = Link(0, 0, GENESIS)

# One stored event as the chain sees it: position, aggregate id, version, topic, state
# (the id and topic as the bytes that are hashed) ...
ChainedEvent = tuple[int, bytes, int, bytes, bytes]
# ... and with its stored link's previous position and hash (None: it has no link).
LinkedEvent = tuple[int, bytes, int, bytes, bytes, int | None, bytes | None]


def extend(head: Link, events: Iterable[ChainedEvent | LinkedEvent]) -> Iterator[Link]:
    """The links that follow ``head`` for ``events`` (in log order)."""
    prev_hash, prev_position = head.hash, head.position
    for position, originator, version, topic, state, *_ in events:
        prev_hash = link_hash(prev_hash, prev_position, position, originator, version, topic, state)
        yield Link(position, prev_position, prev_hash)
        prev_position = position


def _as_chained(ids: Sequence[int], stored: Sequence[StoredEvent]) -> Iterator[ChainedEvent]:
    for position, event in zip(ids, stored, strict=True):
        yield (
            position,
            originator_bytes(event.originator_id),
            event.originator_version,
            event.topic.encode(),
            event.state,
        )


class ChainedRecorder:
    """What the verifier, the sealer and the exporter need from a chained recorder."""

    chain_table_name: str
    # Events are stamped with their recording time as they are stored (stamping.py).
    stamps_recording_times = True
    # Segments verification reads ahead, each in its own thread: the database server
    # works on them while Python hashes; SQLite works inside this process, so only one.
    read_ahead = 1

    # Each store names these statements (parameters: none, or the bounds ``lo``, ``hi``).
    _select_head: Any
    _select_head_at: Any
    _select_max: Any
    _select_linked: Any
    _count_links_in: Any
    _first_orphan: Any

    def _fetch(self, statement: Any, *params: Any) -> list[Any]:
        """Run one read-only statement; rows as plain tuples."""
        raise NotImplementedError

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every stored event of each of ``originator_ids``, in (originator, version)
        order — as ``select_events`` per originator gives them, in one query."""
        raise NotImplementedError

    def latest_versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        """The version each of ``originator_ids`` has reached in the store (those with no
        events are absent), in one query: what a process's cached copies are checked
        against."""
        raise NotImplementedError

    def chain_head(self, *, at: int | None = None) -> Link | None:
        """The last link (at or before position ``at`` when given)."""
        rows = (
            self._fetch(self._select_head) if at is None else self._fetch(self._select_head_at, at)
        )
        return Link(rows[0][0], rows[0][1], bytes(rows[0][2])) if rows else None

    def max_position(self) -> int:
        """The highest position held by either the events or the links."""
        return int(self._fetch(self._select_max)[0][0] or 0)

    def read_linked(self, lo: int, hi: int) -> list[LinkedEvent]:
        """Events with positions in ``lo..hi`` (inclusive), in order, each with its link."""
        return self._fetch(self._select_linked, lo, hi, lo, hi)  # both sides of the join bounded

    def count_links(self, lo: int, hi: int) -> int:
        """How many links have positions in ``lo..hi``."""
        return int(self._fetch(self._count_links_in, lo, hi)[0][0])

    def first_orphan_link(self, lo: int, hi: int) -> int | None:
        """The first position in ``lo..hi`` holding a link but no event."""
        found: int | None = self._fetch(self._first_orphan, lo, hi)[0][0]
        return found


# --------------------------------------------------------------------------- PostgreSQL


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
        schema = Identifier(datastore.schema)
        events = Identifier(events_table_name)
        chain = Identifier(self.chain_table_name)
        refuse = Identifier("vl_refuse_change")
        names = {"schema": schema, "events": events, "chain": chain, "refuse": refuse}
        self.sql_create_statements += [
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
        for table in (events, chain):
            self.sql_create_statements += [
                SQL(
                    "CREATE OR REPLACE TRIGGER vl_immutable_rows BEFORE UPDATE OR DELETE "
                    "ON {schema}.{table} FOR EACH ROW EXECUTE FUNCTION {schema}.{refuse}()"
                ).format(table=table, **names),
                SQL(
                    "CREATE OR REPLACE TRIGGER vl_immutable_truncate BEFORE TRUNCATE "
                    "ON {schema}.{table} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{refuse}()"
                ).format(table=table, **names),
            ]
        self._select_head = SQL(
            "SELECT position, prev_position, hash FROM {schema}.{chain} "
            "ORDER BY position DESC LIMIT 1"
        ).format(**names)
        self._select_head_at = SQL(
            "SELECT position, prev_position, hash FROM {schema}.{chain} "
            "WHERE position <= %s ORDER BY position DESC LIMIT 1"
        ).format(**names)
        # Events and links each go in as one statement of parallel arrays, sent in binary:
        # the library's array of composites is dumped as text, escaped by regex, per event.
        # Each event is stamped with its recording time by the server, in the insert itself
        # (infrastructure/stamping.py): its clock, or the last event's stamp if that is
        # later, written as Python's isoformat() writes it. A state laid out as ours is sent
        # without its stamp (``rest``), any other whole (``whole``); the stamp comes back.
        self._insert_event_arrays = SQL(
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
        ).format(
            id_type=Identifier(datastore.originator_id_type),
            prefix=PREFIX_BYTES,
            **names,
        )
        self._insert_links = SQL(
            "INSERT INTO {schema}.{chain} (position, prev_position, hash) "
            "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bytea[])"
        ).format(**names)
        self._copy_links = SQL(
            "COPY {schema}.{chain} (position, prev_position, hash) FROM STDIN"
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
        self._select_events_of = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{events} "
            "WHERE originator_id = ANY(%s::{id_type}[]) ORDER BY originator_id, originator_version"
        ).format(id_type=Identifier(datastore.originator_id_type), **names)
        self._latest_version = SQL(
            "SELECT originator_version FROM {schema}.{events} WHERE originator_id = %s "
            "ORDER BY originator_version DESC LIMIT 1"
        ).format(**names)
        self._latest_versions = SQL(
            "SELECT originator_id, max(originator_version) FROM {schema}.{events} "
            "WHERE originator_id = ANY(%s::{id_type}[]) GROUP BY originator_id"
        ).format(id_type=Identifier(datastore.originator_id_type), **names)
        self._ids_are_uuids = datastore.originator_id_type == "uuid"
        self._pending = threading.local()
        lock_key = int.from_bytes(
            hashlib.blake2b(
                f"{datastore.schema}.{events_table_name}".encode(), digest_size=8
            ).digest(),
            "big",
            signed=True,
        )
        self._writer_lock = [
            self.lock_table_statements[0],  # SET LOCAL lock_timeout
            SQL("SELECT pg_advisory_xact_lock({0})").format(lock_key),
        ]
        self._group_commit = GroupCommit(super().insert_events)

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
        head_cursor = self._pending.__dict__.pop("head")
        row = head_cursor.fetchone()
        head = Link(row[0], row[1], bytes(row[2])) if row else GENESIS_LINK
        links = list(extend(head, _as_chained(ids, stored_events)))
        with curs.connection.cursor() as links_cursor:
            links_cursor.execute(
                self._insert_links,
                (
                    [k.position for k in links],
                    [k.prev_position for k in links],
                    [k.hash for k in links],
                ),
                prepare=True,
            )
        return ids

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # As the library's (lock, notify, insert returning the ids), with the events as
        # arrays, each stamped with its recording time by the server.
        self._lock_table(curs)
        self._notify_channel(curs)
        rests = [rest_of(e.state) for e in stored_events]
        curs.execute(
            self._insert_event_arrays,
            (
                STAMP_PATTERN,
                STAMP_HEAD,
                STAMP_TAIL,
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [
                    None if r is not None else e.state
                    for e, r in zip(stored_events, rests, strict=True)
                ],
                rests,
            ),
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
            head, built = GENESIS_LINK, 0
            with curs.connection.cursor(row_factory=tuple_row, binary=True) as c:
                while True:
                    c.execute(self._select_events_after, (head.position,))
                    links = list(extend(head, c.fetchall()))
                    if not links:
                        break
                    with c.copy(self._copy_links) as copy:
                        for link in links:
                            copy.write_row((link.position, link.prev_position, link.hash))
                    head, built = links[-1], built + len(links)
            if built:
                log.warning("built the hash chain over %d events recorded before it", built)

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        if not self._ids_are_uuids:
            return [e for i in originator_ids for e in self.select_events(i)]
        return [
            StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=r[3])
            for r in self._fetch(self._select_events_of, list(originator_ids))
        ]

    def latest_versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        if not self._ids_are_uuids:
            return latest_versions_one_by_one(self, originator_ids)
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as c,
        ):
            if len(originator_ids) == 1:  # a command's check: the primary key's last entry
                (originator_id,) = originator_ids
                c.execute(self._latest_version, (originator_id,), prepare=True)
                rows = c.fetchall()
                return {originator_id: rows[0][0]} if rows else {}
            c.execute(self._latest_versions, (list(originator_ids),), prepare=True)
            return dict(c.fetchall())

    def _fetch(self, statement: Any, *params: Any) -> list[Any]:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as c,
        ):
            c.execute(statement, params or None)
            return c.fetchall()


# --------------------------------------------------------------------------- SQLite


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder, ChainedRecorder):
    """The library's SQLite recorder, plus a link per event in the same transaction."""

    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        self.chain_table_name = f"{events_table_name}_chain"
        super().__init__(datastore, events_table_name)
        self._last_link: Link | None = None
        chain = self.chain_table_name
        self._select_head = (
            f"SELECT position, prev_position, hash FROM {chain} ORDER BY position DESC LIMIT 1"
        )
        self._select_head_at = (
            f"SELECT position, prev_position, hash FROM {chain} "
            "WHERE position <= ? ORDER BY position DESC LIMIT 1"
        )
        self._insert_links = f"INSERT INTO {chain} (position, prev_position, hash) VALUES (?,?,?)"
        hashed = (
            "CAST(e.originator_id AS BLOB), e.originator_version, CAST(e.topic AS BLOB), e.state"
        )
        self._select_linked = (
            f"SELECT e.rowid, {hashed}, c.prev_position, c.hash "
            f"FROM {events_table_name} e LEFT JOIN {chain} c "
            "ON c.position = e.rowid AND c.position BETWEEN ? AND ? "
            "WHERE e.rowid BETWEEN ? AND ? ORDER BY e.rowid"
        )
        self._select_events_after = (
            f"SELECT e.rowid, {hashed} FROM {events_table_name} e "
            "WHERE e.rowid > ? ORDER BY e.rowid LIMIT 20000"
        )
        self._count_links_in = f"SELECT count(*) FROM {chain} WHERE position BETWEEN ? AND ?"
        self._first_orphan = (
            f"SELECT min(c.position) FROM {chain} c WHERE c.position BETWEEN ? AND ? "
            f"AND NOT EXISTS (SELECT 1 FROM {events_table_name} e WHERE e.rowid = c.position)"
        )
        self._take_write_lock = f"UPDATE {chain} SET position = position WHERE 0"
        self._select_last_state = (
            f"SELECT substr(state, 1, {PREFIX_BYTES}) FROM {events_table_name} "
            "ORDER BY rowid DESC LIMIT 1"
        )
        self._select_max = (
            f"SELECT MAX(COALESCE((SELECT MAX(rowid) FROM {events_table_name}), 0), "
            f"COALESCE((SELECT MAX(position) FROM {chain}), 0))"
        )

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} ("
            "position INTEGER PRIMARY KEY, prev_position INTEGER NOT NULL, hash BLOB NOT NULL)"
        )
        for table in (self.events_table_name, self.chain_table_name):
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} "
                    f"BEFORE {operation} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, '{IMMUTABLE}: {operation} on {table} refused'); END"
                )
        return statements

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Stamped with their recording time (infrastructure/stamping.py) inside the write
        # transaction: SQLite's clock is the machine's. The write lock is taken first (a
        # write that changes nothing), so no other writer can come between the last event
        # read here and ours (the library's BEGIN is deferred).
        c.execute(self._take_write_lock)
        c.execute(self._select_last_state)
        row = c.fetchone()
        when = recording_time(datetime.now(UTC), bytes(row[0]) if row else None)
        stamp(stored_events, when)
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None
        head = self._last_link
        if head is None or ids[0] != head.position + 1:
            # SQLite gives a new row the highest rowid plus one, and events are never
            # removed: our first id follows the link we last wrote exactly when no other
            # writer (or rolled-back transaction of ours) came between. Otherwise, read it.
            c.execute(self._select_head)
            row = c.fetchone()
            head = Link(row[0], row[1], bytes(row[2])) if row else GENESIS_LINK
        links = list(extend(head, _as_chained(ids, stored_events)))
        c.executemany(self._insert_links, [(k.position, k.prev_position, k.hash) for k in links])
        self._last_link = links[-1]  # trusted next time only if the rowids continue from it
        return ids

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.chain_table_name})")
            if c.fetchone()[0]:
                return
            head, built = GENESIS_LINK, 0
            while True:
                c.execute(self._select_events_after, (head.position,))
                rows = c.fetchall()
                if not rows:
                    break
                links = list(extend(head, rows))
                c.executemany(
                    self._insert_links, [(k.position, k.prev_position, k.hash) for k in links]
                )
                head, built = links[-1], built + len(links)
        if built:
            log.warning("built the hash chain over %d events recorded before it", built)

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
                originator_id=self.convert_originator_id(r[0]),
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
        """Rows of ``statement`` for ``originator_ids``, 500 ids a query (``{ids}`` stands
        for their placeholders, ``{events}`` for the events table)."""
        ids = [i.hex for i in originator_ids]  # as the library stores them
        rows: list[Any] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ", ".join("?" * len(chunk))
            rows += self._fetch(
                statement.format(events=self.events_table_name, ids=placeholders), *chunk
            )
        return rows

    def _fetch(self, statement: str, *params: Any) -> list[Any]:
        with self.datastore.transaction(commit=False) as c, c as raw:
            raw.row_factory = None  # plain tuples: the library's connections make sqlite3.Row
            raw.execute(statement, params)
            return raw.fetchall()


def recorder_topic(is_postgres: bool) -> str:
    cls = ChainedPostgresApplicationRecorder if is_postgres else ChainedSQLiteApplicationRecorder
    return f"{cls.__module__}:{cls.__qualname__}"
