"""Sealing the chain head: the chain is checked from the last seal up to the position,
its head signed with the seal key, and the seal recorded as an event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.commands.sealing import RecordSeal
from application.ledger import VolunteerLedger
from application.results import Recorded
from domain.errors import rule_violation
from domain.values import Actor
from infrastructure.audit import chained, verify_chain
from infrastructure.chain import ChainedRecorder, Link
from infrastructure.seal_events import Seal, read_seals
from infrastructure.sealing import ALGORITHM, key_id, sign


@dataclass(frozen=True)
class SealResult:
    recorded: Recorded
    sealed_position: int
    head_hash: str
    signature: str
    key_id: str


def seal_chain(
    ledger: VolunteerLedger,
    key: Any,
    actor: Actor,
    *,
    position: int | None = None,
    trusted: Mapping[str, Ed25519PublicKey] | None = None,
) -> SealResult:
    """Check the chain (from the last seal) up to ``position``, then sign and record a seal.

    A position beyond the head, or at or before the last seal's, is refused before anything
    is signed; a seal recorded by someone else meanwhile makes this one a conflict."""
    recorder = chained(ledger)
    seals = read_seals(recorder)
    link = _link_to_seal(recorder, position, seals)
    public = key.public_key()
    _check_intact(recorder, link, {**(trusted or {}), key_id(public): public})
    head_hash = link.hash.hex()
    signature = sign(key, link.position, head_hash)
    recorded = ledger.record_seal(
        RecordSeal(
            sealed_position=link.position,
            head_hash=head_hash,
            signature=signature,
            key_id=key_id(public),
            algorithm=ALGORITHM,
            previous_sealed_position=_last_sealed(seals),
        ),
        actor=actor,
    )
    return SealResult(recorded, link.position, head_hash, signature, key_id(public))


def _link_to_seal(recorder: ChainedRecorder, position: int | None, seals: list[Seal]) -> Link:
    """The link at ``position`` (the head when None): a recorded position after the last
    seal's, or a rule violation saying why not."""
    head = _head_reaching(recorder, position)
    link = head if position is None else recorder.chain_head(at=position)
    assert link is not None
    _check_after_last_seal(link, seals)
    if position is not None and link.position != position:
        raise rule_violation(
            "seal-position",
            f"position {position} holds no event (the nearest before is {link.position})",
        )
    return link


def _head_reaching(recorder: ChainedRecorder, position: int | None) -> Link:
    """The chain's head, which ``position`` (when given) is not beyond."""
    head = recorder.chain_head()
    if head is None:
        raise rule_violation("seal-position", "the log is empty: there is nothing to seal")
    if position is not None and position > head.position:
        raise rule_violation(
            "seal-position",
            f"position {position} is beyond the log's head ({head.position}): only a recorded "
            "position is sealed",
        )
    return head


def _last_sealed(seals: list[Seal]) -> int:
    """The position the last seal pinned (0: none yet)."""
    return seals[-1].sealed_position if seals else 0


def _check_intact(
    recorder: ChainedRecorder, link: Link, keys: Mapping[str, Ed25519PublicKey]
) -> None:
    """The chain holds from the last seal up to ``link`` (a rule violation if not)."""
    report = verify_chain(recorder, keys, from_last_seal=True, upto=link.position)
    if not report.ok:
        raise rule_violation(
            "chain-intact",
            f"the chain is broken at position {report.first_broken_position}: "
            f"{report.problem}; it was not sealed",
        )


def _check_after_last_seal(link: Link, seals: list[Seal]) -> None:
    previous = _last_sealed(seals)
    if link.position <= previous:
        raise rule_violation(
            "seal-order",
            f"position {link.position} is not after {previous}, which the last seal (at "
            f"{seals[-1].position}) pinned: a seal pins a later position than the one before it",
        )
