"""Offline audit bundles: the log, its links and seals, the public keys and the rulebook.

``export_bundle`` writes one zip file holding every event from the first up to a cut
(the chain needs them all to be recomputed from the start, and the year's figures need
every earlier event too), each with its stored link, plus the public keys that signed
the seals and the rulebook the points were computed under. ``verify_bundle`` checks it
with no server and no database: it recomputes the chain, checks the seals against the
keys, then replays the events in memory and reports the year's point totals.
"""

from __future__ import annotations

import base64
import json
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Notification

from application.ledger import VolunteerLedger
from application.readmodel.audit.review import annual_review
from domain.seal import SEALED_TOPIC
from infrastructure.audit import ChainReport, chained, verify_chain
from infrastructure.bootstrap import Container
from infrastructure.chain import ChainedRecorder, LinkedEvent
from infrastructure.rulebook_loader import parse_rulebook, rulebook_file
from infrastructure.seal_events import Seal, read_seals
from infrastructure.sealing import key_id, load_public_key, public_pem, trusted_keys
from infrastructure.transcodings import ledger_transcodings

FORMAT = "volunteer-ledger-bundle/1"
SEGMENT = 20_000


class BundleError(Exception):
    """The file is not a bundle this program can read."""


def export_bundle(
    container: Container, year: int, path: Path, *, through: int | None = None
) -> dict[str, Any]:
    """Write the bundle for ``year`` (events up to ``through``, the head by default)."""
    recorder = chained(container.ledger)
    head = recorder.chain_head(at=through)
    if head is None:
        raise BundleError("the log is empty: there is nothing to export")
    rulebook_path = rulebook_file(container.settings.rulebook_path)
    review = container.review(year, upto=head.position)
    keys = trusted_keys(container.settings)
    seals = read_seals(container.ledger.recorder, upto=head.position)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("events.jsonl", "w") as out:
            count = _write_events(out, recorder, head.position)
        manifest = {
            "format": FORMAT,
            "year": year,
            "through_position": head.position,
            "head_hash": head.hash.hex(),
            "sealed_through": max((s.sealed_position for s in seals), default=0),
            "events": count,
            "exported_at": datetime.now(UTC).isoformat(),
            "public_keys": _pems(keys),
            "rulebook": rulebook_path.read_text(encoding="utf-8"),
            "rulebook_hash": container.rulebook.file_hash,
            "totals": review["totals"],
            "chain": review["chain"],
        }
        bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def _write_events(out: IO[bytes], recorder: ChainedRecorder, through: int) -> int:
    """Every event up to ``through`` with its link, a line each, read a segment at a time;
    how many."""
    count = 0
    lo = 1
    while lo <= through:
        hi = min(lo + SEGMENT - 1, through)
        for row in recorder.read_linked(lo, hi):
            out.write(_line(row))
            count += 1
        lo = hi + 1
    return count


def _pems(keys: Mapping[str, Ed25519PublicKey]) -> dict[str, str]:
    """The public keys as PEM text, by key id (read back by ``_keys_from_pems``)."""
    return {kid: public_pem(k).decode() for kid, k in sorted(keys.items())}


def _line(row: LinkedEvent) -> bytes:
    """One event and its link as a line of JSON (read back by ``_row``)."""
    position, originator, version, topic, state, prev, link = row
    record = [
        position,
        originator.decode(),
        version,
        topic.decode(),
        base64.b64encode(state).decode(),
        prev,
        link.hex() if link is not None else None,
    ]
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


# --------------------------------------------------------------------------- verifying


@dataclass
class BundleReport:
    chain: ChainReport
    year: int
    through_position: int
    key_ids: list[str]
    trusted_key_source: str
    sealed_through: int
    totals: dict[str, Any] = field(default_factory=dict)
    exported_totals: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.chain.ok
            and self.chain.head == self.through_position
            and self.totals == self.exported_totals
        )


class _BundleEvents(ChainedRecorder):
    """The bundle's events as a chain source and as a notification log, all in memory."""

    def __init__(self, rows: list[LinkedEvent]) -> None:
        self.rows = rows
        self.positions = [r[0] for r in rows]

    def max_position(self) -> int:
        return self.positions[-1] if self.positions else 0

    def read_linked(self, lo: int, hi: int) -> list[LinkedEvent]:
        return self.rows[bisect_left(self.positions, lo) : bisect_right(self.positions, hi)]

    def count_links(self, lo: int, hi: int) -> int:
        return sum(1 for r in self.read_linked(lo, hi) if r[6] is not None)

    def first_orphan_link(self, lo: int, hi: int) -> int | None:
        return None  # a bundle's links travel with their events

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        rows = self.read_linked(_first(start, inclusive_of_start), _last(stop))
        wanted = {t.encode() for t in topics}
        selected = (r for r in rows if not wanted or r[3] in wanted)
        return [
            Notification(UUID(originator.decode()), version, topic.decode(), state, position)
            for position, originator, version, topic, state, *_ in islice(selected, limit)
        ]


