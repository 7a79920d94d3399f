"""Cheap copies of aggregates for the repository's cache.

Every value an aggregate holds is immutable (frozen dataclasses, enums, UUIDs, dates,
decimals, strings, tuples) or a container of such values, so copying the containers is
a complete copy: a command that fails half-way never touches the cached original.
"""

from __future__ import annotations

from typing import Any


class CopiedOnLoad:
    """Mixin: ``copy.deepcopy`` copies containers one level deep and shares immutable values."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copied = object.__new__(type(self))
        copied.__dict__.update({name: _copy(value) for name, value in self.__dict__.items()})
        return copied


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, set):
        return set(value)
    return value
