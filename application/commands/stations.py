"""Commands for the stations register (see :mod:`application.commands` for the convention)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.values import StationLevel


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterStation:
    """A village station names its township station as ``parent_id``."""

    name: str
    level: StationLevel
    township: str
    parent_id: UUID | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RenameStation:
    station_id: UUID
    name: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CloseStation:
    station_id: UUID
    reason: str
    expected_version: int | None = None
