"""Events whose fields are converted the first time they are read, for the projection
runner: catching up converts what the projections read and nothing else, and a
projection reads its events as it would read the library's.

Each event class gets a :class:`LazyEvent` subclass (an instance of the event class,
``TOPIC`` its own) whose fields are :class:`_LazyField` descriptors. A field read once
is converted up front in the events of its class made after, as what one projection
reads of an event it reads of the next one — without being told what that is.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from application.readmodel.replay import UndecodableEvent
from infrastructure.value_decoders import Decode

if TYPE_CHECKING:
    from infrastructure.decoding import FastDecoder

# For events of one topic (and type of originator id): the class's version, how its
# originator id is converted, its LazyEvent subclass and the fields read so far.
_Topic = tuple[int, Decode, type[Any], list[str]]


class LazyEvents:
    """Makes the lazy events of one :class:`~infrastructure.decoding.FastDecoder`."""

    def __init__(self, decoder: FastDecoder) -> None:
        self._decoder = decoder
        self._classes: dict[type[Any], type[Any]] = {}
        self._topics: dict[tuple[str, type[Any]], _Topic] = {}

    def event(
        self, position: int, originator_id: Any, originator_version: int, topic: str, data: Any
    ) -> Any:
        """See :meth:`FastDecoder.lazy <infrastructure.decoding.FastDecoder.lazy>`."""
        decoder = self._decoder
        if decoder.usable:
            try:
                found = self._topics.get((topic, type(originator_id)))
                if found is None:
                    found = self._topic(topic, type(originator_id))
                state = orjson.loads(data)
                if state.pop("class_version", 1) == found[0]:
                    raw = (position, originator_id, originator_version, data)
                    return self._made(found, state, raw)
            except Exception:
                pass  # decoded whole below: the library decides
        return decoder.decode(originator_id, originator_version, topic, data)

    def _made(self, found: _Topic, state: dict[str, Any], raw: tuple[Any, ...]) -> Any:
        """The lazy event, the fields read of its class before converted from ``state``."""
        _, convert_id, lazy_class, read = found
        values = {"originator_id": convert_id(raw[1]), "originator_version": raw[2]}
        convert = self._decoder.value
        for name in read:
            value = state[name]
            kind = type(value)
            values[name] = convert(value) if kind is dict or kind is list else value
        event = _new(lazy_class)
        _set_raw(event, raw)
        _setattr(event, "__dict__", values)
        return event

    def _topic(self, topic: str, id_type: type[Any]) -> _Topic:
        cls, class_version, convert_id = self._decoder.event_class(topic, id_type)
        lazy_class = self._classes.get(cls)
        if lazy_class is None:
            lazy_class = self._classes[cls] = self._lazy_class(cls)
        found = self._topics[(topic, id_type)] = (
            class_version,
            convert_id,
            lazy_class,
            lazy_class._read,
        )
        return found

    def _lazy_class(self, cls: type[Any]) -> type[Any]:
        """The :class:`LazyEvent` subclass of ``cls``."""
        fields = {f.name: _LazyField(f.name) for f in dataclasses.fields(cls)}
        for name in ("originator_id", "originator_version"):
            fields.pop(name)  # converted when the event is made
        return type(
            cls.__name__,
            (LazyEvent, cls),
            {
                "__qualname__": cls.__qualname__,
                "__module__": cls.__module__,
                "TOPIC": cls.TOPIC,
                "_event_class": cls,
                "_decoder": self._decoder,
                "_read": [],
                **fields,
            },
        )


class LazyEvent:
    """Mixed into a subclass of each event class by :class:`LazyEvents`: an event whose
    fields are converted (as the library's mapper converts them) when first read, then
    kept as ordinary attributes. A handler reads it as it reads any event; a field the
    event's class lacks raises ``AttributeError`` as it would."""

    __slots__ = ("_raw",)  # (position, originator id as stored, its version, stored state)
    # Set on each subclass by ``LazyEvents._lazy_class``.
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
        value = event.__dict__[self.name] = self._converted(event)
        return value

    def _converted(self, event: Any) -> Any:
        """The field converted from ``event``'s stored state, which is parsed again, and
        noted as read: the events of its class made from now on convert it up front, so
        this runs about once per field and class. A field that does not convert is read
        from the event decoded whole."""
        name = self.name
        try:
            value = event._decoder.value(orjson.loads(event._raw[3])[name])
        except Exception:
            return event._decoded(name)
        if name not in event._read:
            event._read.append(name)
        return value


_new = object.__new__
_set_raw = vars(LazyEvent)["_raw"].__set__  # the slot's own setter: the class is frozen
_setattr = object.__setattr__  # the class is frozen, as its event class is
