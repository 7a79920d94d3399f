"""Reading the event log in bulk for the projection runner, as plain rows.

The library's ``select_notifications`` builds a dict per row and a ``Notification`` per
event; catching up a read model reads every event, and that building cost a quarter of
reading. On PostgreSQL this reads the same rows — ``notification_id`` after a position,
in order, up to a limit — as tuples and hands them straight to the decoder. Other stores
(SQLite) read through the library as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from application.ledger import VolunteerLedger
from application.readmodel.replay import UndecodableEvent, read_events
from infrastructure.decoding import FastDecoder

# Stands in for an event that every projection of a runner ignores: it is read (the
# positions advance over it) but never decoded.
SKIPPED: Any = object()


class LogReader:
    """``read(after)``: the next ``batch`` events after position ``after``, decoded, with their
    positions; events whose topic is in ``skipped`` come as :data:`SKIPPED` or, when
    ``headers`` (a projection reads every event's header), as an ``EventHeader``."""

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
        self.skipped = skipped
        self.decoder = FastDecoder(ledger.mapper)
        self._undecoded = self.decoder.header if headers else _skip
        recorder = ledger.recorder
        self._select: Composed | None = None
        if isinstance(recorder, PostgresApplicationRecorder):
            self._select = SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {0}.{1} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))

    def read(self, after: int) -> list[tuple[int, Any]]:
        if self._select is None:
            return self._read_library(after)
        recorder = self.ledger.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            # Binary results: the state comes as its bytes, not hex text to be parsed back
            # (a third of the time, on both sides).
            cur.execute(self._select, (after, self.batch), prepare=True, binary=True)
            rows = cur.fetchall()
        decode, undecoded = self.decoder.decode, self._undecoded
        skipped = self.skipped
        try:
            return [
                (
                    row[0],
                    (undecoded if row[3] in skipped else decode)(row[1], row[2], row[3], row[4]),
                )
                for row in rows
            ]
        except Exception:
            pass
        # Again, one by one, to name the first event that cannot be decoded.
        events = []
        for position, originator_id, version, topic, state in rows:
            try:
                event = (undecoded if topic in skipped else decode)(
                    originator_id, version, topic, state
                )
            except Exception as e:
                raise UndecodableEvent(position, topic, e) from e
            events.append((position, event))
        return events

    def _read_library(self, after: int) -> list[tuple[int, Any]]:
        decoder: Callable[[Any], Any] = self.decoder
        if self.skipped:
            decoder = self._skipping
        return next(read_events(self.ledger, after=after, batch=self.batch, decoder=decoder), [])

    def _skipping(self, notification: Any) -> Any:
        if notification.topic in self.skipped:
            return self._undecoded(
                notification.originator_id,
                notification.originator_version,
                notification.topic,
                notification.state,
            )
        return self.decoder(notification)


def _skip(originator_id: Any, originator_version: int, topic: str, data: Any) -> Any:
    return SKIPPED
