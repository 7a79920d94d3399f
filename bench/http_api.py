"""The HTTP API on PostgreSQL, with the server started as in production.

One run, one fresh database; the service as docker-compose runs it: ``volunteer-ledger
serve`` with ``VL_RUN_PROJECTIONS=false`` and ``--workers`` API processes (default 2,
one per core here), beside a ``volunteer-ledger projections run`` worker process; a user
token from ``volunteer-ledger users add``. The timed clients are the light asyncio client
of ``bench._client`` (httpx costs more CPU per request than the server does):

(a) service hours recorded over HTTP by 16 concurrent clients: throughput and p50/p99
    latency, beside the bare library's ``save`` rate on the same database (target ≥ 0.6 ×);
(b) a bulk sign-in sheet (CSV) imported in one request: records/s (target ≥ 5,000);
(c) ledger and ranking reads by 32 concurrent clients: p50/p99 (target p99 ≤ 20 ms).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench._client import Connection, concurrently
from bench._cpu import cpu_seconds, load_average, process_tree
from bench.record_hours import measure_bare, postgres_reachable, postgres_store
from domain.values import national_id_check_char
from infrastructure.settings import Settings

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DAY0 = date(2022, 3, 1)
COLD = 5


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Processes:
    """What the server runs as: the API processes (``serve`` and its workers), projections."""

    api: int = 0
    projections: int = 0
    database: str = ""

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: API processes, projection worker, the database's backends."""
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            backends = [
                int(row[0])
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
                )
            ]
        return {
            "API": cpu_seconds(process_tree(self.api)),
            "projections": cpu_seconds(process_tree(self.projections)),
            "PostgreSQL": cpu_seconds(backends),
            "client": time.process_time(),
        }


PROCESSES = Processes()


