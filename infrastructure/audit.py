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

from application.ledger import VolunteerLedger
from infrastructure.chain import GENESIS_LINK, ChainedRecorder, Link
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

    @property
    def last_holding_seal(self) -> SealCheck | None:
        """The last seal that holds (trusted seals pin increasing positions)."""
        return next((s for s in reversed(self.seals) if s.ok), None)


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
        seals = read_seals(recorder, upto=upto)
    checks = check_seal_signatures(seals, keys)
    pinned = _pinned(seals, checks)
    head, rewritten = (
        _start_at_last_seal(recorder, pinned) if from_last_seal else (GENESIS_LINK, [])
    )
    end = recorder.max_position() if upto is None else upto
    walked = walk(recorder, head, end, segment, pinned)
    problems = _problems(checks, rewritten, walked)
    return _report(walked, head, checks, problems, time.perf_counter() - started)


def _pinned(seals: list[Seal], checks: list[SealCheck]) -> dict[int, tuple[Seal, SealCheck]]:
    """The seals whose signature holds, by the position each pins."""
    return {s.sealed_position: (s, c) for s, c in zip(seals, checks, strict=True) if c.ok}


def _problems(
    checks: list[SealCheck], rewritten: list[tuple[int, str]], walked: Walked
) -> list[tuple[int, str]]:
    """Every problem found, by position: the seals', a chain rewritten after its last seal,
    and where the walk broke. A seal pinning a broken position fails with it."""
    problems = [(c.position, c.problem) for c in checks if c.problem] + rewritten
    if walked.broken is not None:
        problems.append((walked.broken.position, walked.broken.problem))
    problems.sort(key=lambda p: p[0])
    _fail_seals_over_breaks(checks, problems)
    return problems


def _report(
    walked: Walked,
    head: Link,
    checks: list[SealCheck],
    problems: list[tuple[int, str]],
    seconds: float,
) -> ChainReport:
    """The report of a walk from ``head``, its first problem (by position) named."""
    first = next(iter(problems), (None, None))
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
    recorder: ChainedRecorder, pinned: dict[int, tuple[Seal, SealCheck]]
) -> tuple[Link, list[tuple[int, str]]]:
    """Where a check from the last trusted seal starts: its sealed head (or the genesis,
    without one), which is no longer pinned. A stored link that differs from the sealed
    hash is a problem. (Trusted seals pin increasing positions: the last pins the most.)"""
    if not pinned:
        return GENESIS_LINK, []
    last, _ = pinned.pop(max(pinned))
    head = Link(last.sealed_position, 0, bytes.fromhex(last.head_hash))
    stored = recorder.read_linked(last.sealed_position, last.sealed_position)
    if stored and stored[0][6] == head.hash:
        return head, []
    return head, [
        (
            last.sealed_position,
            f"the stored link at {last.sealed_position} differs from the hash "
            f"sealed at {last.position}: the chain was rewritten after sealing",
        )
    ]


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
    link = chained(ledger).chain_head(at=cut) or GENESIS_LINK
    return {
        "position": link.position,
        "head_hash": link.hash.hex(),
        "seal": _first_seal_covering(ledger, cut),
    }


def _first_seal_covering(ledger: VolunteerLedger, cut: int) -> dict[str, Any] | None:
    """The first seal pinning ``cut`` or a later position, as its fields; None if none does."""
    covering = next((s for s in read_seals(ledger.recorder) if s.sealed_position >= cut), None)
    return None if covering is None else asdict(covering)
