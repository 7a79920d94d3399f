"""Commands for insurance the office buys (see :mod:`application.commands`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordGroupPolicy:
    """``members``: the volunteers insured, ``None`` for one the caller could not identify
    (a national id no one holds), with the reason in ``unidentified`` under its index."""

    policy_number: str
    insurer: str
    covers_from: date
    covers_to: date
    sum_insured: Decimal
    members: list[UUID | None]
    unidentified: dict[int, str] = field(default_factory=dict)
