"""A seal: a signed statement of the hash-chain head at one log position.

The signature is made outside the domain (the key never enters the event store); the
seal records what was signed so anyone holding the public key can check it later.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import rule_violation
from domain.values import Actor

T = "volunteer-ledger:ChainSeal"
_SEAL_NAMESPACE = uuid5(NAMESPACE_URL, "urn:volunteer-ledger:seal")
SEALED_TOPIC = f"{T}.Sealed"


def seal_id(position: int) -> UUID:
    """The id seals recorded before ``successor_id`` had: one per sealed position."""
    return uuid5(_SEAL_NAMESPACE, str(position))


def successor_id(previous_sealed_position: int) -> UUID:
    """The id of the seal that follows the one pinning ``previous_sealed_position`` (0: the
    first seal). Two seals decided against the same previous seal get the same id, so the
    store records one and refuses the other as a conflict: seals cannot race past each
    other into the log out of order, on any store and across processes."""
    return uuid5(_SEAL_NAMESPACE, f"after {previous_sealed_position}")


def seal_message(position: int, head_hash: str) -> bytes:
    """The exact bytes a seal's signature covers (position and chain head, tagged)."""
    return f"volunteer-ledger chain seal v1\nposition {position}\nhead {head_hash}\n".encode()


def _require_hex(name: str, value: str, length: int | None = None) -> None:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise rule_violation("seal-format", f"{name} must be hexadecimal") from None
    if length is not None and len(raw) != length:
        raise rule_violation("seal-format", f"{name} must be {length} bytes, not {len(raw)}")


class ChainSeal(Aggregate):
    TOPIC = T

    class Created(Aggregate.Created):
        TOPIC = f"{T}.Created"

    @event("Sealed", topic=SEALED_TOPIC)
    def __init__(
        self,
        sealed_position: int,
        head_hash: str,
        signature: str,
        key_id: str,
        algorithm: str,
        actor: Actor,
    ) -> None:
        self.sealed_position = sealed_position
        self.head_hash = head_hash
        self.signature = signature
        self.key_id = key_id
        self.algorithm = algorithm

    @classmethod
    def create_id(cls, sealed_position: int, **_: object) -> UUID:
        return seal_id(sealed_position)

    @classmethod
    def seal(
        cls,
        *,
        sealed_position: int,
        head_hash: str,
        signature: str,
        key_id: str,
        algorithm: str,
        actor: Actor,
        previous_sealed_position: int,
    ) -> ChainSeal:
        """A seal following the last one recorded, which pinned ``previous_sealed_position``
        (0 when there is none): it must pin a later position."""
        if sealed_position < 1:
            raise rule_violation("seal-position", "only a position that holds an event is sealed")
        if sealed_position <= previous_sealed_position:
            raise rule_violation(
                "seal-order",
                f"position {sealed_position} is not after {previous_sealed_position}, which the "
                "last seal pinned: a seal pins a later position than the one before it",
            )
        _require_hex("head_hash", head_hash, 32)
        _require_hex("signature", signature)
        _require_hex("key_id", key_id)
        return cls.with_id(
            successor_id(previous_sealed_position),
            sealed_position=sealed_position,
            head_hash=head_hash,
            signature=signature,
            key_id=key_id,
            algorithm=algorithm,
            actor=actor,
        )

    @classmethod
    def with_id(cls, seal_id: UUID, **fields: object) -> ChainSeal:
        """A seal with the given id (``create_id`` derives one from the sealed position)."""
        sealed = cls.Sealed  # type: ignore[attr-defined]  # made by @event("Sealed") on __init__
        return cls._create(event_class=sealed, id=seal_id, **fields)
