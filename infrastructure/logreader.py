"""Reading the event log in bulk for the projection runner, as plain rows.

The library's ``select_notifications`` builds a dict per row and a ``Notification`` per
event; catching up a read model reads every event, and builds nothing it needs from
them. On PostgreSQL this reads the same rows — ``notification_id`` after a position,
in order, up to a limit — as plain tuples; other stores (SQLite) through the library.
The runner decodes them as it applies them, a few hundred at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from application.ledger import VolunteerLedger
from application.readmodel.replay import UndecodableEvent, read_notifications
from infrastructure.decoding import FastDecoder

# A row of the log: (position, originator_id, originator_version, topic, state).
Row = tuple[int, Any, int, str, Any]

# Stands in for an event that every projection of a runner ignores: it is read (the
# positions advance over it) but never decoded.
SKIPPED: Any = object()


class LogReader:
    """``fetch(after)``: the next ``batch`` rows after position ``after``; ``decode(rows)``:
    them as events, with their positions. Events whose topic is in ``skipped`` come as
    :data:`SKIPPED` or, when ``headers`` (a projection reads every event's header), as an
    ``EventHeader``; the others as events whose fields are converted when first read
    (:meth:`FastDecoder.lazy <infrastructure.decoding.FastDecoder.lazy>`)."""

    def __init__(
        self,
        ledger: VolunteerLedger,
        batch: int,
        skipped: frozenset[str] = frozenset(),
        *,
        headers: bool = False,
    ) -> None:
        self.ledger = ledger
        self.batch = batch
        self.decoder = FastDecoder(ledger.mapper)
        undecoded = self.decoder.header if headers else _skip
        # How each skipped topic is read instead of decoded.
        self._undecoded: dict[str, Callable[[Any, int, str, Any], Any]] = dict.fromkeys(
            skipped, undecoded
        )
        self._select = _select_rows(ledger.recorder)

    def fetch(self, after: int) -> list[Row]:
        """The next ``batch`` rows after position ``after``, not decoded."""
        if self._select is None:
            return self._fetch_notifications(after)
        return self._fetch_rows(self._select, after)

    def _fetch_notifications(self, after: int) -> list[Row]:
        """The rows through the library (any store but PostgreSQL)."""
        notifications = next(read_notifications(self.ledger, after=after, batch=self.batch), [])
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
        ]

    def _fetch_rows(self, select: Composed, after: int) -> list[Row]:
        """The rows read by ``select`` on PostgreSQL, as plain tuples."""
        recorder = self.ledger.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            # Binary results: the state comes as its bytes, not hex text to be written out
            # by the server and parsed back here.
            cur.execute(select, (after, self.batch), prepare=True, binary=True)
            rows: list[Row] = cur.fetchall()
            return rows

    def decode(self, rows: list[Row]) -> list[tuple[int, Any]]:
        """Fetched rows as events (or headers, or :data:`SKIPPED`); an event that cannot be
        decoded raises :class:`UndecodableEvent`, naming it."""
        events = []
        lazy, undecoded = self.decoder.lazy, self._undecoded.get
        for position, originator_id, version, topic, state in rows:
            try:
                how = undecoded(topic)
                if how is None:
                    event = lazy(position, originator_id, version, topic, state)
                else:
                    event = how(originator_id, version, topic, state)
            except Exception as e:
                raise UndecodableEvent(position, topic, e) from e
            events.append((position, event))
        return events


def _select_rows(recorder: object) -> Composed | None:
    """The SELECT of the log's rows after a position, up to a limit, on PostgreSQL (None on
    other stores: they are read through the library)."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        return None
    return SQL(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        "FROM {0}.{1} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))


def _skip(originator_id: Any, originator_version: int, topic: str, data: Any) -> Any:
    return SKIPPED
