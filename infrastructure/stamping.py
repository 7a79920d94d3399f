"""Recording times that never go back in log order, so a cut by time (``known_at``) is a
prefix of the log that later writes cannot change.

An event's ``timestamp`` is made by the process that triggers it, from that process's
clock: an API process whose clock was 2 h behind stored events "recorded" 2 h before
events already in the log, and ``known_at=T`` (the last position recorded at or before
T) then took in everything before them, recorded after T. So the recorders stamp each
event again in the insert's own transaction, after the writers' lock: with the store's
clock (PostgreSQL's ``clock_timestamp()``; SQLite's is the machine's), and never earlier
than the event before it (a clock stepped back, an older event stamped by a fast clock).
Every event of one insert gets the same time; the stamp is part of the stored bytes, so
the hash chain covers it.

Only states laid out as the library writes ours (the timestamp the first key, as an ISO
time) are stamped; any other (a cipher, a compressor) is stored as it came.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from eventsourcing.persistence import StoredEvent

# A state of ours begins ``HEAD`` + ISO time + ``TAIL``; the rest follows.
HEAD = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
TAIL = b'"},'
PATTERN = r'\A\{"timestamp":\{"_type_":"datetime_iso","_data_":"([0-9T:. +-]+)"\},'
_STAMP = re.compile(PATTERN.encode())
# How much of a state to read for its stamp (the prefix above with the longest ISO time).
PREFIX_BYTES = 96


def stamp_of(state: bytes | None) -> datetime | None:
    """The recording time at the start of ``state`` (None: none there)."""
    found = _STAMP.match(state) if state else None
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found.group(1).decode())
    except ValueError:
        return None


def recording_time(now: datetime, previous: bytes | None) -> datetime:
    """When events inserted ``now`` are recorded: ``now`` (UTC), or the time of the event
    before them (whose state begins with ``previous``) if that is later."""
    now = now.astimezone(UTC)
    before = stamp_of(previous)
    return max(now, before.astimezone(UTC)) if before is not None else now


def rest_of(state: bytes) -> bytes | None:
    """What follows the stamp in ``state`` (None: not a state laid out as ours)."""
    found = _STAMP.match(state)
    return None if found is None else state[found.end() :]


def stamp(events: Sequence[StoredEvent], when: datetime | str) -> None:
    """Replace the timestamps in ``events``' states by ``when`` (a time, written as the
    library writes one — ``datetime.isoformat`` — or that text).

    In place: the caller's stored events then hold the states as stored, and the library
    builds the recordings it returns from them (the application reads the recording time
    there, see ``LedgerBase._record``). A transaction that fails leaves a stamp that was
    never stored; the next attempt stamps again."""
    text = when if isinstance(when, str) else when.isoformat()
    head = HEAD + text.encode() + TAIL
    for event in events:
        rest = rest_of(event.state)
        if rest is not None:
            object.__setattr__(event, "state", head + rest)  # a frozen dataclass
