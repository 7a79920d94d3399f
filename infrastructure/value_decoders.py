"""Fast decoders of the transcoded values in our events: one function per transcoding,
giving what the transcoding's own ``decode`` gives.

UUIDs, datetimes, dates, decimals and enums are converted by direct calls, frozen values
that recur (amounts, dates, categories, activity windows) are made once per written form
(bounded), and plain dataclasses are built without their generated ``__init__``. Any
other transcoding decodes as it always does. :class:`~infrastructure.decoding.FastDecoder`
uses these; ``tests/integration/test_fast_decoding.py`` checks the results are equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, Transcoding, UUIDAsHex

from infrastructure.transcodings import (
    CategoryAsCode,
    DataclassAsDict,
    DateAsISO,
    EnumAsValue,
    IntervalAsPair,
)

Decode = Callable[[Any], Any]

# Frozen values that recur: one instance per written form, up to a bound each.
_VALUE_CACHE_SIZE = 50_000


def fast_decode(transcoding: Transcoding, uuid: Decode) -> Decode:
    """What decodes ``transcoding``'s data (``uuid`` for UUIDs: the decoder keeps them)."""
    fast = _FAST.get(type(transcoding))
    return transcoding.decode if fast is None else fast(transcoding, uuid)


# How each transcoding's data is decoded fast, by the transcoding's exact type.
_FAST: dict[type[Transcoding], Callable[[Any, Decode], Decode]] = {
    UUIDAsHex: lambda _, uuid: uuid,
    DatetimeAsISO: lambda _, __: datetime.fromisoformat,
    DecimalAsStr: lambda _, __: _remembered(Decimal),
    DateAsISO: lambda _, __: _remembered(date.fromisoformat),
    CategoryAsCode: lambda t, _: _remembered(t.decode),
    EnumAsValue: lambda t, _: _enum_member(t.type),
    DataclassAsDict: lambda t, _: _dataclass_maker(t.type, t.decode) or t.decode,
    IntervalAsPair: lambda t, _: _interval(t.type) or t.decode,
}


def _enum_member(enum_type: type[Enum]) -> Decode:
    members = enum_type._value2member_map_

    def member(data: Any) -> Any:
        try:
            return members[data]
        except (KeyError, TypeError):
            return enum_type(data)

    return member


def _interval(cls: type[Any]) -> Decode | None:
    """An interval from its ``[start, end]`` pair, made once per pair (an activity's
    window comes back in every sign-up, hours and award); None if ``cls`` is not a plain
    dataclass."""
    make = _dataclass_maker(cls, None)
    if make is None:
        return None
    parse = datetime.fromisoformat
    made: dict[tuple[Any, ...], Any] = {}

    def interval(data: Any) -> Any:
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


def _dataclass_maker(cls: type[Any], otherwise: Decode | None) -> Decode | None:
    """``cls(**data)`` for a dataclass given every field, in order: the instance's ``__dict__``
    set in one step and ``__post_init__`` run (it validates) — without the generated
    ``__init__``, which for a frozen class sets each field through ``object.__setattr__``.

    Any other data goes to ``otherwise`` (the transcoding's own decode, so the error is
    the same). None when ``cls`` is not a plain dataclass this can build (no ``__init__``
    of its own, no slots, no init-only or class variables, the default ``__new__``).
    """
    names = _plain_fields(cls)
    if names is None:
        return None
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


def _plain_fields(cls: type[Any]) -> tuple[str, ...] | None:
    """The field names of a plain dataclass (no ``__init__`` of its own, no slots, no
    init-only or class variables, the default ``__new__``); None for any other class."""
    # Not a dataclass, or one told to write no ``__init__``: none to stand in for.
    if not getattr(getattr(cls, "__dataclass_params__", None), "init", False):
        return None
    fields = dataclasses.fields(cls)
    return tuple(f.name for f in fields) if _built_plainly(cls, fields) else None


def _built_plainly(cls: type[Any], fields: tuple[dataclasses.Field[Any], ...]) -> bool:
    """No slots, the default ``__new__``, and ``fields`` (the dataclass's own) all of them,
    all set by ``__init__`` (no class or init-only variables)."""
    return (
        "__slots__" not in vars(cls)
        and cls.__new__ is object.__new__  # type: ignore[comparison-overlap]
        and len(fields) == len(cls.__dataclass_fields__)
        and all(f.init for f in fields)
    )
