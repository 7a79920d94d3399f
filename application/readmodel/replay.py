"""Reading the log in order, and building read models in memory up to any position."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from application.readmodel.base import Projection
from application.readmodel.store import MemoryStore


class UndecodableEvent(Exception):
    def __init__(self, position: int, topic: str, cause: Exception) -> None:
        super().__init__(
            f"event at position {position} (topic {topic!r}) cannot be decoded: {cause}"
        )
        self.position = position
        self.topic = topic


def read_notifications(
    app: Application[Any],
    *,
    after: int = 0,
    upto: int | None = None,
    batch: int = 2000,
    topics: Sequence[str] = (),
) -> Iterator[list[Notification]]:
    """The log from position ``after + 1`` (to ``upto``), one batch at a time; only events
    of ``topics`` when any are named."""
    position = after
    while upto is None or position < upto:
        found = app.recorder.select_notifications(
            start=position + 1, limit=batch, stop=upto, topics=topics, inclusive_of_start=True
        )
        if not found:
            return
        yield list(found)
        position = found[-1].id


Decoder = Callable[[Notification], Any]


def decode(
    app: Application[Any], notification: Notification, decoder: Decoder | None = None
) -> Any:
    try:
        return (decoder or app.mapper.to_domain_event)(notification)
    except Exception as e:
        raise UndecodableEvent(notification.id, notification.topic, e) from e


def read_events(
    app: Application[Any],
    *,
    after: int = 0,
    upto: int | None = None,
    batch: int = 2000,
    decoder: Decoder | None = None,
) -> Iterator[list[tuple[int, Any]]]:
    """Decoded events with their positions; ``decoder`` (the library's mapper when None) must
    give what the mapper gives."""
    for notifications in read_notifications(app, after=after, upto=upto, batch=batch):
        yield _decoded(app, notifications, decoder)


def _decoded(
    app: Application[Any], notifications: list[Notification], decoder: Decoder | None
) -> list[tuple[int, Any]]:
    """One batch of the log decoded, each event with its position."""
    to_event = decoder or app.mapper.to_domain_event
    try:
        return [(n.id, to_event(n)) for n in notifications]
    except Exception:
        # Again, one by one, to name the first event that cannot be decoded.
        return [(n.id, decode(app, n, decoder)) for n in notifications]


def position_known_at(app: Application[Any], known_at: datetime) -> int:
    """The last log position whose event was recorded at or before ``known_at``."""
    cut = 0
    for notifications in read_notifications(app, batch=5000):
        for n in notifications:
            if decode(app, n).timestamp <= known_at:
                cut = n.id
    return cut


def replay(
    app: Application[Any], projections: Sequence[Projection], *, upto: int | None = None
) -> tuple[MemoryStore, int]:
    """Build ``projections`` in memory from the log up to ``upto`` (the head when None)."""
    store = MemoryStore()
    last = 0
    for events in read_events(app, upto=upto):
        for position, event in events:
            for projection in projections:
                projection.apply(store, event, position)
            last = position
    return store, last
