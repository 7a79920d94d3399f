"""A faster way to turn domain events into stored events: the same bytes, sooner.

The library's mapper encodes an event's state with :mod:`json`, whose C encoder calls
back into Python (the transcoder's ``default``) for every UUID, time, enum and value
object, builds a tagged dict ``{"_type_": name, "_data_": data}`` for it and encodes
that. A sign-in sheet records two events per row, so that encoding weighs on the
largest requests.

:class:`FastEncodingMapper` writes the same JSON text itself, value by value: strings
with :mod:`json`'s own escaping function, integers and floats as :mod:`json` writes them,
UUIDs and datetimes straight into their tags, other registered types through their
transcoding. Values that are immutable and recur — enum members, and instances of the
types named ``immutable`` (an actor: the same one on every event of a request) — are
written once and their text kept, by identity, while they live.

Anything whose text could differ goes to the library's own mapper, so its bytes and
errors are the library's: a value of a subclass of a JSON type (:mod:`json` writes
those natively, never asking a transcoding), a float that is not finite, a dict key
that is not a string, an unregistered type, nesting deeper than :data:`MAX_DEPTH`, a
cipher or compressor, or a transcoder other than the library's JSON one.
``tests/unit/test_fast_encoding.py`` and ``tests/integration/test_stored_bytes.py``
check the bytes are equal, value by value and for every event of a demo history.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from json.encoder import encode_basestring  # what json uses when ensure_ascii is off
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from domain.values import Interval
from infrastructure.transcodings import IntervalAsPair, plain_json

MAX_DEPTH = 32
MEMO_SIZE = 4096  # texts kept of recurring immutable values (cleared when full)
_PLAIN = (str, int, float, list, tuple, dict)  # what json writes natively, subclasses too
Text = Callable[[Any, int], str]


class _Unsure(Exception):
    """The writer met something the library's encoder should handle itself."""


class FastEncodingMapper(Mapper[Any]):
    """The library's mapper, whose ``to_stored_event`` gives the same stored events faster."""

    @classmethod
    def replacing(cls, mapper: Mapper[Any], immutable: Iterable[type] = ()) -> FastEncodingMapper:
        """The same transcoder, compressor and cipher as ``mapper``."""
        fast = cls(mapper.transcoder, compressor=mapper.compressor, cipher=mapper.cipher)
        fast.immutable = frozenset(immutable)
        return fast

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.usable = plain_json(self)
        self.immutable: frozenset[type] = frozenset()
        # How to write a value, by its exact type: JSON's own types first, the others as
        # they are met (see ``_writer``).
        self._texts: dict[type, Text] = {
            type(None): _null,
            bool: _boolean,
            int: _integer,
            float: _float,
            list: self._array,
            tuple: self._array,
        }
        self._memo: dict[int, tuple[Any, str]] = {}
        self._keys: dict[str, str] = {}

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        if not self.usable:
            return super().to_stored_event(domain_event)
        # As the library's mapper does, then the state encoded here when it is sure.
        topic = get_topic(domain_event.__class__)
        event_state = dict(vars(domain_event))
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            event_state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=self.encode_state(event_state),
        )

    def encode_state(self, state: dict[str, Any]) -> bytes:
        """What ``self.transcoder.encode(state)`` gives (its errors too)."""
        if self.usable:
            try:
                return self._text(state, 0).encode("utf8")
            except _Unsure:
                pass
        return self.transcoder.encode(state)

    # ----------------------------------------------------------------- writing JSON text

    def _text(self, value: Any, depth: int) -> str:
        kind = type(value)
        if kind is str:  # the commonest, written without a lookup
            return encode_basestring(value)
        if kind is dict:
            return self._object(value, depth)
        write = self._texts.get(kind)
        if write is None:
            write = self._texts[kind] = self._writer(kind)
        return write(value, depth)

    def _object(self, value: dict[Any, Any], depth: int) -> str:
        if depth > MAX_DEPTH:
            raise _Unsure
        key, text = self._key, self._text
        return "{" + ",".join([f"{key(k)}:{text(v, depth + 1)}" for k, v in value.items()]) + "}"

    def _array(self, value: list[Any] | tuple[Any, ...], depth: int) -> str:
        if depth > MAX_DEPTH:
            raise _Unsure
        return "[" + ",".join([self._text(v, depth + 1) for v in value]) + "]"

    def _key(self, key: Any) -> str:
        if type(key) is not str:
            raise _Unsure  # json turns some non-str keys into strings; let it
        text = self._keys.get(key)
        if text is None:
            if len(self._keys) >= MEMO_SIZE:
                self._keys.clear()
            text = self._keys[key] = encode_basestring(key)
        return text

    def _writer(self, kind: type) -> Text:
        """How to write a value of ``kind`` (a type json does not write natively)."""
        transcoding = cast(JSONTranscoder, self.transcoder).types.get(kind)
        if transcoding is None or issubclass(kind, _PLAIN):
            return _unsure  # unregistered (the library raises), or json writes it natively
        return self._tagged(transcoding, kind)

    def _tagged(self, transcoding: Transcoding, kind: type) -> Text:
        """How to write a ``kind`` as its transcoding's tagged value: directly when its data
        is known text, else through the transcoding (its text kept when it recurs)."""
        head = '{"_type_":' + encode_basestring(transcoding.name) + ',"_data_":'
        direct = _direct(type(transcoding), kind, head)
        if direct is not None:
            return direct
        general = self._general(transcoding, head)
        if issubclass(kind, Enum) or kind in self.immutable:
            return self._remembered(general)
        return general

    def _general(self, transcoding: Transcoding, head: str) -> Text:
        def write(value: Any, depth: int) -> str:
            if depth > MAX_DEPTH:
                raise _Unsure
            return f"{head}{self._text(transcoding.encode(value), depth + 1)}}}"

        return write

    def _remembered(self, write: Text) -> Text:
        """``write``, its text kept per object (held, so its id cannot be reused)."""
        memo = self._memo

        def remembered(value: Any, depth: int) -> str:
            found = memo.get(id(value))
            if found is not None and found[0] is value:
                return found[1]
            text = write(value, depth)
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[id(value)] = (value, text)
            return text

        return remembered


def _direct(transcoding: type[Transcoding], kind: type, head: str) -> Text | None:
    """A writer for data known to be text needing no escapes (hex, ISO times)."""
    make = _DIRECT.get((transcoding, kind))
    return None if make is None else make(head)


def _hex_writer(head: str) -> Text:
    return lambda value, depth: f'{head}"{value.hex}"}}'


def _iso_writer(head: str) -> Text:
    return lambda value, depth: f'{head}"{value.isoformat()}"}}'


def _interval_writer(head: str) -> Text:
    return lambda value, depth: f'{head}["{value.start.isoformat()}","{value.end.isoformat()}"]}}'


# The writers ``_direct`` makes, by (transcoding, value type), given the tag's head.
_DIRECT: dict[tuple[type[Transcoding], type], Callable[[str], Text]] = {
    (UUIDAsHex, UUID): _hex_writer,
    (DatetimeAsISO, datetime): _iso_writer,
    (IntervalAsPair, Interval): _interval_writer,
}


def _unsure(value: Any, depth: int) -> str:
    raise _Unsure


def _null(value: None, depth: int) -> str:
    return "null"


def _boolean(value: bool, depth: int) -> str:
    return "true" if value else "false"


def _integer(value: int, depth: int) -> str:
    return int.__repr__(value)


def _float(value: float, depth: int) -> str:
    if not math.isfinite(value):
        raise _Unsure
    return float.__repr__(value)
