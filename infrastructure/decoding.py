"""A faster way to turn stored events into domain events, for reading the log in bulk.

The library's mapper parses JSON with a Python ``object_hook`` and calls a transcoding
object for every tagged value; catching up a read model spends more time there than
anywhere else. This decoder produces the same objects: it parses with orjson, turns the
library's ``{"_type_": name, "_data_": data}`` dicts into values bottom-up exactly as the
hook does (with direct calls for UUIDs, datetimes, dates, decimals and enums, and the
registered transcoding for everything else), and builds the event the way the mapper
does (``object.__new__`` and the state as ``__dict__``, upcasting old class versions).

Anything it is unsure of (a cipher or compressor, a transcoder that is not the JSON
one, JSON that orjson refuses, an unknown name) goes to the library's mapper, so errors
are the library's own. ``tests/integration/test_fast_decoding.py`` checks the two give
equal events, value types included, for every event of a demo history.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Hashable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from application.readmodel.base import ALWAYS_READ, EventHeader, iso
from domain.values import Role
from infrastructure.transcodings import (
    CategoryAsCode,
    DataclassAsDict,
    DateAsISO,
    EnumAsValue,
    IntervalAsPair,
)

Decode = Callable[[Any], Any]

# UUIDs repeat (volunteers, activities, teams): one immutable instance per hex string,
# up to a bound, saves parsing them again.
_UUID_CACHE_SIZE = 200_000
# Frozen values that recur (amounts, dates, categories, activity windows): one instance
# per written form, up to a bound each.
_VALUE_CACHE_SIZE = 50_000


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
                self._names[name] = self._fast(transcoding)
        self._classes: dict[tuple[str, type[Any]], tuple[type[Any], int, Decode]] = {}
        self._uuids: dict[str, UUID] = {}

    def _fast(self, transcoding: Transcoding) -> Decode:
        kind = type(transcoding)
        if kind is UUIDAsHex:
            return self._uuid
        if kind is DatetimeAsISO:
            return datetime.fromisoformat
        if kind is DecimalAsStr:
            return _remembered(Decimal)
        if kind is DateAsISO:
            return _remembered(date.fromisoformat)
        if kind is CategoryAsCode:
            return _remembered(transcoding.decode)
        if kind is EnumAsValue:
            enum_type = cast(type[Enum], transcoding.type)
            members = enum_type._value2member_map_

            def member(data: Any) -> Any:
                try:
                    return members[data]
                except (KeyError, TypeError):
                    return enum_type(data)

            return member
        if kind is DataclassAsDict:
            return _dataclass_maker(transcoding.type, transcoding.decode) or transcoding.decode
        if kind is IntervalAsPair:
            make = _dataclass_maker(transcoding.type, None)
            if make is not None:
                parse = datetime.fromisoformat

                made: dict[tuple[Any, ...], Any] = {}

                def interval(data: Any) -> Any:
                    # An activity's window comes back in every sign-up, hours and award.
                    key = tuple(data) if type(data) is list else None
                    found = made.get(key) if key is not None else None
                    if found is None:
                        found = make({"start": parse(data[0]), "end": parse(data[1])})
                        if key is not None:
                            if len(made) >= _VALUE_CACHE_SIZE:
                                made.clear()
                            made[key] = found
                    return found

                return interval
        return transcoding.decode

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
        kept as it was written. A state laid out as ours are is read by :func:`_header_parts`
        without parsing; any other goes through orjson and the transcodings, and anything
        unusual the long way, so the two agree.

        The rest of the state is not parsed: an event whose header reads but whose body is
        damaged gets its header here, and the projections that read its body stop on it."""
        if self.usable:
            try:
                parts = _header_parts(data)
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
                    written if _canonical_utc(written) else iso(parsed),
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