def _first(start: int | None, inclusive: bool) -> int:
    """The first position a read from ``start`` covers."""
    if start is None:
        return 0
    return start if inclusive else start + 1


def _last(stop: int | None) -> int:
    """The last position a read up to ``stop`` covers (no stop: all of them)."""
    return 2**62 if stop is None else stop


def read_bundle(path: Path) -> tuple[dict[str, Any], list[LinkedEvent]]:
    try:
        with zipfile.ZipFile(path) as bundle:
            manifest = _manifest_of(bundle, path)
            with bundle.open("events.jsonl") as lines:
                rows = [_row(line) for line in lines]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise BundleError(f"{path} cannot be read as a bundle: {e}") from e
    return manifest, rows


def _manifest_of(bundle: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    """The bundle's manifest, if it names the format this program reads."""
    manifest: dict[str, Any] = json.loads(bundle.read("manifest.json"))
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{path} is not a {FORMAT} bundle")
    return manifest


def _row(line: bytes) -> LinkedEvent:
    """An event and its link from its line (as ``_line`` wrote it)."""
    position, originator, version, topic, state, prev, link = json.loads(line)
    return (
        position,
        originator.encode(),
        version,
        topic.encode(),
        base64.b64decode(state),
        prev,
        bytes.fromhex(link) if link is not None else None,
    )


def verify_bundle(path: Path, *, public_keys: Sequence[Path] = ()) -> BundleReport:
    """Check a bundle with no server or database; recompute the year's point totals."""
    manifest, rows = read_bundle(path)
    source = _BundleEvents(rows)
    keys, trusted_from = _trusted_keys(manifest, public_keys)
    report = verify_chain(source, keys, seals=_seals(rows))
    review = _review(manifest, source, path)
    last_seal = report.last_holding_seal
    return BundleReport(
        chain=report,
        year=int(manifest["year"]),
        through_position=int(manifest["through_position"]),
        key_ids=sorted(keys),
        trusted_key_source=trusted_from,
        sealed_through=last_seal.sealed_position if last_seal else 0,
        totals=review["totals"],
        exported_totals=manifest["totals"],
    )


def _trusted_keys(
    manifest: dict[str, Any], public_keys: Sequence[Path]
) -> tuple[Mapping[str, Ed25519PublicKey], str]:
    """The seal keys trusted, by key id, and where they came from."""
    if public_keys:
        return _keys_in_files(public_keys), "the public keys given on the command line"
    return (
        _keys_from_pems(manifest["public_keys"]),
        "the bundle itself (compare the key ids with the published ones)",
    )


def _keys_in_files(paths: Sequence[Path]) -> dict[str, Ed25519PublicKey]:
    keys = (load_public_key(p.read_bytes(), source=str(p)) for p in paths)
    return {key_id(k): k for k in keys}


def _keys_from_pems(pems: Mapping[str, str]) -> dict[str, Ed25519PublicKey]:
    return {
        kid: load_public_key(pem.encode(), source=f"bundle key {kid}") for kid, pem in pems.items()
    }


def _seals(rows: list[LinkedEvent]) -> list[Seal]:
    """The seal events among ``rows``, in order."""
    sealed_topic = SEALED_TOPIC.encode()
    return [Seal.from_state(r[0], r[4]) for r in rows if r[3] == sealed_topic]


def _review(manifest: dict[str, Any], source: _BundleEvents, path: Path) -> dict[str, Any]:
    """The bundle's year reviewed from its own events, under its own rulebook."""
    rulebook = parse_rulebook(manifest["rulebook"], source=f"{path}:rulebook")
    mapper = VolunteerLedger(
        rulebook=rulebook,
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        transcodings=ledger_transcodings(),
    ).mapper
    replayable = SimpleNamespace(recorder=source, mapper=mapper)
    return annual_review(replayable, rulebook, int(manifest["year"]))  # type: ignore[arg-type]
