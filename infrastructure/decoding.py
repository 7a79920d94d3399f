"""A faster way to turn stored events into domain events, for reading the log in bulk.

The library's mapper parses JSON with a Python ``object_hook`` and calls a transcoding
object for every tagged value; catching up a read model spends more time there than
anywhere else. This decoder produces the same objects: it parses with orjson, turns the
library's ``{"_type_": name, "_data_": data}`` dicts into values bottom-up exactly as the
hook does (each tagged value by its transcoding's fast decoder,
:mod:`infrastructure.value_decoders`), and builds the event the way the mapper
does (``object.__new__`` and the state as ``__dict__``, upcasting old class versions).

For the projection runner it gives each event lazily (:meth:`FastDecoder.lazy`): an
instance of the event's class whose fields are converted the first time a projection
reads them, so catching up converts what the projections read and nothing else, and a
projection reads its events as it would read the library's.

Anything it is unsure of (a cipher or compressor, a transcoder that is not the JSON
one, JSON that orjson refuses, an unknown name) goes to the library's mapper, so errors
are the library's own. ``tests/integration/test_fast_decoding.py`` checks the two give
equal events, value types included, every field read lazily too, for every event of a
demo history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from datetime import datetime
from typing import Any, ClassVar, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, find_id_convertor
from eventsourcing.utils import resolve_topic

from application.readmodel.base import EventHeader
from application.readmodel.replay import UndecodableEvent
from application.readmodel.values import iso
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
        self._lazy_classes: dict[type[Any], type[Any]] = {}
        self._lazy_topics: dict[str, tuple[type[Any], int, Decode, type[Any], list[str]]] = {}

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

    def lazy(
        self, position: int, originator_id: Any, originator_version: int, topic: str, data: Any
    ) -> Any:
        """The event ``decode`` would give, as a :class:`LazyEvent`: an instance of the
        event's class whose fields are converted when first read, so what no projection
        reads costs nothing but its parsing. The fields read of an earlier event of its
        class are converted here, from the parsed state, which is then let go: the rest are
        parsed again if ever read. ``position`` names the event if a field turns out not
        to be decodable.

        Anything unusual — the decoder not usable, JSON that is not an object, a state of
        an older class version (upcast as the mapper does), a field read before that this
        event lacks or cannot convert — is decoded whole (the library deciding)."""
        if self.usable:
            try:
                found = self._lazy_topics.get(topic)
                if found is None or found[0] is not type(originator_id):
                    found = self._lazy_class(topic, type(originator_id))
                _, class_version, convert_id, lazy_class, read = found
                state = orjson.loads(data)
                if state.pop("class_version", 1) == class_version:
                    values = {
                        "originator_id": convert_id(originator_id),
                        "originator_version": originator_version,
                    }
                    convert = self._value
                    for name in read:
                        value = state[name]
                        kind = type(value)
                        values[name] = convert(value) if kind is dict or kind is list else value
                    event = _new(lazy_class)
                    _set_raw(event, (position, originator_id, originator_version, data))
                    _setattr(event, "__dict__", values)
                    return event
            except Exception:
                pass
        return self.decode(originator_id, originator_version, topic, data)

    def _lazy_class(
        self, topic: str, id_type: type[Any]
    ) -> tuple[type[Any], int, Decode, type[Any], list[str]]:
        """For events of ``topic``: the originator id's type, the class's version, how its
        originator id is converted, its :class:`LazyEvent` subclass (an instance of the
        event class, ``TOPIC`` its own) and the fields read so far of its instances."""
        cls, class_version, convert_id = self._class(topic, id_type)
        lazy_class = self._lazy_classes.get(cls)
        if lazy_class is None:
            fields = {f.name: _LazyField(f.name) for f in dataclasses.fields(cls)}
            for name in ("originator_id", "originator_version"):
                fields.pop(name)  # converted when the event is made
            lazy_class = self._lazy_classes[cls] = type(
                cls.__name__,
                (LazyEvent, cls),
                {
                    "__qualname__": cls.__qualname__,
                    "__module__": cls.__module__,
                    "TOPIC": cls.TOPIC,
                    "_event_class": cls,
                    "_decoder": self,
                    "_read": [],
                    **fields,
                },
            )
        found = self._lazy_topics[topic] = (
            id_type,
            class_version,
            convert_id,
            lazy_class,
            lazy_class._read,
        )
        return found

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


class LazyEvent:
    """Mixed into a subclass of each event class by :meth:`FastDecoder.lazy`: an event
    whose fields are converted (as the library's mapper converts them) when first read,
    then kept as ordinary attributes. A handler reads it as it reads any event; a field the
    event's class lacks raises ``AttributeError`` as it would.

    A field read once is converted up front in the events of its class decoded after, as
    what one projection reads of an event it reads of the next one: catching up converts
    what the projections read and no more, without being told what that is."""

    __slots__ = ("_raw",)  # (position, originator id as stored, its version, stored state)
    # Set on each subclass by ``FastDecoder._lazy_class``.
    _event_class: ClassVar[type[Any]]
    _decoder: ClassVar[FastDecoder]
    _read: ClassVar[list[str]]  # the fields read so far (converted up front from now on)

    def _decoded(self, name: str) -> Any:
        """``name`` of the event decoded whole (the library's way for anything unusual); an
        event that cannot be decoded raises :class:`UndecodableEvent`, naming its position,
        as the runner's log reader does for one whose state does not even parse."""
        position, originator_id, originator_version, data = self._raw  # type: ignore[attr-defined]
        topic = self._event_class.TOPIC
        try:
            event = self._decoder.decode(originator_id, originator_version, topic, data)
        except Exception as e:
            raise UndecodableEvent(position, topic, e) from e
        return getattr(event, name)


class _LazyField:
    """A field of a :class:`LazyEvent` not converted yet: converted when read (from the
    stored state, parsed again) and held in the instance's ``__dict__``, which Python reads
    before this (a non-data descriptor)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, event: Any, owner: Any = None) -> Any:
        if event is None:
            return self
        name = self.name
        try:
            value = orjson.loads(event._raw[3])[name]
            kind = type(value)
            if kind is dict or kind is list:
                value = event._decoder._value(value)
        except Exception:
            value = event._decoded(name)
        else:
            if name not in event._read:
                event._read.append(name)
        event.__dict__[name] = value
        return value


_new = object.__new__
_set_raw = vars(LazyEvent)["_raw"].__set__  # the slot's own setter: the class is frozen
_setattr = object.__setattr__  # the class is frozen, as its event class is
