"""The library's SQLite application recorder, its events hash-chained (see
:mod:`infrastructure.chain`) inside the write transaction that inserts them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from infrastructure.aggregate_queries import SQLiteAggregateQueries
from infrastructure.chain import (
    GENESIS_LINK,
    IMMUTABLE,
    ChainedRecorder,
    Link,
    as_chained,
    extend,
    head_link,
)
from infrastructure.stamping import PREFIX_BYTES, recording_time, stamp

log = logging.getLogger(__name__)


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder, ChainedRecorder):
    """The library's SQLite recorder, plus a link per event in the same transaction."""

    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        self.chain_table_name = f"{events_table_name}_chain"
        super().__init__(datastore, events_table_name)
        self._last_link: Link | None = None
        self._aggregates = SQLiteAggregateQueries(self, self._fetch)
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
        links = list(extend(self._head_before(c, ids[0]), as_chained(ids, stored_events)))
        c.executemany(self._insert_links, links)
        self._last_link = links[-1]  # trusted next time only if the rowids continue from it
        return ids

    def _head_before(self, c: SQLiteCursor, first_id: int) -> Link:
        """The link our events follow. SQLite gives a new row the highest rowid plus one,
        and events are never removed: our first id follows the link we last wrote exactly
        when no other writer (or rolled-back transaction of ours) came between. Otherwise,
        it is read."""
        last = self._last_link
        if last is not None and first_id == last.position + 1:
            return last
        c.execute(self._select_head)
        return head_link(c.fetchone())

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"SELECT EXISTS (SELECT 1 FROM {self.chain_table_name})")
            if c.fetchone()[0]:
                return
            built = self._chain_all(c)
        if built:
            log.warning("built the hash chain over %d events recorded before it", built)

    def _chain_all(self, c: SQLiteCursor) -> int:
        """Links for every event, a batch at a time (the chain is empty); how many."""
        head, built = GENESIS_LINK, 0
        while links := list(extend(head, self._events_after(c, head.position))):
            c.executemany(self._insert_links, links)
            head, built = links[-1], built + len(links)
        return built

    def _events_after(self, c: SQLiteCursor, position: int) -> list[Any]:
        """The next batch of events after ``position``, as the chain hashes them."""
        c.execute(self._select_events_after, (position,))
        rows: list[Any] = c.fetchall()
        return rows

    def latest_versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        return self._aggregates.latest_versions(originator_ids)

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        return self._aggregates.select_events_of(originator_ids)

    def _fetch(self, statement: str, *params: Any) -> list[Any]:
        with self.datastore.transaction(commit=False) as c, c as raw:
            raw.row_factory = None  # plain tuples: the library's connections make sqlite3.Row
            raw.execute(statement, params)
            return raw.fetchall()
