"""Verifying the hash chain and its seals.

``verify_chain`` recomputes every link from the start (or from the last seal whose
signature holds), compares it with the stored link, checks every seal's signature against
the trusted public keys and the hash it pinned, and names the first broken position.
The walk along the links is :mod:`infrastructure.chain_walk`; the seals themselves are
read and their signatures checked in :mod:`infrastructure.seal_events`; a new seal is
made in :mod:`infrastructure.seal_head`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder

from application.ledger import VolunteerLedger
from infrastructure.chain import (
    GENESIS,
    ChainedRecorder,
    Link,
)
from infrastructure.chain_walk import Walked, walk
from infrastructure.seal_events import Seal, SealCheck, check_seal_signatures, read_seals

SEGMENT = 50_000


@dataclass
class ChainReport:
    ok: bool
    checked: int
    head: int
    head_hash: str
    first_broken_position: int | None = None
    problem: str | None = None
    started_after: int = 0
    seals: list[SealCheck] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_chain(
    recorder: ChainedRecorder,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    from_last_seal: bool = False,
    upto: int | None = None,
    segment: int = SEGMENT,
    seals: list[Seal] | None = None,
) -> ChainReport:
    """Recompute the chain and check every seal; stop at the first broken link.

    ``recorder`` is any source of events and links by position (a store, or a bundle);
    ``seals`` are read from it when not given.
    """
    started = time.perf_counter()
    if seals is None:
        assert isinstance(recorder, ApplicationRecorder)
        seals = read_seals(recorder, upto=upto)
    checks = check_seal_signatures(seals, keys)
    problems: list[tuple[int, str]] = [(c.position, c.problem) for c in checks if c.problem]
    pinned = _pinned(seals, checks)
    head = Link(0, 0, GENESIS)
    if from_last_seal:
        head = _start_at_last_seal(recorder, seals, checks, pinned, problems)
    end = recorder.max_position() if upto is None else upto
    walked = walk(recorder, head, end, segment, pinned)
    if walked.broken is not None:
        problems.append((walked.broken.position, walked.broken.problem))
    problems.sort(key=lambda p: p[0])
    _fail_seals_over_breaks(checks, problems)
    return _report(walked, head, checks, problems, time.perf_counter() - started)


def _pinned(seals: list[Seal], checks: list[SealCheck]) -> dict[int, tuple[Seal, SealCheck]]:
    """The seals whose signature holds, by the position each pins."""
    return {s.sealed_position: (s, c) for s, c in zip(seals, checks, strict=True) if c.ok}


def _report(
    walked: Walked,
    head: Link,
    checks: list[SealCheck],
    problems: list[tuple[int, str]],
    seconds: float,
) -> ChainReport:
    """The report of a walk from ``head``, its first problem (by position) named."""
    first = problems[0] if problems else (None, None)
    return ChainReport(
        ok=not problems,
        checked=walked.checked,
        head=walked.position,
        head_hash=walked.hash.hex(),
        first_broken_position=first[0],
        problem=first[1],
        started_after=head.position,
        seals=checks,
        seconds=round(seconds, 3),
    )


def _start_at_last_seal(
    recorder: ChainedRecorder,
    seals: list[Seal],
    checks: list[SealCheck],
    pinned: dict[int, tuple[Seal, SealCheck]],
    problems: list[tuple[int, str]],
) -> Link:
    """Where a check from the last trusted seal starts: its sealed head (or the genesis,
    without one). A stored link that differs from the sealed hash is a problem."""
    trusted = [s for s, c in zip(seals, checks, strict=True) if c.ok]
    if not trusted:
        return Link(0, 0, GENESIS)
    last = trusted[-1]
    head = Link(last.sealed_position, 0, bytes.fromhex(last.head_hash))
    pinned.pop(last.sealed_position)
    stored = recorder.read_linked(last.sealed_position, last.sealed_position)
    if not stored or stored[0][6] != head.hash:
        problems.append(
            (
                last.sealed_position,
                f"the stored link at {last.sealed_position} differs from the hash "
                f"sealed at {last.position}: the chain was rewritten after sealing",
            )
        )
    return head


def _fail_seals_over_breaks(checks: list[SealCheck], problems: list[tuple[int, str]]) -> None:
    """A seal whose sealed position is where the chain breaks no longer holds."""
    for check in checks:
        if check.ok and any(pos == check.sealed_position for pos, _ in problems):
            check.ok = False
            check.problem = "the chain at the sealed position does not match the seal"


def chained(ledger: VolunteerLedger) -> ChainedRecorder:
    """The ledger's recorder as the chain's reader (TypeError for one without a chain)."""
    recorder = ledger.recorder
    if not isinstance(recorder, ChainedRecorder):
        raise TypeError(f"{type(recorder).__name__} does not keep a hash chain")
    return recorder


def chain_at(ledger: VolunteerLedger, cut: int) -> dict[str, Any]:
    """The chain head at a review's cut and the first seal covering it (None if unsealed)."""
    recorder = chained(ledger)
    link = recorder.chain_head(at=cut)
    assert isinstance(recorder, ApplicationRecorder)
    covering = next((s for s in read_seals(recorder) if s.sealed_position >= cut), None)
    return {
        "position": link.position if link else 0,
        "head_hash": link.hash.hex() if link else GENESIS.hex(),
        "seal": None
        if covering is None
        else {
            "position": covering.position,
            "sealed_position": covering.sealed_position,
            "head_hash": covering.head_hash,
            "signature": covering.signature,
            "key_id": covering.key_id,
            "algorithm": covering.algorithm,
        },
    }
