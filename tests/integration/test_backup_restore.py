"""Backup drills: back up while writes go on, lose the store, restore, prove the restore.

The writes the client had acknowledged after the backup are exactly those the restored
store lacks; with PostgreSQL's archived WAL, a point-in-time restore brings back every
write up to the last archived segment, and lacks exactly those after it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.clusters import Cluster, Clusters
from tests.drills import Ack, Writer, cli, held

RESTORED = re.compile(
    r"restored head position (\d+); last seal at position (\d+) .* holds; (\d+) events since; "
    r"chain intact"
)


def _env(url: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    return env | {"VL_DATABASE_URL": url, "VL_SEAL_KEY_PATH": str(tmp / "seal-key.pem")}


def _sealed_store(env: dict[str, str]) -> int:
    """A small demo year, sealed; the seal's position."""
    for args in (
        ("demo", "--volunteers", "3", "--activities", "2", "--townships", "1"),
        ("audit", "keygen"),
        ("audit", "seal"),
    ):
        done = cli(env, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    return int(re.findall(r"the seal is event (\d+)", " ".join(done.stdout.split()))[0])


def _backed_up_during_writes(container: Container, env: dict[str, str], backup: Path) -> Writer:
    """Writes before, during and after ``db backup``; the writer, still writing."""
    writer = Writer(container.ledger)
    writer.start()
    writer.wait_for(20)
    done = cli(env, "db", "backup", str(backup))
    assert done.returncode == 0, done.stdout + done.stderr
    acks = writer.wait_for(len(writer.acks) + 20)
    assert acks
    return writer


def _archived(segment: Path) -> None:
    deadline = time.monotonic() + 60
    while not segment.exists():
        assert time.monotonic() < deadline, f"{segment.name} was not archived in 60 s"
        time.sleep(0.1)


def _restored(output: str) -> tuple[int, int, int]:
    found = RESTORED.search(" ".join(output.split()))
    assert found, output
    head, seal, since = map(int, found.groups())
    return head, seal, since


def _events_after(container: Container, position: int) -> int:
    """How many events the log holds after ``position`` (read back independently)."""
    head = container.ledger.current_position()
    return len(container.ledger.recorder.select_notifications(position + 1, head + 1))


def _after(acks: list[Ack], head: int) -> list[Ack]:
    return [a for a in acks if a.position > head]


def test_sqlite_restore_lacks_exactly_the_writes_after_the_backup(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    env = _env(url, tmp_path)
    seal = _sealed_store(env)
    container = bootstrap(Settings(database_url=url, seal_key_path=tmp_path / "seal-key.pem"))
    try:
        acks = _backed_up_during_writes(container, env, tmp_path / "backup").stop()
    finally:
        container.close()
    for lost in tmp_path.glob("ledger.sqlite3*"):
        lost.unlink()

    done = cli(env, "db", "restore", str(tmp_path / "backup"))

    assert done.returncode == 0, done.stdout + done.stderr
    head, matched, since = _restored(done.stdout)
    restored = bootstrap(Settings(database_url=url))
    try:
        assert restored.ledger.current_position() == head
        assert (matched, since) == (seal, _events_after(restored, seal))
        present = held(restored.ledger, acks)
    finally:
        restored.close()
    missing = [a for a in acks if a not in present]
    assert present and missing, "the backup was not taken while writes went on"
    assert missing == _after(acks, head)


@pytest.fixture
def clusters() -> Iterator[Clusters]:
    made = Clusters.create()
    try:
        yield made
    finally:
        made.close()


def _restore(
    clusters: Clusters, env: dict[str, str], backup: Path, name: str, *extra: str
) -> tuple[Cluster, str]:
    cluster = clusters.adopt(name)
    restored_env = env | {"VL_DATABASE_URL": cluster.url}
    done = cli(
        restored_env,
        "db",
        "restore",
        str(backup),
        "--pgdata",
        str(cluster.pgdata),
        "--port",
        str(cluster.port),
        *extra,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return cluster, done.stdout


@pytest.mark.postgres
def test_postgres_restore_and_point_in_time_restore_from_archived_wal(
    clusters: Clusters, tmp_path: Path
) -> None:
    primary = clusters.primary()
    env = _env(primary.url, tmp_path)
    seal = _sealed_store(env)
    container = bootstrap(Settings(database_url=primary.url))
    try:
        writer = _backed_up_during_writes(container, env, tmp_path / "backup")
        writer.stop()
        # The segment holding every write so far is archived; the writes after it are not.
        segment = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")[0][0]
        archived = writer.acks[:]
        _archived(clusters.archive / str(segment))
        unarchived = Writer(container.ledger)
        unarchived.start()
        unarchived.wait_for(10)
        unarchived.stop()
    finally:
        container.close()
    primary.kill()
    shutil.rmtree(primary.pgdata)

    base, output = _restore(clusters, env, tmp_path / "backup", "restored")
    head, matched, since = _restored(output)
    assert matched == seal
    pitr, output = _restore(
        clusters, env, tmp_path / "backup", "pitr", "--wal-archive", str(clusters.archive)
    )
    pitr_head, matched, _ = _restored(output)
    assert matched == seal

    restored = bootstrap(Settings(database_url=base.url))
    try:
        assert since == _events_after(restored, seal)
        present = held(restored.ledger, archived)
    finally:
        restored.close()
    missing = [a for a in archived if a not in present]
    assert present and missing, "the backup was not taken while writes went on"
    assert missing == _after(archived, head)

    recovered = bootstrap(Settings(database_url=pitr.url))
    try:
        assert held(recovered.ledger, archived) == archived
        assert held(recovered.ledger, unarchived.acks) == []
        assert pitr_head == archived[-1].position
    finally:
        recovered.close()
