"""Tamper evidence: every stored event is chained by SHA-256 to the one before it in log order.

A link is a row beside the events (``<events table>_chain``): the event's position, the
position of the event before it, and a hash covering that previous link's hash and
position, the event's position, aggregate id, version, topic and stored state bytes.
This module holds the chain itself (the hash, the links that follow a head) and
:class:`ChainedRecorder`, what the verifier, the sealer and the exporter read of it.

The recorders that write the links in the same transaction as the events are the
library's, extended: :mod:`infrastructure.chain_postgres` and
:mod:`infrastructure.chain_sqlite`. Events and links can only be inserted: triggers
refuse UPDATE, DELETE and TRUNCATE. A store that has events but no links yet (events
recorded before chaining existed, or copied in bulk) gets its chain built when the
recorder is first created.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

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


class Link(NamedTuple):
    """A link as its row holds it (so a list of links is what inserting them takes)."""

    position: int
    prev_position: int
    hash: bytes


GENESIS_LINK = Link(0, 0, GENESIS)


def head_link(row: Sequence[Any] | None) -> Link:
    """The link in a (position, prev_position, hash) row; the genesis for no row."""
    return Link(row[0], row[1], bytes(row[2])) if row else GENESIS_LINK


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


def as_chained(ids: Sequence[int], stored: Sequence[StoredEvent]) -> Iterator[ChainedEvent]:
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

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """The events as the library's notification log gives them (its recorders' own,
        earlier in the order of bases): the seals are read this way."""
        raise NotImplementedError

    def chain_head(self, *, at: int | None = None) -> Link | None:
        """The last link (at or before position ``at`` when given)."""
        rows = (
            self._fetch(self._select_head) if at is None else self._fetch(self._select_head_at, at)
        )
        return head_link(rows[0]) if rows else None

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
