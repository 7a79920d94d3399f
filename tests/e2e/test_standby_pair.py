"""A primary and its hot standby: the service finds the primary in a multi-host URL, and
serves read-model reads from the standby without breaking read-your-writes.

The standby here is asynchronous (synchronous_standby_names cleared after standby.sh), so
its replay can be paused to hold it behind the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from application.commands.people import RegisterVolunteer
from domain.values import PersonType
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.clusters import Cluster, Clusters
from tests.drills import ACTOR, unique_national_id
from tests.failover import Service, pair_url

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Cluster, Cluster]]:
    clusters = Clusters.create()
    try:
        primary = clusters.primary()
        standby = clusters.standby(primary)
        primary.sql("ALTER SYSTEM RESET synchronous_standby_names")
        primary.sql("SELECT pg_reload_conf()")
        yield primary, standby
    finally:
        clusters.close()


def test_writes_go_to_the_primary_when_the_url_lists_the_standby_first(
    pair: tuple[Cluster, Cluster],
) -> None:
    primary, standby = pair
    container = bootstrap(Settings(database_url=pair_url(standby, primary)))
    try:
        recorded = container.ledger.register_volunteer(
            RegisterVolunteer(
                name="主库",
                national_id=unique_national_id(),
                phone="",
                person_type=PersonType.VETERAN,
                township="嘎鲁图镇",
                skills=[],
            ),
            actor=ACTOR,
        )
    finally:
        container.close()
    assert recorded.position > 0


def test_a_read_with_min_position_waits_for_the_replica_to_apply_it(
    pair: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    primary, standby = pair
    service = Service.start(primary.url, tmp_path, VL_READ_DATABASE_URL=standby.url)
    try:
        with service.client() as client:
            first = client.post("/volunteers", json=_volunteer("甲")).json()
            seen = client.get(
                f"/volunteers/{first['id']}", params={"min_position": first["position"]}
            )
            assert seen.status_code == 200, seen.text
            assert seen.json()["name"] == "甲"

            standby.sql("SELECT pg_wal_replay_pause()")
            try:
                second = client.post("/volunteers", json=_volunteer("乙")).json()
                behind = client.get(
                    f"/volunteers/{second['id']}", params={"min_position": second["position"]}
                )
            finally:
                standby.sql("SELECT pg_wal_replay_resume()")
            caught_up = client.get(
                f"/volunteers/{second['id']}", params={"min_position": second["position"]}
            )
    finally:
        service.stop()
    assert behind.status_code == 503, behind.text
    assert "Retry-After" in behind.headers
    assert caught_up.status_code == 200, caught_up.text
    assert caught_up.json()["name"] == "乙"


def _volunteer(name: str) -> dict[str, object]:
    return {
        "name": name,
        "national_id": unique_national_id(),
        "phone": "13800000000",
        "person_type": "veteran",
        "township": "嘎鲁图镇",
        "skills": [],
    }
