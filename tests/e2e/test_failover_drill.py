"""Failover drill: the primary dies under load, the standby is promoted, no acknowledged
write is lost and the service writes again without being reconfigured.

The hard case: the standby is cut off the primary (its replication connection goes
through a proxy the test cuts) half a second before the primary is killed, so the
writes of that half second reach the primary alone.

The primary commits with ``synchronous_commit = remote_apply`` and its standby as the
synchronous one (deploy/postgres), so whatever the service acknowledged is already
applied on the standby when the primary is SIGKILLed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.clusters import Cluster, Clusters
from tests.drills import Ack, cli, held, registration
from tests.e2e.tcp_proxy import TcpProxy
from tests.failover import Drill, Load, Service, fail_over, pair_url
from tests.integration.projection_support import assert_equal_to_clean_replay

pytestmark = pytest.mark.postgres


@dataclass
class Drilled:
    drill: Drill
    service: Service
    clusters: Clusters
    old: Cluster  # the primary that was killed
    promoted: Cluster


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drilled]:
    """One drill, run once for the module's checks; clusters and service stopped after."""
    clusters = Clusters.create()
    service = None
    try:
        primary = clusters.primary()
        link = TcpProxy(("127.0.0.1", primary.port))  # the replication link, cut before the kill
        standby = clusters.standby(primary, via=link.port)
        service = Service.start(pair_url(primary, standby), tmp_path_factory.mktemp("failover"))
        with Load(service) as load:
            drill = fail_over(clusters, primary, standby, load, partition=link.cut)
        print(
            f"\nfailover drill: writes resumed {drill.resumed_after:.2f} s after the kill; "
            f"{len(drill.failed)} requests failed meanwhile "
            f"({sorted({a.status for a in drill.failed}, key=str)}); "
            f"{len(drill.acks)} writes acknowledged"
        )
        yield Drilled(drill, service, clusters, primary, standby)
    finally:
        if service is not None:
            service.stop()
        clusters.close()


def test_every_acknowledged_write_survives_exactly_once(
    drilled: Drilled,
) -> None:
    container = bootstrap(Settings(database_url=drilled.promoted.url))
    try:
        assert held(container.ledger, drilled.drill.acks) == drilled.drill.acks
    finally:
        container.close()


def test_requests_during_the_failover_get_503_and_none_hangs(
    drilled: Drilled,
) -> None:
    drill = drilled.drill
    assert drill.failed, "the kill did not interrupt the load"
    assert {(a.status, a.error[:80] if a.status != 503 else "") for a in drill.failed} == {
        (503, "")
    }


def test_the_chain_verifies_on_the_promoted_standby(drilled: Drilled) -> None:
    done = cli(drilled.service.env, "audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intact" in done.stdout


def test_read_models_catch_up_and_equal_a_rebuild(drilled: Drilled) -> None:
    service = drilled.service
    last = max(a.position for a in drilled.drill.acks)
    deadline = time.monotonic() + 60
    while (ready := httpx.get(f"{service.base_url}/readyz", timeout=10)).json().get("lag") != 0:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.2)
    assert ready.json()["read_position"] >= last
    container = bootstrap(Settings(database_url=drilled.promoted.url))
    try:
        assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)
    finally:
        container.close()


def test_the_old_primary_rejoins_as_the_synchronous_standby(drilled: Drilled) -> None:
    drilled.clusters.rejoin(drilled.old, drilled.promoted, "pg_a")
    with drilled.service.client() as client:
        written = client.post("/volunteers", json=registration(10_000))
    assert written.status_code == 201, written.text
    replicas = drilled.promoted.sql("SELECT application_name, sync_state FROM pg_stat_replication")
    assert replicas == [("pg_a", "sync")]
    container = bootstrap(Settings(database_url=drilled.old.url, create_event_tables=False))
    try:  # remote_apply: the write was applied on the rejoined standby before its answer
        ack = Ack(written.json()["id"], written.json()["position"])
        assert held(container.ledger, [ack]) == [ack]
    finally:
        container.close()
