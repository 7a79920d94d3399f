"""Recording seals of the hash chain (the signature is made outside, by infrastructure)."""

from __future__ import annotations

from application.base import LedgerBase
from application.results import Recorded
from domain.seal import ChainSeal
from domain.values import Actor


class SealCommands(LedgerBase):
    def record_seal(
        self,
        *,
        sealed_position: int,
        head_hash: str,
        signature: str,
        key_id: str,
        algorithm: str,
        actor: Actor,
        previous_sealed_position: int,
    ) -> Recorded:
        """Record a signed statement of the chain head at ``sealed_position``, following the
        last seal (which pinned ``previous_sealed_position``; 0 for none). A seal recorded
        meanwhile by someone else makes this a ``ConcurrencyConflict``: nothing recorded."""
        seal = ChainSeal.seal(
            sealed_position=sealed_position,
            head_hash=head_hash,
            signature=signature,
            key_id=key_id,
            algorithm=algorithm,
            actor=actor,
            previous_sealed_position=previous_sealed_position,
        )
        return self.recorded(seal)
