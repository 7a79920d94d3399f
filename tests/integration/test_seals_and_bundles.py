"""Seals pin the chain head with a signature; bundles carry the proof offline.

Runs on both stores: seals that hold, seals that are forged, signed by another key,
out of order or pinning a hash the chain never had; a chain rewritten wholesale after
sealing; and an exported bundle checked by a separate process with no database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.commands.sealing import RecordSeal
from application.errors import ConcurrencyConflict
from demo import generate_year
from domain.errors import DomainError
from domain.seal import ChainSeal
from domain.values import Actor, Role
from infrastructure.audit import chained, verify_chain
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.bundle import export_bundle, verify_bundle
from infrastructure.chain import GENESIS_LINK, extend
from infrastructure.seal_head import seal_chain
from infrastructure.sealing import ALGORITHM, generate_key, key_id, public_pem, sign, trusted_keys
from infrastructure.settings import Settings
from tests.support.clock import fixed_clock

AUDITOR = Actor("auditor-li", Role.ADMIN, "req-seal")


@pytest.fixture
def sealed(store: Settings, tmp_path: Path) -> Iterator[tuple[Container, Ed25519PrivateKey]]:
    settings = store.model_copy(update={"seal_key_path": tmp_path / "seal.pem"})
    container = bootstrap(settings, clock=fixed_clock)
    key = generate_key(settings.seal_key_path)
    generate_year(container.ledger, volunteers=12, activities=6, townships=2)
    try:
        yield container, key
    finally:
        container.close()


def _verify(container: Container, **options: Any) -> Any:
    return verify_chain(chained(container.ledger), trusted_keys(container.settings), **options)


def _record_seal(container: Container, key: Ed25519PrivateKey, position: int, head: str) -> int:
    """A seal written around every check (as by someone with write access to the store)."""
    forged = ChainSeal.with_id(
        uuid.uuid4(),
        sealed_position=position,
        head_hash=head,
        signature=sign(key, position, head),
        key_id=key_id(key.public_key()),
        algorithm=ALGORITHM,
        actor=AUDITOR,
    )
    return container.ledger.record(forged)


def test_a_seal_pins_the_head_and_verification_can_start_from_it(sealed: Any) -> None:
    container, key = sealed
    head = chained(container.ledger).chain_head()
    result = seal_chain(container.ledger, key, AUDITOR)
    assert result.sealed_position == head.position and result.head_hash == head.hash.hex()

    full = _verify(container)
    assert full.ok and [s.ok for s in full.seals] == [True]
    assert full.head == result.recorded.position  # the seal event is chained too
    quick = _verify(container, from_last_seal=True)
    assert quick.ok and quick.started_after == head.position and quick.checked == 1


def test_a_seal_signed_by_another_key_is_rejected(sealed: Any) -> None:
    container, _ = sealed
    head = chained(container.ledger).chain_head()
    forged_at = _record_seal(
        container, Ed25519PrivateKey.generate(), head.position, head.hash.hex()
    )
    report = _verify(container)
    assert not report.ok
    assert report.first_broken_position == forged_at
    assert "not trusted" in report.problem


def test_a_forged_signature_under_the_trusted_key_id_is_rejected(sealed: Any) -> None:
    container, key = sealed
    head = chained(container.ledger).chain_head()
    forged_at = container.ledger.record_seal(
        RecordSeal(
            sealed_position=head.position,
            head_hash=head.hash.hex(),
            signature=sign(Ed25519PrivateKey.generate(), head.position, head.hash.hex()),
            key_id=key_id(key.public_key()),
            algorithm=ALGORITHM,
            previous_sealed_position=0,
        ),
        actor=AUDITOR,
    ).position
    report = _verify(container)
    assert not report.ok and report.first_broken_position == forged_at
    assert "signature does not match" in report.problem


def test_seals_out_of_order_are_rejected(sealed: Any) -> None:
    container, key = sealed
    recorder = chained(container.ledger)
    later = recorder.chain_head()
    earlier = recorder.chain_head(at=later.position // 2)
    _record_seal(container, key, later.position, later.hash.hex())
    reordered_at = _record_seal(container, key, earlier.position, earlier.hash.hex())
    report = _verify(container)
    assert not report.ok and report.first_broken_position == reordered_at
    assert "out of order" in report.problem


def test_a_seal_at_or_before_the_last_seal_is_refused_and_records_nothing(sealed: Any) -> None:
    container, key = sealed
    first = seal_chain(container.ledger, key, AUDITOR)
    head = container.ledger.current_position()
    for position in (1, first.sealed_position):
        with pytest.raises(DomainError) as refused:
            seal_chain(container.ledger, key, AUDITOR, position=position)
        assert refused.value.rule == "seal-order"
        assert f"not after {first.sealed_position}" in str(refused.value)
    assert container.ledger.current_position() == head
    assert _verify(container).ok


def test_a_seal_beyond_the_head_is_refused_and_records_nothing(sealed: Any) -> None:
    container, key = sealed
    head = container.ledger.current_position()
    with pytest.raises(DomainError) as refused:
        seal_chain(container.ledger, key, AUDITOR, position=head + 1)
    assert refused.value.rule == "seal-position"
    assert "beyond the log's head" in str(refused.value)
    assert container.ledger.current_position() == head


def _race_seals(key: Ed25519PrivateKey, seals: list[tuple[Container, int]]) -> list[object]:
    """Each (container, position) sealed from its own thread, all released at once."""
    gate = threading.Barrier(len(seals))
    outcomes: list[object] = [None] * len(seals)

    def seal(i: int, c: Container, position: int) -> None:
        gate.wait()
        try:
            outcomes[i] = seal_chain(c.ledger, key, AUDITOR, position=position)
        except (DomainError, ConcurrencyConflict) as e:
            outcomes[i] = e

    threads = [threading.Thread(target=seal, args=(i, *s)) for i, s in enumerate(seals)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_racing_seals_never_record_out_of_order(sealed: Any) -> None:
    """Two services seal at once, one the head and one an earlier position: whichever loses
    is refused (a conflict, or the order rule once the other's seal is seen), never both
    recorded in the wrong order; verification holds after every round."""
    container, key = sealed
    other = bootstrap(container.settings, clock=fixed_clock)
    try:
        for _ in range(4):
            head = container.ledger.current_position()
            outcomes = _race_seals(key, [(container, head), (other, head - 1)])
            assert any(not isinstance(o, Exception) for o in outcomes), outcomes
            report = _verify(container)
            assert report.ok, report.problem
    finally:
        other.close()


def test_a_seal_over_a_hash_the_chain_never_had_is_named_at_its_position(sealed: Any) -> None:
    container, key = sealed
    head = chained(container.ledger).chain_head()
    _record_seal(container, key, head.position, "ab" * 32)
    report = _verify(container)
    assert not report.ok and report.first_broken_position == head.position
    assert "differs from the hash sealed" in report.problem


def test_sealing_refuses_a_broken_chain(sealed: Any) -> None:
    container, key = sealed
    victim = chained(container.ledger).chain_head().position - 3
    _tamper(container, "UPDATE {events} SET state = %s WHERE {id} = %s", (b"{}", victim))
    with pytest.raises(DomainError) as refused:
        seal_chain(container.ledger, key, AUDITOR)
    assert refused.value.rule == "chain-intact" and str(victim) in str(refused.value)


def test_a_chain_rewritten_after_sealing_is_caught_by_the_seal(sealed: Any) -> None:
    """Someone with the database's keys changes an event and recomputes every link after it:
    the chain is consistent again, but no longer what the seal signed."""
    container, key = sealed
    seal = seal_chain(container.ledger, key, AUDITOR)
    recorder = chained(container.ledger)
    victim = seal.sealed_position // 2
    _tamper(container, "UPDATE {events} SET state = %s WHERE {id} = %s", (b'{"x": 1}', victim))
    events = recorder.read_linked(1, recorder.max_position())
    for link in extend(GENESIS_LINK, events):
        _tamper(
            container,
            "UPDATE {chain} SET hash = %s WHERE position = %s",
            (link.hash, link.position),
        )
    full = _verify(container)
    assert not full.ok and full.first_broken_position == seal.sealed_position
    assert "rewritten" in full.problem
    quick = _verify(container, from_last_seal=True)
    assert not quick.ok and quick.first_broken_position == seal.sealed_position


def _tamper(container: Container, sql: str, params: tuple[Any, ...]) -> None:
    """Change stored rows the way an owner of the database could (triggers switched off)."""
    settings = container.settings
    if settings.is_postgres:
        import psycopg

        events = f'"{settings.postgres_schema}".volunteerledger_events'
        chain = f"{events}_chain"
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            for table in (events, chain):
                conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            conn.execute(sql.format(events=events, chain=chain, id="notification_id"), params)
            for table in (events, chain):
                conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    else:
        import sqlite3

        with sqlite3.connect(settings.sqlite_path) as conn:
            triggers = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).fetchall()
            for name, _ in triggers:
                conn.execute(f"DROP TRIGGER {name}")
            conn.execute(
                sql.format(events="stored_events", chain="stored_events_chain", id="rowid").replace(
                    "%s", "?"
                ),
                params,
            )
            for _, create in triggers:
                conn.execute(create)


# --------------------------------------------------------------------------- bundles


def _offline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh process whose database settings point at nothing reachable."""
    env = {
        **os.environ,
        "VL_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/stopped",
        "VL_SEAL_KEY_PATH": str(cwd / "no-key-here.pem"),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "audit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_bundle_verifies_with_no_database_and_recomputes_the_year(
    sealed: Any, tmp_path: Path
) -> None:
    container, key = sealed
    seal_chain(container.ledger, key, AUDITOR)
    bundle = tmp_path / "2022.zip"
    manifest = export_bundle(container, 2022, bundle)
    review = container.review(2022)
    assert manifest["totals"] == review["totals"] and manifest["sealed_through"] > 0
    public = tmp_path / "published.pem"
    public.write_bytes(public_pem(key.public_key()))
    container.close()
    if not container.settings.is_postgres:
        container.settings.sqlite_path.rename(tmp_path / "moved-away.sqlite3")
    offline = tmp_path / "auditor"
    offline.mkdir()

    done = _offline("verify-bundle", str(bundle), "--public-key", str(public), cwd=offline)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intact" in done.stdout
    points = re.escape(review["totals"]["points"])
    assert re.search(rf"│ points\s+│ {points}\s+│ {points}\s+│", done.stdout), done.stdout

    report = verify_bundle(bundle, public_keys=[public])
    assert report.ok and report.totals == review["totals"]
    assert report.sealed_through == manifest["sealed_through"]


def test_a_tampered_bundle_or_a_foreign_key_fails(sealed: Any, tmp_path: Path) -> None:
    container, key = sealed
    seal_chain(container.ledger, key, AUDITOR)
    bundle = tmp_path / "2022.zip"
    export_bundle(container, 2022, bundle)

    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(public_pem(Ed25519PrivateKey.generate().public_key()))
    foreign = verify_bundle(bundle, public_keys=[stranger])
    assert not foreign.ok and "not trusted" in foreign.chain.problem

    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(altered, "w") as dst:
        lines = src.read("events.jsonl").decode().splitlines(keepends=True)
        victim = len(lines) // 3
        lines[victim] = _bump_version(lines[victim])
        dst.writestr("events.jsonl", "".join(lines))
        dst.writestr("manifest.json", src.read("manifest.json"))
    position = int(lines[victim].split(",", 1)[0].lstrip("["))
    done = _offline("verify-bundle", str(altered), cwd=tmp_path)
    assert done.returncode == 1
    assert f"BROKEN at position {position}" in done.stdout


def _bump_version(line: str) -> str:
    position, originator, version, rest = line.split(",", 3)
    return ",".join([position, originator, str(int(version) + 1), rest])
