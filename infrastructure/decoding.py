"""A faster way to turn stored events into domain events, for reading the log in bulk.

The library's mapper parses JSON with a Python ``object_hook`` and calls a transcoding
object for every tagged value; catching up a read model spends more time there than
anywhere else. This decoder produces the same objects: it parses with orjson, turns the
library's ``{"_type_": name, "_data_": data}`` dicts into values bottom-up exactly as the
hook does (each tagged value by its transcoding's fast decoder,
:mod:`infrastructure.value_decoders`), and builds the event the way the mapper
does (``object.__new__`` and the state as ``__dict__``, upcasting old class versions).

Anything it is unsure of (a cipher or compressor, a transcoder that is not the JSON
one, JSON that orjson refuses, an unknown name) goes to the library's mapper, so errors
are the library's own. ``tests/integration/test_fast_decoding.py`` checks the two give
equal events, value types included, for every event of a demo history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, find_id_convertor
from eventsourcing.utils import resolve_topic

from application.readmodel.base import ALWAYS_READ, EventHeader, iso
from infrastructure.header_reading import canonical_utc, header_parts
from infrastructure.value_decoders import Decode, fast_decode

# UUIDs repeat (volunteers, activities, teams): one immutable instance per hex string,
# up to a bound, saves parsing them again.
_UUID_CACHE_SIZE = 200_000


class FastDecoder:
    """``decoder(stored_event)`` gives what ``mapper.to_domain_event(stored_event)`` gives."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        self.usable = (
            mapper.cipher is None
            and mapper.compressor is None
            and type(transcoder) is JSONTranscoder
        )
        self._names: dict[str, Decode] = {}
        if isinstance(transcoder, JSONTranscoder):
            for name, transcoding in transcoder.names.items():
                self._names[name] = fast_decode(transcoding, self._uuid)
        self._classes: dict[tuple[str, type[Any]], tuple[type[Any], int, Decode]] = {}
        self._uuids: dict[str, UUID] = {}

    def _uuid(self, data: Any) -> UUID:
        found = self._uuids.get(data)
        if found is None:
            if not isinstance(data, str):
                raise TypeError(f"a UUID is encoded as a hex string, not {data!r}")
            if len(self._uuids) >= _UUID_CACHE_SIZE:
                self._uuids.clear()
            found = self._uuids[data] = UUID(data)
        return found

    def _value(self, value: Any) -> Any:
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
            name = value["_type_"]
            if type(name) is not str:
                raise TypeError(f"a transcoding name is a string, not {name!r}")
            return self._names[name](data)
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

    def _class(self, topic: str, id_type: type[Any]) -> tuple[type[Any], int, Decode]:
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
            return self.mapper.to_domain_event(
                StoredEvent(originator_id, originator_version, topic, bytes(data))
            )
        try:
            state = self._value(orjson.loads(data))
            if type(state) is not dict:
                raise TypeError("event state is not a JSON object")
        except Exception:
            # The library decides (and words the error) for anything unusual.
            return self.mapper.to_domain_event(
                StoredEvent(originator_id, originator_version, topic, bytes(data))
            )
        cls, class_version, convert_id = self._class(topic, type(originator_id))
        state["originator_id"] = convert_id(originator_id)
        state["originator_version"] = originator_version
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def view(self, topic: str, fields: frozenset[str]) -> Callable[[Any, int, str, Any], Any]:
        """A ``decode`` for events of ``topic`` giving only ``fields`` of each (and its
        originator's id and version), as an :class:`EventView`: the projections of a runner
        that all declare what they read of it are given these. The rest of the state is
        parsed but not converted (the fields of the largest events that catch-up reads the
        most are a third of them, and converting was most of decoding).

        A state laid out otherwise (a field missing, an older class version) is decoded
        whole, the library deciding anything unusual, and the fields taken from the event:
        the values are always those of the decoded event. A damaged field no projection of
        the runner reads goes unnoticed here; the projections that read it stop on it."""
        cls, class_version, _ = self._class(topic, UUID)
        # A field the class lacks (a header's actor, for an event recorded by no one) is
        # left out, as ``getattr`` of the event would find none.
        names = tuple(sorted((fields - ALWAYS_READ) & {f.name for f in dataclasses.fields(cls)}))
        view_class = type(f"{cls.__name__}View", (EventView,), {"TOPIC": topic})
        fast = self.usable
        # The state of an event of the class's own version (version 1 writes none) is laid
        # out as the class is; an older one is upcast by a whole decode.
        current = None if class_version == 1 else class_version
        convert = self._value
        new = object.__new__

        def decode(originator_id: Any, originator_version: int, topic: str, data: Any) -> Any:
            values: dict[str, Any] | None = None
            if fast:
                try:
                    state = orjson.loads(data)
                    if state.get("class_version") == current:
                        values = {
                            "originator_id": self._class(topic, type(originator_id))[2](
                                originator_id
                            ),
                            "originator_version": originator_version,
                        }
                        for name in names:
                            value = state[name]
                            kind = type(value)
                            values[name] = convert(value) if kind is dict or kind is list else value
                except Exception:
                    values = None
            if values is None:
                event = self.decode(originator_id, originator_version, topic, data)
                values = {name: getattr(event, name) for name in (*ALWAYS_READ, *names)}
            found: Any = new(view_class)
            found.__dict__ = values
            return found

        return decode

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
        if self.usable:
            try:
                parts = header_parts(data)
                if parts is None:
                    written, actor_id, role, correlation_id, request_id = self._parsed_header(data)
                else:
                    written, actor_id, role, correlation_id, request_id = parts
                parsed = datetime.fromisoformat(written)  # validates it, as decoding would
                _, _, convert_id = self._class(topic, type(originator_id))
                return EventHeader(
                    topic,
                    convert_id(originator_id),
                    originator_version,
                    written if canonical_utc(written) else iso(parsed),
                    actor_id,
                    role,
                    correlation_id,
                    request_id,
                )
            except Exception:
                pass
        return EventHeader.of(self.decode(originator_id, originator_version, topic, data))

    def _parsed_header(
        self, data: Any
    ) -> tuple[str, str | None, str | None, str | None, str | None]:
        state = orjson.loads(data)
        stamp = state["timestamp"]
        if type(stamp) is not dict or stamp.get("_type_") != "datetime_iso":
            raise TypeError("not an ISO timestamp")
        actor = state.get("actor")
        if actor is None:
            return stamp["_data_"], None, None, None, None
        actor = self._value(actor)
        return (
            stamp["_data_"],
            actor.user_id,
            actor.role._value_,
            actor.correlation_id,
            actor.request_id,
        )


class EventView:
    """Some fields of an event (see ``FastDecoder.view``), read as its attributes; ``TOPIC``
    is the event's. Reading a field that was not decoded raises ``AttributeError``, naming
    it: a handler reading more than it declared fails loudly, never reads a default."""

    TOPIC: str

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"{self.TOPIC} was decoded in part, for projections that declared what they "
            f"read of it: {name!r} is not among {sorted(self.__dict__)}"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"
