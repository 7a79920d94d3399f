"""Reading an event's header (its time and actor) from the stored state without parsing
the rest, for the audit trail's projection (:class:`HeaderReader`), falling back to a
whole decode whenever the state is laid out otherwise."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from application.readmodel.base import EventHeader
from application.readmodel.values import iso
from domain.values import Role

if TYPE_CHECKING:
    from infrastructure.decoding import FastDecoder

# (timestamp as written, actor id, role, correlation id, request id)
_Parts = tuple[str, str | None, str | None, str | None, str | None]

# How our events' states begin and end: the library writes ``__dict__`` in order, compact,
# so the timestamp is the first key and the actor (a field of every command's event) the
# last, or the last but the ``class_version`` the library adds after it (from version 2).
# These read the two ends as ``datetime_iso``, ``actor`` and ``role`` write them; the
# role is one of :class:`Role`'s values, as decoding requires.
_STAMP = re.compile(rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([0-9T:. +-]+)"\},')
_ACTOR_KEY = b',"actor":'
_ROLE_VALUES = b"|".join(re.escape(role.value.encode()) for role in Role)
_ACTOR = re.compile(
    rb',"actor":\{"_type_":"actor","_data_":\{"user_id":"([^"\\\x00-\x1f]+)",'
    rb'"role":\{"_type_":"role","_data_":"(' + _ROLE_VALUES + rb')"\},'
    rb'"correlation_id":"([^"\\\x00-\x1f]*)"'
    rb'(?:,"request_id":"([^"\\\x00-\x1f]*)")?\}\}'  # absent before request ids were kept
    rb'(?:,"class_version":[0-9]+)?\}\Z'  # the library writes it after the actor (version 2+)
)


def header_parts(data: Any) -> tuple[str, str, str, str, str] | None:
    """(timestamp as written, actor id, role, correlation id, request id) of a state laid
    out as ours are, read without parsing the rest; None for any other layout, or an
    actor that decoding would refuse (an unknown role, a blank id).

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
    user_id, role, correlation_id, request_id = actor.groups(b"")  # b"": no request id
    user = user_id.decode()
    if not user.strip():
        return None
    return stamp[1].decode(), user, role.decode(), correlation_id.decode(), request_id.decode()


def canonical_utc(stamp: str) -> bool:
    """Whether ``iso(datetime.fromisoformat(stamp)) == stamp`` without computing it: the
    form ``isoformat`` gives a UTC time (seconds, or a non-zero microsecond fraction)."""
    n = len(stamp)
    return (
        (n == 25 or (n == 32 and stamp[19] == "." and stamp[20:26] != "000000"))
        and stamp[10] == "T"
        and stamp.endswith("+00:00")
    )


class HeaderReader:
    """Reads headers for one :class:`~infrastructure.decoding.FastDecoder`."""

    def __init__(self, decoder: FastDecoder) -> None:
        self._decoder = decoder

    def header(
        self, originator_id: Any, originator_version: int, topic: str, data: Any
    ) -> EventHeader:
        """See :meth:`FastDecoder.header <infrastructure.decoding.FastDecoder.header>`."""
        decoder = self._decoder
        if decoder.usable:
            try:
                written, actor_id, role, correlation_id, request_id = self._parts(data)
                parsed = datetime.fromisoformat(written)  # validates it, as decoding would
                _, _, convert_id = decoder.event_class(topic, type(originator_id))
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
                pass  # decoded whole below: the library decides
        return EventHeader.of(decoder.decode(originator_id, originator_version, topic, data))

    def _parts(self, data: Any) -> _Parts:
        """A state laid out as ours are is read without parsing; any other through orjson
        and the transcodings."""
        parts = header_parts(data)
        return self._parsed(data) if parts is None else parts

    def _parsed(self, data: Any) -> _Parts:
        state = orjson.loads(data)
        stamp = state["timestamp"]  # one that is not an object has no ``get``: falls back
        if stamp.get("_type_") != "datetime_iso":
            raise TypeError("not an ISO timestamp")
        actor = state.get("actor")
        if actor is None:
            return stamp["_data_"], None, None, None, None
        actor = self._decoder.value(actor)
        return (
            stamp["_data_"],
            actor.user_id,
            actor.role._value_,
            actor.correlation_id,
            actor.request_id,
        )
