"""Commands for seals of the hash chain (see :mod:`application.commands`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordSeal:
    """A signed statement of the chain head at ``sealed_position`` (signed outside, by
    infrastructure), following the last seal, which pinned ``previous_sealed_position``
    (0 for none)."""

    sealed_position: int
    head_hash: str
    signature: str
    key_id: str
    algorithm: str
    previous_sealed_position: int