# How our events' states begin and end: the library writes ``__dict__`` in order, compact,
# so the timestamp is the first key and the actor (a field of every command's event) the
# last, or the last but the ``class_version`` the library adds after it (from version 2). Parsing a whole state cost more than everything else the audit trail does with an
# event; these read the two ends as ``datetime_iso``, ``actor`` and ``role`` write them.
_STAMP = re.compile(rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([0-9T:. +-]+)"\},')
_ACTOR_KEY = b',"actor":'
_ACTOR = re.compile(
    rb',"actor":\{"_type_":"actor","_data_":\{"user_id":"([^"\\\x00-\x1f]+)",'
    rb'"role":\{"_type_":"role","_data_":"([a-z_]+)"\},'
    rb'"correlation_id":"([^"\\\x00-\x1f]*)"'
    rb'(?:,"request_id":"([^"\\\x00-\x1f]*)")?\}\}'  # absent before request ids were kept
    rb'(?:,"class_version":[0-9]+)?\}\Z'  # the library writes it after the actor (version 2+)
)
_ROLES = frozenset(role.value for role in Role)


def _header_parts(data: Any) -> tuple[str, str, str, str, str] | None:
    """(timestamp as written, actor id, role, correlation id, request id) of a state laid out as ours
    are, read without parsing the rest; None for any other layout, or an actor that
    decoding would refuse (an unknown role, a blank id).

    Sound for any well-formed JSON object without repeated keys (which ``json.dumps`` of a
    dict cannot write): ``,"actor":`` cannot occur inside a string (its quotes are
    unescaped), so it opens a key; when the actor's value ends the text with the final
    ``}``, that key is the outer object's, and its last. The strings matched hold no
    escapes and no control characters, so their bytes are their text."""
    if type(data) is not bytes:
        data = bytes(data)
    stamp = _STAMP.match(data)
    if stamp is None:
        return None
    actor = _ACTOR.match(data, data.rfind(_ACTOR_KEY))
    if actor is None:
        return None
    user_id, role = actor[1].decode(), actor[2].decode()
    if role not in _ROLES or not user_id.strip():
        return None
    request_id = actor[4].decode() if actor[4] is not None else ""
    return stamp[1].decode(), user_id, role, actor[3].decode(), request_id


def _remembered(convert: Decode) -> Decode:
    """``convert`` for string data, remembering its results (bounded): for immutable values
    that recur across events (amounts, dates, categories). Other data is converted afresh."""
    made: dict[str, Any] = {}

    def remembered(data: Any) -> Any:
        if type(data) is not str:
            return convert(data)
        found = made.get(data)
        if found is None:
            found = convert(data)
            if len(made) >= _VALUE_CACHE_SIZE:
                made.clear()
            made[data] = found
        return found

    return remembered


def _canonical_utc(stamp: str) -> bool:
    """Whether ``iso(datetime.fromisoformat(stamp)) == stamp`` without computing it: the
    form ``isoformat`` gives a UTC time (seconds, or a non-zero microsecond fraction)."""
    n = len(stamp)
    return (
        (n == 25 or (n == 32 and stamp[19] == "." and stamp[20:26] != "000000"))
        and stamp[10] == "T"
        and stamp.endswith("+00:00")
    )


def _dataclass_maker(cls: type[Any], otherwise: Decode | None) -> Decode | None:
    """``cls(**data)`` for a dataclass given every field, in order: the instance's ``__dict__``
    set in one step and ``__post_init__`` run (it validates) — without the generated
    ``__init__``, which for a frozen class sets each field through ``object.__setattr__``.

    Any other data goes to ``otherwise`` (the transcoding's own decode, so the error is
    the same). None when ``cls`` is not a plain dataclass this can build (no ``__init__``
    of its own, no slots, no init-only or class variables, the default ``__new__``).
    """
    params = getattr(cls, "__dataclass_params__", None)
    fields = dataclasses.fields(cls) if params is not None else ()
    plain = (
        params is not None
        and params.init
        and "__slots__" not in vars(cls)
        and cls.__new__ is object.__new__  # type: ignore[comparison-overlap]
        and len(fields) == len(cls.__dataclass_fields__)
        and all(f.init for f in fields)
    )
    if not plain:
        return None
    names = tuple(f.name for f in fields)
    post_init = getattr(cls, "__post_init__", None)
    new = object.__new__

    def make(data: Any) -> Any:
        if type(data) is dict and tuple(data) == names:
            obj = new(cls)
            obj.__dict__.update(data)
            if post_init is not None:
                post_init(obj)
            return obj
        if otherwise is None:
            return cls(**data)
        return otherwise(data)

    return make
