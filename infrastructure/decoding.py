"""A faster way to turn stored events into domain events, for reading the log in bulk.

The library's mapper parses JSON with a Python ``object_hook`` and calls a transcoding
object for every tagged value; catching up a read model spends more time there than
anywhere else. This decoder produces the same objects: it parses with orjson, turns the
library's ``{"_type_": name, "_data_": data}`` dicts into values bottom-up exactly as the
hook does (each tagged value by its transcoding's fast decoder,
:mod:`infrastructure.value_decoders`), and builds the event the way the mapper
does (``object.__new__`` and the state as ``__dict__``, upcasting old class versions).

For the projection runner it gives each event lazily (:meth:`FastDecoder.lazy`,
:mod:`infrastructure.lazy_events`), and the audit trail's headers without decoding the
whole event (:meth:`FastDecoder.header`, :mod:`infrastructure.header_reading`).

Anything it is unsure of (a cipher or compressor, a transcoder that is not the JSON
one, JSON that orjson refuses, an unknown name) goes to the library's mapper, so errors
are the library's own. ``tests/integration/test_fast_decoding.py`` checks the two give
equal events, value types included, every field read lazily too, for every event of a
demo history.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, find_id_convertor
from eventsourcing.utils import resolve_topic

from application.readmodel.base import EventHeader
from infrastructure.header_reading import HeaderReader
from infrastructure.lazy_events import LazyEvents
from infrastructure.transcodings import plain_json
from infrastructure.value_decoders import Decode, fast_decode

# UUIDs repeat (volunteers, activities, teams): one immutable instance per hex string,
# up to a bound, saves parsing them again.
_UUID_CACHE_SIZE = 200_000


class FastDecoder:
    """``decoder(stored_event)`` gives what ``mapper.to_domain_event(stored_event)`` gives."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        self.usable = plain_json(mapper)
        self._names = self._tag_decoders(mapper) if self.usable else {}
        self._classes: dict[tuple[str, type[Any]], tuple[type[Any], int, Decode]] = {}
        self._uuids: dict[str, UUID] = {}
        self._lazy = LazyEvents(self)
        self._headers = HeaderReader(self)

    def _tag_decoders(self, mapper: Mapper[Any]) -> dict[str, Decode]:
        """What decodes each tagged value, by its transcoding's name."""
        transcoder = cast(JSONTranscoder, mapper.transcoder)
        return {name: fast_decode(t, self._uuid) for name, t in transcoder.names.items()}

    def _uuid(self, data: Any) -> UUID:
        # Data that is not a hex string fails in UUID() (or, unhashable, in the lookup):
        # every caller then decodes the event the library's way, which words the error.
        found = self._uuids.get(data)
        if found is None:
            if len(self._uuids) >= _UUID_CACHE_SIZE:
                self._uuids.clear()
            found = self._uuids[data] = UUID(data)
        return found

    def value(self, value: Any) -> Any:
        """One JSON value, converted as the library's object hook converts it (bottom-up)."""
        kind = type(value)
        if kind is dict:
            return self._dict(value)
        if kind is list:
            return self._list(value)
        return value

    def _dict(self, value: dict[str, Any]) -> Any:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            # Most dicts are tagged values: only the data can hold more of them.
            data = value["_data_"]
            kind = type(data)
            if kind is dict:
                data = self._dict(data)
            elif kind is list:
                data = self._list(data)
            # A name that is not a string is not among them (or, unhashable, cannot be looked
            # up): the caller then decodes the library's way, which words the error.
            return self._names[value["_type_"]](data)
        for k, v in value.items():
            kind = type(v)
            if kind is dict:
                value[k] = self._dict(v)
            elif kind is list:
                value[k] = self._list(v)
        return value

    def _list(self, value: list[Any]) -> list[Any]:
        for i, v in enumerate(value):
            kind = type(v)
            if kind is dict:
                value[i] = self._dict(v)
            elif kind is list:
                value[i] = self._list(v)
        return value

    def event_class(self, topic: str, id_type: type[Any]) -> tuple[type[Any], int, Decode]:
        """The event class, its version and how its originator id is converted."""
        found = self._classes.get((topic, id_type))
        if found is None:
            cls = resolve_topic(topic)
            found = self._classes[(topic, id_type)] = (
                cls,
                getattr(cls, "class_version", 1),
                find_id_convertor(cast(Hashable, cls), cast(Hashable, id_type)),
            )
        return found

    def __call__(self, stored: StoredEvent) -> Any:
        return self.decode(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )

    def decode(self, originator_id: Any, originator_version: int, topic: str, data: Any) -> Any:
        """The same, from a stored event's parts (a row read as a tuple)."""
        if not self.usable:
            return self._by_library(originator_id, originator_version, topic, data)
        try:
            state = self.value(orjson.loads(data))
            if type(state) is not dict:
                raise TypeError("event state is not a JSON object")
        except Exception:
            # The library decides (and words the error) for anything unusual.
            return self._by_library(originator_id, originator_version, topic, data)
        cls, class_version, convert_id = self.event_class(topic, type(originator_id))
        state["originator_id"] = convert_id(originator_id)
        state["originator_version"] = originator_version
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _by_library(
        self, originator_id: Any, originator_version: int, topic: str, data: Any
    ) -> Any:
        return self.mapper.to_domain_event(
            StoredEvent(originator_id, originator_version, topic, bytes(data))
        )

    def lazy(
        self, position: int, originator_id: Any, originator_version: int, topic: str, data: Any
    ) -> Any:
        """The event ``decode`` would give, as a :class:`~infrastructure.lazy_events.LazyEvent`:
        an instance of the event's class whose fields are converted when first read, so what
        no projection reads costs nothing but its parsing. The fields read of an earlier
        event of its class are converted here, from the parsed state, which is then let go:
        the rest are parsed again if ever read. ``position`` names the event if a field
        turns out not to be decodable.

        Anything unusual — the decoder not usable, JSON that is not an object, a state of
        an older class version (upcast as the mapper does), a field read before that this
        event lacks or cannot convert — is decoded whole (the library deciding)."""
        return self._lazy.event(position, originator_id, originator_version, topic, data)

    def header(
        self, originator_id: Any, originator_version: int, topic: str, data: Any
    ) -> EventHeader:
        """``EventHeader.of(decode(...))`` without decoding the whole event: only the state's
        ``timestamp`` and ``actor`` are read, and a UTC timestamp already in ``iso``'s form is
        kept as it was written. A state laid out as ours are is read by
        :func:`~infrastructure.header_reading.header_parts`
        without parsing; any other goes through orjson and the transcodings, and anything
        unusual the long way, so the two agree.

        The rest of the state is not parsed: an event whose header reads but whose body is
        damaged gets its header here, and the projections that read its body stop on it."""
        return self._headers.header(originator_id, originator_version, topic, data)
