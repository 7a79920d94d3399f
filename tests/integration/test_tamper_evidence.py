"""Tampering with the stored log is detected by verify, which names the broken position.

A small real history is recorded once per store; every Hypothesis example tampers with
a copy of its event and link tables (a SQLite backup, or a PostgreSQL schema copy) the
way someone with write access to the database could, then verifies the copy.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo import generate_year
from infrastructure.audit import verify_chain
from infrastructure.bootstrap import bootstrap
from infrastructure.chain import ChainedRecorder
from infrastructure.chain_postgres import ChainedPostgresApplicationRecorder
from infrastructure.chain_sqlite import ChainedSQLiteApplicationRecorder
from infrastructure.settings import Settings
from tests.support.clock import fixed_clock

EVENTS = "volunteerledger_events"


@dataclass
class History:
    """A recorded history and a way to make tamperable copies of its log."""

    kind: str
    positions: list[int]
    copy: Callable[[], Tampered]


class Tampered:
    """A copy of the log: run SQL against it, then verify it."""

    def __init__(self, execute: Callable[..., Any], recorder: ChainedRecorder, events: str):
        self.execute = execute
        self.recorder = recorder
        self.events = events
        self.chain = f"{events}_chain"

    def verify(self) -> Any:
        return verify_chain(self.recorder, {}, segment=97)  # small segments: cross boundaries


@pytest.fixture
def history(store: Settings, tmp_path: Path) -> Iterator[History]:
    container = bootstrap(store, clock=fixed_clock)
    try:
        generate_year(container.ledger, volunteers=12, activities=6, townships=2)
        positions = [n.id for n in container.ledger.recorder.select_notifications(None, 10**6)]
    finally:
        container.close()
    opened: list[Any] = []
    if store.is_postgres:
        url, schema = store.database_url, store.postgres_schema

        def copy() -> Tampered:
            target = f"c_{uuid.uuid4().hex[:10]}"
            conn = psycopg.connect(url, autocommit=True)
            opened.append(conn)
            conn.execute(f'CREATE SCHEMA "{target}"')
            for table in (EVENTS, f"{EVENTS}_chain"):
                conn.execute(f'CREATE TABLE "{target}"."{table}" AS TABLE "{schema}"."{table}"')
            datastore = PostgresDatastore(
                dbname=url.rsplit("/", 1)[1],
                host="127.0.0.1",
                port="5432",
                user="postgres",
                password="",
                schema=target,
            )
            opened.append(datastore)
            recorder = ChainedPostgresApplicationRecorder(datastore, events_table_name=EVENTS)

            def execute(sql: str, params: tuple[Any, ...] = ()) -> None:
                conn.execute(f'SET search_path TO "{target}"')
                conn.execute(sql, params or None)

            return Tampered(execute, recorder, EVENTS)

    else:
        source = store.sqlite_path

        def copy() -> Tampered:
            path = tmp_path / f"copy-{uuid.uuid4().hex[:8]}.sqlite3"
            with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
                src.backup(dst)
            conn = sqlite3.connect(path, isolation_level=None)
            opened.append(conn)
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
                conn.execute(f"DROP TRIGGER {name}")  # whoever tampers can drop triggers
            datastore = SQLiteDatastore(db_name=str(path))
            opened.append(datastore)
            recorder = ChainedSQLiteApplicationRecorder(datastore)

            def execute(sql: str, params: tuple[Any, ...] = ()) -> None:
                conn.execute(
                    sql.replace("%s", "?")
                    .replace("notification_id", "rowid")
                    .replace(EVENTS, "stored_events"),
                    params,
                )

            return Tampered(execute, recorder, "stored_events")

    yield History(store.database_url.split(":")[0], positions, copy)
    for thing in opened:
        thing.close()
    shutil.rmtree(tmp_path, ignore_errors=True)


TAMPERING = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_an_untampered_log_verifies(history: History) -> None:
    report = history.copy().verify()
    assert report.ok, report
    assert report.checked == len(history.positions)
    assert report.head == history.positions[-1]


@TAMPERING
@given(data=st.data())
def test_changing_one_byte_of_a_stored_state_is_named(history: History, data: Any) -> None:
    position = data.draw(st.sampled_from(history.positions))
    copy = history.copy()
    copy.execute(
        f"UPDATE {EVENTS} SET state = %s WHERE notification_id = %s",
        (_flipped(copy, position, data), position),
    )
    report = copy.verify()
    assert not report.ok
    assert report.first_broken_position == position, report.problem


def _flipped(copy: Tampered, position: int, data: Any) -> bytes:
    (event,) = copy.recorder.read_linked(position, position)
    state = bytearray(event[4])
    index = data.draw(st.integers(0, len(state) - 1))
    state[index] ^= data.draw(st.integers(1, 255))
    return bytes(state)


@TAMPERING
@given(data=st.data())
def test_swapping_two_events_states_is_named(history: History, data: Any) -> None:
    first, second = _two_positions(history, data)
    copy = history.copy()
    (a,) = copy.recorder.read_linked(first, first)
    (b,) = copy.recorder.read_linked(second, second)
    copy.execute(f"UPDATE {EVENTS} SET state = %s WHERE notification_id = %s", (b[4], first))
    copy.execute(f"UPDATE {EVENTS} SET state = %s WHERE notification_id = %s", (a[4], second))
    report = copy.verify()
    assert not report.ok
    assert report.first_broken_position == first, report.problem


@TAMPERING
@given(data=st.data(), with_link=st.booleans())
def test_deleting_an_event_is_named(history: History, data: Any, with_link: bool) -> None:
    position = data.draw(st.sampled_from(history.positions))
    copy = history.copy()
    copy.execute(f"DELETE FROM {EVENTS} WHERE notification_id = %s", (position,))
    if with_link:
        copy.execute(f"DELETE FROM {EVENTS}_chain WHERE position = %s", (position,))
    report = copy.verify()
    if with_link and position == history.positions[-1]:
        # The newest event and its link both gone look like a shorter log: only a seal
        # (or an exported bundle) pins the head. See test_seals.
        assert report.ok and report.head < position
        return
    assert not report.ok
    assert report.first_broken_position == position, report.problem


@TAMPERING
@given(data=st.data(), forged_link=st.booleans())
def test_inserting_a_forged_event_is_named(history: History, data: Any, forged_link: bool) -> None:
    last = history.positions[-1]
    position = data.draw(st.integers(last + 1, last + 50))
    copy = history.copy()
    (template,) = copy.recorder.read_linked(last, last)
    copy.execute(
        f"INSERT INTO {EVENTS} (originator_id, originator_version, topic, state, notification_id) "
        "VALUES (%s, %s, %s, %s, %s)",
        (_forged_id(copy), 1, template[3].decode(), b'{"points": "9999"}', position),
    )
    if forged_link:
        copy.execute(
            f"INSERT INTO {EVENTS}_chain (position, prev_position, hash) VALUES (%s, %s, %s)",
            (position, last, bytes(32)),
        )
    report = copy.verify()
    assert not report.ok
    assert report.first_broken_position == position, report.problem


def _forged_id(copy: Tampered) -> Any:
    forged = uuid.uuid4()
    return forged if isinstance(copy.recorder, ChainedPostgresApplicationRecorder) else forged.hex


@TAMPERING
@given(data=st.data())
def test_reordering_two_events_is_named(history: History, data: Any) -> None:
    first, second = _two_positions(history, data)
    copy = history.copy()
    swap = f"UPDATE {EVENTS} SET notification_id = %s WHERE notification_id = %s"
    copy.execute(swap, (-1, first))
    copy.execute(swap, (first, second))
    copy.execute(swap, (second, -1))
    report = copy.verify()
    assert not report.ok
    assert report.first_broken_position == first, report.problem


def _two_positions(history: History, data: Any) -> tuple[int, int]:
    drawn = data.draw(
        st.lists(st.sampled_from(history.positions), min_size=2, max_size=2, unique=True)
    )
    first, second = sorted(drawn)
    return first, second
