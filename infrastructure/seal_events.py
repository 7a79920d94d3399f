"""Seal events as stored, read in log order, and the checks of their signatures, keys
and order that need no chain (the hash each one pinned is checked against the chain by
:func:`infrastructure.audit.verify_chain`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder

from domain.seal import SEALED_TOPIC
from infrastructure.chain import ChainedRecorder
from infrastructure.sealing import ALGORITHM, signature_holds


@dataclass(frozen=True)
class Seal:
    """A seal event as stored: where it is, what it pinned, and the signature."""

    position: int
    sealed_position: int
    head_hash: str
    signature: str
    key_id: str
    algorithm: str

    @classmethod
    def from_state(cls, position: int, state: bytes) -> Seal:
        data = json.loads(state)
        return cls(
            position=position,
            sealed_position=int(data["sealed_position"]),
            head_hash=str(data["head_hash"]),
            signature=str(data["signature"]),
            key_id=str(data["key_id"]),
            algorithm=str(data.get("algorithm", "")),
        )


@dataclass
class SealCheck:
    position: int
    sealed_position: int
    key_id: str
    ok: bool
    problem: str | None = None


def read_seals(
    recorder: ChainedRecorder | ApplicationRecorder, *, upto: int | None = None
) -> list[Seal]:
    """Every seal event in log order (a topic-filtered read of the log)."""
    seals: list[Seal] = []
    start: int | None = None
    while True:
        found = recorder.select_notifications(
            start=start, limit=1000, stop=upto, topics=[SEALED_TOPIC], inclusive_of_start=False
        )
        seals += [Seal.from_state(n.id, n.state) for n in found]
        if len(found) < 1000:
            return seals
        start = found[-1].id


def check_seal_signatures(
    seals: Iterable[Seal], keys: Mapping[str, Ed25519PublicKey]
) -> list[SealCheck]:
    """Signature, key and order checks that need no chain (the pinned hash is checked later)."""
    checks: list[SealCheck] = []
    last_sealed = 0
    for seal in seals:
        problem = _seal_problem(seal, keys.get(seal.key_id), last_sealed)
        checks.append(
            SealCheck(
                seal.position,
                seal.sealed_position,
                seal.key_id,
                ok=problem is None,
                problem=problem,
            )
        )
        if problem is None:
            last_sealed = seal.sealed_position
    return checks


def _seal_problem(seal: Seal, public: Ed25519PublicKey | None, last_sealed: int) -> str | None:
    """What is wrong with ``seal`` (signed by ``public``, the last good seal pinning
    ``last_sealed``) before the chain is read; None when nothing is."""
    return _signing_problem(seal, public) or _order_problem(seal, last_sealed)


def _signing_problem(seal: Seal, public: Ed25519PublicKey | None) -> str | None:
    """Whether ``seal`` is signed, as it reads, by a trusted key with our algorithm."""
    if seal.algorithm != ALGORITHM:
        return f"seal at {seal.position} uses {seal.algorithm!r}, not {ALGORITHM}"
    if public is None:
        return f"seal at {seal.position} is signed by key {seal.key_id}, which is not trusted"
    if not signature_holds(public, seal.sealed_position, seal.head_hash, seal.signature):
        return (
            f"seal at {seal.position}: the signature does not match position "
            f"{seal.sealed_position} and hash {seal.head_hash[:16]}… under key {seal.key_id}"
        )
    return None


def _order_problem(seal: Seal, last_sealed: int) -> str | None:
    """Whether ``seal`` pins a position recorded before it and after the last good seal's."""
    if seal.sealed_position >= seal.position:
        return (
            f"seal at {seal.position} claims to pin position {seal.sealed_position}, "
            "which was not yet recorded"
        )
    if seal.sealed_position <= last_sealed:
        return (
            f"seal at {seal.position} pins position {seal.sealed_position}, not after the "
            f"previous seal's {last_sealed}: seals are out of order"
        )
    return None
