"""Verifying the hash chain and its seals.

``verify_chain`` recomputes every link from the start (or from the last seal whose
signature holds), compares it with the stored link, checks every seal's signature against
the trusted public keys and the hash it pinned, and names the first broken position.
The seals themselves are read and their signatures checked in
:mod:`infrastructure.seal_events`; a new seal is made in :mod:`infrastructure.seal_head`.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder

from application.ledger import VolunteerLedger
from infrastructure.chain import (
    GENESIS,
    LINK_NUMBERS,
    TOPIC_LENGTH,
    ChainedRecorder,
    Link,
    LinkedEvent,
)
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


class _Broken(Exception):
    def __init__(self, position: int, problem: str) -> None:
        super().__init__(problem)
        self.position = position
        self.problem = problem


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
    walked = _walk(recorder, head, end, segment, pinned)
    if walked.broken is not None:
        problems.append((walked.broken.position, walked.broken.problem))
    problems.sort(key=lambda p: p[0])
    _fail_seals_over_breaks(checks, problems)
    return _report(walked, head, checks, problems, time.perf_counter() - started)


def _pinned(seals: list[Seal], checks: list[SealCheck]) -> dict[int, tuple[Seal, SealCheck]]:
    """The seals whose signature holds, by the position each pins."""
    return {s.sealed_position: (s, c) for s, c in zip(seals, checks, strict=True) if c.ok}


def _report(
    walked: _Walked,
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


@dataclass
class _Walked:
    """How far the chain held: the last good position and hash, the events checked, and
    the first break (None: the chain held to the end)."""

    position: int
    hash: bytes
    checked: int = 0
    broken: _Broken | None = None


def _walk(
    recorder: ChainedRecorder,
    head: Link,
    end: int,
    segment: int,
    pinned: Mapping[int, tuple[Seal, SealCheck]],
) -> _Walked:
    """Recompute the links after ``head`` up to ``end``, segment by segment."""
    walked = _Walked(head.position, head.hash)
    lo = head.position + 1
    try:
        for lo, hi, rows in _segments(
            recorder, head.position + 1, end, segment, ahead=recorder.read_ahead
        ):
            walked.position, walked.hash, n = _check_segment(
                rows, walked.position, walked.hash, pinned
            )
            walked.checked += n
            if n != recorder.count_links(lo, hi):
                raise _Broken(hi + 1, "a link without its event")  # named below
        _check_seals_reached(pinned, walked.position)
    except _Broken as broken:
        walked.broken = _orphan_first(recorder, lo, broken)
    return walked


def _check_seals_reached(pinned: Mapping[int, tuple[Seal, SealCheck]], reached: int) -> None:
    """Every seal pins a position the walk reached."""
    for sealed_position, (seal, _) in sorted(pinned.items()):
        if sealed_position > reached:
            raise _Broken(
                sealed_position,
                f"seal at {seal.position} pins position {sealed_position}, "
                "which holds no chained event",
            )


def _orphan_first(recorder: ChainedRecorder, lo: int, broken: _Broken) -> _Broken:
    """``broken``, or a link without its event before it (from ``lo``): that break first."""
    orphan = recorder.first_orphan_link(lo, broken.position)
    if orphan is not None and orphan < broken.position:
        return _Broken(
            orphan, f"the event at position {orphan} is missing: its chain link is still there"
        )
    return broken


def _fail_seals_over_breaks(checks: list[SealCheck], problems: list[tuple[int, str]]) -> None:
    """A seal whose sealed position is where the chain breaks no longer holds."""
    for check in checks:
        if check.ok and any(pos == check.sealed_position for pos, _ in problems):
            check.ok = False
            check.problem = "the chain at the sealed position does not match the seal"


def _segments(
    recorder: ChainedRecorder, lo: int, end: int, size: int, *, ahead: int
) -> Iterator[tuple[int, int, list[LinkedEvent]]]:
    """Segments of the log in order, read by ``ahead`` threads while earlier ones are checked."""
    bounds = deque((a, min(a + size - 1, end)) for a in range(lo, end + 1, size))
    with ThreadPoolExecutor(max_workers=ahead) as readers:
        pending: deque[tuple[int, int, Future[list[LinkedEvent]]]] = deque()
        while bounds or pending:
            while bounds and len(pending) < ahead:
                a, b = bounds.popleft()
                pending.append((a, b, readers.submit(recorder.read_linked, a, b)))
            a, b, rows = pending.popleft()
            yield a, b, rows.result()


def _check_segment(
    rows: list[LinkedEvent],
    prev_position: int,
    prev_hash: bytes,
    pinned: Mapping[int, tuple[Seal, SealCheck]],
) -> tuple[int, bytes, int]:
    """The hot loop: recompute each event's link and compare it with the stored one.

    A segment whose links outnumber the checked events holds a link without its event: the
    caller names that position after this loop has named any earlier break.
    """
    sha256, pack, pack_len = hashlib.sha256, LINK_NUMBERS.pack, TOPIC_LENGTH.pack
    for position, originator, version, topic, state, link_prev, link_hash in rows:
        if link_hash is None or link_prev != prev_position:
            raise _unlinked(position, prev_position, link_prev, link_hash)
        computed = sha256(
            b"".join(
                (
                    prev_hash,
                    pack(prev_position, position, version, len(originator)),
                    originator,
                    pack_len(len(topic)),
                    topic,
                    state,
                )
            )
        ).digest()
        if computed != link_hash:
            raise _Broken(
                position,
                f"the event at position {position} does not match its link: its stored state, "
                "aggregate, version or topic was changed, or an earlier link was",
            )
        if position in pinned:
            _check_pinned(position, computed, pinned[position][0])
        prev_position, prev_hash = position, computed
    return prev_position, prev_hash, len(rows)


def _unlinked(
    position: int, prev_position: int, link_prev: int | None, link_hash: bytes | None
) -> _Broken:
    """Why the event at ``position`` does not follow the one at ``prev_position``."""
    if link_hash is None:
        return _Broken(
            position,
            f"the event at position {position} has no chain link: it was not recorded by "
            "the ledger (inserted or moved there afterwards)",
        )
    if link_prev is not None and link_prev > prev_position:
        return _Broken(
            link_prev,
            f"the event at position {link_prev} is missing: the link at {position} follows it",
        )
    return _Broken(
        prev_position,
        f"the event at position {prev_position} is not part of the chain: the link at "
        f"{position} follows position {link_prev}",
    )


def _check_pinned(position: int, computed: bytes, seal: Seal) -> None:
    if seal.head_hash != computed.hex():
        raise _Broken(
            position,
            f"the chain head at {position} differs from the hash sealed at "
            f"{seal.position}: events at or before {position} were rewritten "
            "together with their links",
        )


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
