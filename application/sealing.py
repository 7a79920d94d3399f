"""Recording seals of the hash chain (the signature is made outside, by infrastructure)."""

from __future__ import annotations

from application.base import LedgerBase
from application.commands.sealing import RecordSeal
from application.results import Recorded
from domain.seal import ChainSeal
from domain.values import Actor


class SealCommands(LedgerBase):
    def record_seal(self, cmd: RecordSeal, *, actor: Actor) -> Recorded:
        """Record a signed statement of the chain head at ``cmd.sealed_position``. A seal
        recorded meanwhile by someone else makes this a ``ConcurrencyConflict``: nothing
        recorded."""
        seal = ChainSeal.seal(
            sealed_position=cmd.sealed_position,
            head_hash=cmd.head_hash,
            signature=cmd.signature,
            key_id=cmd.key_id,
            algorithm=cmd.algorithm,
            actor=actor,
            previous_sealed_position=cmd.previous_sealed_position,
        )
        return self.recorded(seal)
