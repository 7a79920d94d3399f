"""The cost of never losing a write, and how fast writes resume after losing the primary.

``python -m bench standby [--seconds S] [--clients N] [--drills D] [--reads R]``

1. Write throughput over HTTP (volunteer registrations, N clients) on one service whose
   primary has a synchronous standby (``synchronous_commit = remote_apply``), against the
   same service with the standby made asynchronous — alternated, sync/async twice, in
   the same run on the same clusters.
2. D failover drills, each on fresh clusters (tests/failover.py, as the drill test):
   SIGKILL the primary under load, promote the standby; seconds from the kill to the
   first successful write, requests failed meanwhile, acknowledged writes lost (target:
   writes resume within 15 s, 0 lost).
3. Reads of the read models (a volunteer's ledger, the station ranking) served by the
   primary, then by the standby (``VL_READ_DATABASE_URL``), by one service after the
   other on the same store, same run; the answer cache is off in both, since a replica
   never uses it. Also a write followed by a read with ``min_position``: read-your-writes
   on the replica waits for the standby's read models to reach that position.

Needs the PostgreSQL 15 binaries (initdb, pg_ctl, pg_basebackup) and, as root, the
``postgres`` OS user; the clusters are made in a temporary folder and removed after.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.clusters import Cluster, Clusters
from tests.drills import held, registration
from tests.failover import Load, Service, fail_over, pair_url


def _set_sync(primary: Cluster, name: str) -> None:
    primary.sql(f"ALTER SYSTEM SET synchronous_standby_names = '{name}'")
    primary.sql("SELECT pg_reload_conf()")


def _rate(service: Service, clients: int, seconds: float) -> tuple[float, int]:
    """Acknowledged writes a second over ``seconds`` (after a second's warm-up), and
    how many requests were not acknowledged."""
    with Load(service, clients) as load:
        time.sleep(1)
        before = len(load.acks())
        started = time.monotonic()
        time.sleep(seconds)
        done = len(load.acks())
        elapsed = time.monotonic() - started
    failed = sum(a.ack is None for a in load.attempts)
    return (done - before) / elapsed, failed


def throughput(clients: int, seconds: float) -> None:
    clusters = Clusters.create()
    service = None
    try:
        primary = clusters.primary()
        standby = clusters.standby(primary, "pg_b")
        service = Service.start(pair_url(primary, standby), Path(tempfile.mkdtemp()))
        rates: dict[str, list[float]] = {"synchronous standby": [], "asynchronous standby": []}
        for _ in range(2):
            for label, name in (("synchronous standby", "pg_b"), ("asynchronous standby", "")):
                _set_sync(primary, name)
                mode = primary.sql("SELECT sync_state FROM pg_stat_replication")
                rate, failed = _rate(service, clients, seconds)
                rates[label].append(rate)
                print(
                    f"  {label:<21} ({mode[0][0] if mode else 'none'}): {rate:7.1f} writes/s"
                    f"{f', {failed} not acknowledged' if failed else ''}",
                    flush=True,
                )
        sync = statistics.mean(rates["synchronous standby"])
        async_ = statistics.mean(rates["asynchronous standby"])
        print(
            f"write throughput, {clients} clients: {sync:.1f}/s with the synchronous standby, "
            f"{async_:.1f}/s without; the guarantee costs {100 * (1 - sync / async_):.0f} %"
        )
    finally:
        if service is not None:
            service.stop()
        clusters.close()


def _timed(client: httpx.Client, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return times


def _ms(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {1000 * statistics.median(ordered):6.2f} ms, p95 {1000 * p95:6.2f} ms"


def reads(n: int) -> None:
    clusters = Clusters.create()
    service = None
    try:
        primary = clusters.primary()
        standby = clusters.standby(primary, "pg_b")
        tmp = Path(tempfile.mkdtemp())
        service = Service.start(pair_url(primary, standby), tmp, VL_READ_CACHE_SIZE="0")
        env, token = service.env, service.token
        for label, extra in (
            ("primary", {}),
            ("replica", {"VL_READ_DATABASE_URL": standby.url}),
        ):
            if service is None:
                service = Service.serve(env | extra, tmp, token)
            with service.client() as client:
                volunteer = client.get("/volunteers").json()["items"][0]["volunteer_id"]
                ledger = _timed(client, f"/volunteers/{volunteer}/ledger", n)
                ranking = _timed(client, "/rankings?unit=station&period=2022", n)
                own = []
                for i in range(n // 10):
                    written = client.post("/volunteers", json=registration(90_000 + i)).json()
                    started = time.perf_counter()
                    answer = client.get(
                        f"/volunteers/{written['id']}/ledger",
                        params={"min_position": written["position"]},
                    )
                    own.append(time.perf_counter() - started)
                    assert answer.status_code == 200, answer.text
            print(f"  reads on the {label}: ledger {_ms(ledger)}; ranking {_ms(ranking)}")
            print(f"    a write then its read with min_position: {_ms(own)}", flush=True)
            service.stop()
            service = None
    finally:
        if service is not None:
            service.stop()
        clusters.close()


def drill() -> tuple[float, int, set[int | None], int, int]:
    """One failover drill: seconds to resume, failed requests, their statuses, acks, lost."""
    clusters = Clusters.create()
    service = None
    try:
        primary = clusters.primary()
        standby = clusters.standby(primary, "pg_b")
        service = Service.start(pair_url(primary, standby), Path(tempfile.mkdtemp()))
        with Load(service) as load:
            result = fail_over(clusters, primary, standby, load)
        container = bootstrap(Settings(database_url=standby.url))
        try:
            lost = len(result.acks) - len(held(container.ledger, result.acks))
        finally:
            container.close()
        statuses = {a.status for a in result.failed}
        return result.resumed_after, len(result.failed), statuses, len(result.acks), lost
    finally:
        if service is not None:
            service.stop()
        clusters.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench standby", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="per throughput run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--drills", type=int, default=5, help="failover drills")
    parser.add_argument("--reads", type=int, default=200, help="reads of each kind")
    args = parser.parse_args(argv)
    reads(args.reads)
    throughput(args.clients, args.seconds)
    resumed = []
    for n in range(1, args.drills + 1):
        seconds, failed, statuses, acks, lost = drill()
        resumed.append(seconds)
        print(
            f"  drill {n}: writes resumed after {seconds:.2f} s; {failed} requests failed "
            f"(statuses {sorted(statuses, key=str)}); {acks} acknowledged, {lost} lost",
            flush=True,
        )
    if resumed:
        print(
            f"failover over {len(resumed)} drills: writes resumed after "
            f"{min(resumed):.2f}–{max(resumed):.2f} s (median {statistics.median(resumed):.2f} s)"
        )
    return 0