@contextmanager
def server(settings: Settings, workers: int) -> Iterator[tuple[str, dict[str, str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = settings.database_url
    env["VL_RUN_PROJECTIONS"] = "false"  # as in docker-compose.yml: a worker process runs them
    env["VL_ACCESS_LOG"] = "false"  # as in docker-compose.yml
    cli = [sys.executable, "-m", "interfaces.cli"]
    subprocess.run(
        [*cli, "users", "add", "bench-admin", "--role", "admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    token = (
        subprocess.run(
            [*cli, "users", "add", "bench-staff", "--role", "admin"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        .strip()
    )
    port = _port()
    proc = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    PROCESSES.api, PROCESSES.database = proc.pid, urlsplit(settings.database_url).path[1:]
    projections = None
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        # After serve has created the tables (and recorded the demo year into the empty store).
        projections = subprocess.Popen(
            [*cli, "projections", "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        PROCESSES.projections = projections.pid
        yield base, {"Authorization": f"Bearer {token}"}
    finally:
        for p in (proc, projections):
            if p is not None:
                p.terminate()
                p.wait(timeout=20)


def _post(client: httpx.Client, path: str, body: Any) -> dict[str, Any]:
    r = client.post(path, json=body)
    assert r.status_code in (200, 201), (path, r.status_code, r.text)
    result: dict[str, Any] = r.json()
    return result


def setup(
    client: httpx.Client, volunteers: int, activities: int
) -> tuple[list[str], list[str], str]:
    station = _post(
        client,
        "/api/v1/stations",
        {"name": "巴彦镇退役军人服务站", "level": "township", "township": "巴彦镇"},
    )["id"]
    team = _post(
        client,
        "/api/v1/teams",
        {"name": "压测队", "level": "township", "township": "巴彦镇", "station_id": station},
    )["id"]
    people = []
    for i in range(volunteers):
        first17 = f"1501021980{i // 10000 % 10}{i % 10000:04d}01{i % 10:d}"[:17].ljust(17, "0")
        vid = _post(
            client,
            "/api/v1/volunteers",
            {
                "name": f"志愿者{i}",
                "national_id": first17 + national_id_check_char(first17),
                "phone": "13800000000",
                "person_type": "veteran",
                "township": "巴彦镇",
                "skills": [],
            },
        )["id"]
        _post(
            client,
            f"/api/v1/volunteers/{vid}/insurance",
            {
                "policy_number": f"P-{i}",
                "insurer": "中国人保",
                "kind": "group",
                "covers_from": "2022-01-01",
                "covers_to": "2022-12-31",
                "sum_insured": "100000",
            },
        )
        people.append(vid)
    acts = []
    for a in range(activities):
        day = DAY0 + timedelta(days=a)
        acts.append(
            _post(
                client,
                "/api/v1/activities",
                {
                    "title": f"活动{a}",
                    "category": "health_education",
                    "team_id": team,
                    "township": "巴彦镇",
                    "station_id": station,
                    "location": "广场",
                    "starts_at": f"{day}T08:00:00+08:00",
                    "ends_at": f"{day}T18:00:00+08:00",
                    "beneficiary_types": ["veteran"],
                    "capacity": volunteers + 1,
                },
            )["id"]
        )
    return people, acts, team


def settle(client: httpx.Client) -> None:
    """Wait until the projection worker has caught up (the demo year ``serve`` recorded into
    the empty store, and the setup): a running service's worker follows the log, it does
    not take CPU from the timed requests to catch up on history."""
    while (ready := client.get("/readyz").json())["lag"] > 0:
        time.sleep(0.2)
    assert ready["status"] == "ready", ready


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000 if len(values) > 1 else 0.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench http_api", description=__doc__)
    parser.add_argument("--volunteers", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--sheet", type=int, default=2000, help="rows in the bulk sheet")
    parser.add_argument(
        "--reads",
        type=int,
        default=500,
        help="reads per reading client (the first few of each find every answer cold)",
    )
    parser.add_argument("--workers", type=int, default=2, help="API processes (serve --workers)")
    args = parser.parse_args(argv)
    if (problem := postgres_reachable(ADMIN_URL)) is not None:
        print(f"PostgreSQL unreachable, http_api skipped: {problem}")
        return 0
    per_client = 2
    with postgres_store(ADMIN_URL) as settings, server(settings, args.workers) as (base, headers):
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            people, acts, team = setup(client, args.volunteers, args.clients * per_client + 1)
            settle(client)

        async def record(i: int, client: Connection) -> list[float]:
            out = []
            for a in acts[i * per_client : (i + 1) * per_client]:
                day = (DAY0 + timedelta(days=acts.index(a))).isoformat()
                for vid in people:
                    began = time.perf_counter()
                    r = await client.post(
                        f"/api/v1/activities/{a}/hours",
                        {
                            "volunteer_id": vid,
                            "started_at": f"{day}T09:00:00+08:00",
                            "ended_at": f"{day}T11:00:00+08:00",
                            "source": "checkin",
                        },
                    )
                    out.append(time.perf_counter() - began)
                    assert r.status == 200, r.body
            return out

        before = PROCESSES.cpu()
        seconds, latencies = concurrently(args.clients, record, base, headers)
        used = {k: v - before[k] for k, v in PROCESSES.cpu().items()}
        hours_rate = len(latencies) / seconds
        bare = measure_bare(settings, 2000, 200)
        print(
            f"(a) hours over HTTP, {args.clients} clients: {len(latencies):,} requests, "
            f"{hours_rate:,.0f}/s, p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms; "
            f"bare library save {bare:,.0f}/s; ratio {hours_rate / bare:.2f} (target ≥ 0.6)",
            flush=True,
        )
        print(
            "    CPU ms per request: "
            + ", ".join(f"{k} {v * 1000 / len(latencies):.2f}" for k, v in used.items())
            + f"; machine load average {load_average()}",
            flush=True,
        )

        day = (DAY0 + timedelta(days=len(acts) - 1)).isoformat()
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            more = [
                _post(
                    client,
                    "/api/v1/volunteers",
                    {
                        "name": f"签到{i}",
                        "national_id": (f := f"1502031990{i:05d}01"[:17])
                        + national_id_check_char(f),
                        "phone": "",
                        "person_type": "veteran",
                        "township": "巴彦镇",
                        "skills": [],
                    },
                )["id"]
                for i in range(args.sheet)
            ]
            for i, vid in enumerate(more):
                _post(
                    client,
                    f"/api/v1/volunteers/{vid}/insurance",
                    {
                        "policy_number": f"S-{i}",
                        "insurer": "中国人保",
                        "kind": "group",
                        "covers_from": "2022-01-01",
                        "covers_to": "2022-12-31",
                        "sum_insured": "100000",
                    },
                )
            big = _post(
                client,
                "/api/v1/activities",
                {
                    "title": "大型活动",
                    "category": "civilized_city",
                    "team_id": team,
                    "township": "巴彦镇",
                    "station_id": client.get(f"/api/v1/teams/{team}").json()["station_id"],
                    "location": "体育场",
                    "starts_at": f"{day}T08:00:00+08:00",
                    "ends_at": f"{day}T18:00:00+08:00",
                    "beneficiary_types": ["public"],
                    "capacity": args.sheet,
                },
            )["id"]
            csv = "volunteer_id,started_at,ended_at,source\n" + "".join(
                f"{vid},{day}T13:00:00+08:00,{day}T16:00:00+08:00,checkin\n" for vid in more
            )
            before = PROCESSES.cpu()
            began = time.perf_counter()
            r = client.post(
                f"/api/v1/activities/{big}/hours/bulk",
                content=csv.encode(),
                headers={"Content-Type": "text/csv"},
            )
            sheet_seconds = time.perf_counter() - began
            used = {k: v - before[k] for k, v in PROCESSES.cpu().items() if k != "projections"}
            assert r.status_code == 200, r.text[:500]
            position = r.json()["position"]
            print(
                f"(b) bulk sheet: {args.sheet:,} rows in {sheet_seconds:.2f} s = "
                f"{args.sheet / sheet_seconds:,.0f} records/s (target ≥ 5,000)",
                flush=True,
            )
            print(
                "    CPU s: "
                + ", ".join(f"{k} {v:.2f}" for k, v in used.items())
                + f"; machine load average {load_average()}",
                flush=True,
            )
            client.get(f"/api/v1/volunteers/{people[0]}/ledger", params={"min_position": position})
            settle(client)  # every read model, not only the ledger, has the sheet

        async def read(i: int, client: Connection) -> list[float]:
            out = []
            for n in range(args.reads):
                path = (
                    f"/api/v1/volunteers/{people[(i + n) % len(people)]}/ledger"
                    if n % 2
                    else "/api/v1/rankings?unit=station&period=2022-Q1"
                )
                began = time.perf_counter()
                r = await client.get(path)
                out.append(time.perf_counter() - began)
                assert r.status == 200, r.body
            return out

        read_seconds, read_latencies = concurrently(32, read, base, headers)
        # After the writes every answer is cold: each API process computes each ledger
        # (and the ranking) once, within about the first COLD reads of each client.
        cold = [x for i in range(32) for x in read_latencies[i * args.reads :][:COLD]]
        warm = [x for i in range(32) for x in read_latencies[i * args.reads :][COLD : args.reads]]
        print(
            f"(c) reads, 32 clients: {len(read_latencies):,} in {read_seconds:.2f} s, "
            f"p50 {pct(read_latencies, 50):.1f} ms, p99 {pct(read_latencies, 99):.1f} ms "
            f"(target p99 ≤ 20 ms); the first {COLD} reads of each client (cold answers): "
            f"p50 {pct(cold, 50):.1f} ms, p99 {pct(cold, 99):.1f} ms, max {max(cold) * 1000:.1f} ms; "
            f"the rest: p99 {pct(warm, 99):.1f} ms",
            flush=True,
        )
    return 0
