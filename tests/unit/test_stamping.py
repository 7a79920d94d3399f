"""Recording times: the store's clock, never behind the event before, written into the state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from eventsourcing.persistence import StoredEvent

from infrastructure.stamping import recording_time, stamp, stamp_of

NOW = datetime(2026, 12, 4, 8, 0, 0, 123456, tzinfo=UTC)


def _state(when: datetime) -> bytes:
    return (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
        + when.isoformat().encode()
        + b'"},"originator_topic":"x","name":"a"}'
    )


def test_a_clock_behind_the_last_event_records_at_the_last_events_time() -> None:
    later = NOW + timedelta(hours=2)
    assert recording_time(NOW, _state(later)) == later


def test_the_stores_clock_is_taken_when_it_is_ahead_and_given_in_utc() -> None:
    east = NOW.astimezone(timezone(timedelta(hours=8)))
    when = recording_time(east, _state(NOW - timedelta(seconds=1)))
    assert when == NOW and when.tzinfo == UTC
    assert recording_time(NOW, None) == NOW


def test_stamping_replaces_only_the_timestamp() -> None:
    event = StoredEvent(uuid.uuid4(), 1, "topic", _state(NOW - timedelta(hours=2)))
    stamp([event], NOW)
    assert event.state == _state(NOW)
    assert stamp_of(event.state) == NOW


def test_a_state_of_another_layout_is_stored_as_it_came() -> None:
    event = StoredEvent(uuid.uuid4(), 1, "topic", b"\x00compressed")
    stamp([event], NOW)
    assert event.state == b"\x00compressed"
