"""Walking the hash chain: every link after a starting point recomputed and compared with
the stored one, segment by segment (read ahead by threads while earlier ones are
checked), and the first break named. :func:`infrastructure.audit.verify_chain` walks it
and reports."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from infrastructure.chain import LINK_NUMBERS, TOPIC_LENGTH, ChainedRecorder, Link, LinkedEvent
from infrastructure.seal_events import Seal, SealCheck


class Broken(Exception):
    def __init__(self, position: int, problem: str) -> None:
        super().__init__(problem)
        self.position = position
        self.problem = problem


@dataclass
class Walked:
    """How far the chain held: the last good position and hash, the events checked, and
    the first break (None: the chain held to the end)."""

    position: int
    hash: bytes
    checked: int = 0
    broken: Broken | None = None


def walk(
    recorder: ChainedRecorder,
    head: Link,
    end: int,
    segment: int,
    pinned: Mapping[int, tuple[Seal, SealCheck]],
) -> Walked:
    """Recompute the links after ``head`` up to ``end``, segment by segment."""
    walked = Walked(head.position, head.hash)
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
                raise Broken(hi + 1, "a link without its event")  # named below
        _check_seals_reached(pinned, walked.position)
    except Broken as broken:
        walked.broken = _orphan_first(recorder, lo, broken)
    return walked


def _check_seals_reached(pinned: Mapping[int, tuple[Seal, SealCheck]], reached: int) -> None:
    """Every seal pins a position the walk reached."""
    for sealed_position, (seal, _) in sorted(pinned.items()):
        if sealed_position > reached:
            raise Broken(
                sealed_position,
                f"seal at {seal.position} pins position {sealed_position}, "
                "which holds no chained event",
            )


def _orphan_first(recorder: ChainedRecorder, lo: int, broken: Broken) -> Broken:
    """``broken``, or a link without its event before it (from ``lo``): that break first."""
    orphan = recorder.first_orphan_link(lo, broken.position)
    if orphan is not None and orphan < broken.position:
        return Broken(
            orphan, f"the event at position {orphan} is missing: its chain link is still there"
        )
    return broken


def _segments(
    recorder: ChainedRecorder, lo: int, end: int, size: int, *, ahead: int
) -> Iterator[tuple[int, int, list[LinkedEvent]]]:
    """Segments of the log in order, read by ``ahead`` threads while earlier ones are checked:
    the oldest read is handed over once ``ahead`` are pending."""
    with ThreadPoolExecutor(max_workers=ahead) as readers:
        pending: deque[tuple[int, int, Future[list[LinkedEvent]]]] = deque()
        for a in range(lo, end + 1, size):
            b = min(a + size - 1, end)
            pending.append((a, b, readers.submit(recorder.read_linked, a, b)))
            if len(pending) == ahead:
                first, last, rows = pending.popleft()
                yield first, last, rows.result()
        for first, last, rows in pending:
            yield first, last, rows.result()


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
            raise Broken(
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
) -> Broken:
    """Why the event at ``position`` does not follow the one at ``prev_position``."""
    if link_hash is None:
        return Broken(
            position,
            f"the event at position {position} has no chain link: it was not recorded by "
            "the ledger (inserted or moved there afterwards)",
        )
    if link_prev is not None and link_prev > prev_position:
        return Broken(
            link_prev,
            f"the event at position {link_prev} is missing: the link at {position} follows it",
        )
    return Broken(
        prev_position,
        f"the event at position {prev_position} is not part of the chain: the link at "
        f"{position} follows position {link_prev}",
    )


def _check_pinned(position: int, computed: bytes, seal: Seal) -> None:
    if seal.head_hash != computed.hex():
        raise Broken(
            position,
            f"the chain head at {position} differs from the hash sealed at "
            f"{seal.position}: events at or before {position} were rewritten "
            "together with their links",
        )
