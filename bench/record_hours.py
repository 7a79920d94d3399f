"""Recording one service-hours event: our use case against the bare library's ``save``.

For SQLite (a temporary file) and PostgreSQL (a fresh database ``vl_bench_<random>`` on
127.0.0.1:5432, dropped afterwards; skipped with a message when unreachable), in one run:

(a) ours: K calls of ``VolunteerLedger.record_hours``, each on a different (activity,
    volunteer) pair, at most ``--per-activity`` signed-up participants per activity,
    intervals that never overlap; each call loads the activity and the volunteer, checks,
    and saves one event;
(b) bare: K saves of one small new event on an existing trivial aggregate through a plain
    ``eventsourcing.application.Application`` with the same environment;
(c) the ratio ours/bare; the target is ≥ 0.8.

``--variants`` picks how ours is wired: ``default`` (exactly as ``bootstrap`` wires the
service), ``no-cache``, ``cache`` (aggregate cache with fast-forward) or ``cache-no-ff``
(bench only; the service's wiring is unchanged) or ``no-chain`` (the library's own
recorder, without the hash chain: ``--variants default,no-chain`` prints what chaining
costs; target ≤ 10 %). ``--profile`` prints where our use case
spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from application.commands.activities import PlanActivity, PublishActivity, RecordHours, SignUp
from application.commands.people import FormTeam, RecordInsurance, RegisterVolunteer
from application.commands.stations import RegisterStation
from application.ledger import VolunteerLedger
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    InsuranceKind,
    Interval,
    PersonType,
    Role,
    StationLevel,
    TeamLevel,
    national_id_check_char,
)
from infrastructure.bootstrap import bootstrap, fast_mapper
from infrastructure.persistence import event_store_env
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from infrastructure.transcodings import ledger_transcodings

TARGET = 0.8
CHAIN_COST_TARGET = 0.10
TZ = timezone(timedelta(hours=8))
OFFICE = Actor("bench-office", Role.ADMIN)
STAFF = Actor("bench-staff", Role.STATION_STAFF)
_CACHE_KEYS = ("AGGREGATE_CACHE_MAXSIZE", "AGGREGATE_CACHE_FASTFORWARD")
# Library settings layered on the service's own environment (bench only).
VARIANTS: dict[str, dict[str, str | None]] = {
    # The service exactly as bootstrap() wires it from Settings.
    "default": {},
    # No aggregate cache: every load replays the aggregate's events from the store.
    "no-cache": dict.fromkeys(_CACHE_KEYS),
    # The library's aggregate cache with fast-forward (each load reads newer events, so
    # several writing processes stay correct); loads deep-copy the cached aggregate.
    "cache": {"AGGREGATE_CACHE_MAXSIZE": "10000", "AGGREGATE_CACHE_FASTFORWARD": "y"},
    # No fast-forward: only correct while this process is the store's only writer.
    "cache-no-ff": {"AGGREGATE_CACHE_MAXSIZE": "10000", "AGGREGATE_CACHE_FASTFORWARD": "n"},
    # The library's own recorder: no hash chain (what chaining costs on the write path).
    "no-chain": {"APPLICATION_RECORDER_TOPIC": None},
}
# The bare baseline is the library as it comes: its own recorder, no chain.
BARE_REMOVES = ("APPLICATION_RECORDER_TOPIC",)
_serial = itertools.count(1)


class Trivial(Aggregate):
    """The bare baseline's aggregate: one integer, explicit topics like ours."""

    TOPIC = "bench:Trivial"

    class Created(Aggregate.Created):
        TOPIC = "bench:Trivial.Created"

    @event("Started", topic="bench:Trivial.Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Bumped", topic="bench:Trivial.Bumped")
    def bump(self, count: int) -> None:
        self.count = count


class BareBaseline(Application[UUID]):
    name = "BareBaseline"


@dataclass
class Row:
    store: str
    variant: str
    ops: int
    ours: float
    bare: float

    @property
    def ratio(self) -> float:
        return self.ours / self.bare


# --------------------------------------------------------------------------- stores


@contextmanager
def sqlite_store() -> Iterator[Settings]:
    folder = Path(tempfile.mkdtemp(prefix="vl-bench-"))
    try:
        yield Settings(database_url=f"sqlite:///{folder / 'bench.sqlite3'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_store(admin_url: str) -> Iterator[Settings]:
    import psycopg
    from psycopg import sql

    name = f"vl_bench_{secrets.token_hex(4)}"
    admin = urlsplit(admin_url)
    conninfo = psycopg.conninfo.make_conninfo(
        host=admin.hostname or "127.0.0.1",
        port=admin.port or 5432,
        user=admin.username or "postgres",
        password=admin.password or "",
        dbname=admin.path.lstrip("/") or "postgres",
        connect_timeout=3,
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Settings(database_url=urlunsplit(admin._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def postgres_reachable(admin_url: str) -> str | None:
    """None when we can connect; else why not."""
    try:
        import psycopg

        url = urlsplit(admin_url)
        with psycopg.connect(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or "",
            dbname=url.path.lstrip("/") or "postgres",
            connect_timeout=3,
        ):
            return None
    except Exception as e:  # any failure means: skip PostgreSQL, say why
        return f"{type(e).__name__}: {e}".strip()


# --------------------------------------------------------------------------- workloads


def variant_env(settings: Settings, variant: str) -> dict[str, str]:
    """The service's library environment with the variant's keys set (None: removed)."""
    env = event_store_env(settings)
    for key, value in VARIANTS[variant].items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def make_ledger(settings: Settings, variant: str) -> VolunteerLedger:
    """The service's own wiring, or the same with other library settings (bench only)."""
    if not VARIANTS[variant]:
        return bootstrap(settings).ledger
    return VolunteerLedger(
        rulebook=load_rulebook(settings.rulebook_path),
        env=variant_env(settings, variant),
        transcodings=ledger_transcodings(),
        mapper=fast_mapper,
    )


Pair = tuple[UUID, UUID, Interval]


def prepare(ledger: VolunteerLedger, n_pairs: int, per_activity: int) -> list[Pair]:
    """A team, insured volunteers and one-day activities; one (activity, volunteer) pair per op.

    Volunteers sign up beforehand, so each timed call records exactly one event (the
    hours), like the bare baseline's save. Every activity is on its own day, so a
    volunteer's intervals never overlap.
    """
    station = ledger.register_station(
        RegisterStation(
            name=f"巴彦镇退役军人服务站{next(_serial)}",
            level=StationLevel.TOWNSHIP,
            township="巴彦镇",
            parent_id=None,
        ),
        actor=OFFICE,
    ).id
    team = ledger.form_team(
        FormTeam(
            name=f"基准测试服务队{next(_serial)}",
            level=TeamLevel.TOWNSHIP,
            township="巴彦镇",
            station_id=station,
        ),
        actor=OFFICE,
    ).id
    volunteers = []
    for _ in range(min(per_activity, n_pairs)):
        first17 = f"152530198001{next(_serial) % 10**5:05d}"
        vid = ledger.register_volunteer(
            RegisterVolunteer(
                name="巴特尔",
                national_id=first17 + national_id_check_char(first17),
                phone="13947900000",
                person_type=PersonType.VETERAN,
                township="巴彦镇",
                skills=["驾驶"],
            ),
            actor=STAFF,
        ).id
        ledger.record_insurance(
            RecordInsurance(
                volunteer_id=vid,
                policy_number="BENCH-GRP",
                insurer="bench insurer",
                kind=InsuranceKind.GROUP,
                covers_from=date(2020, 1, 1),
                covers_to=date(2099, 12, 31),
                sum_insured=Decimal(100000),
            ),
            actor=OFFICE,
        )
        volunteers.append(vid)
    pairs: list[Pair] = []
    day = date(2022, 1, 1)
    while len(pairs) < n_pairs:
        at = datetime(day.year, day.month, day.day, tzinfo=TZ)
        activity = ledger.plan_activity(
            PlanActivity(
                title="卫生健康知识进嘎查",
                category=Category("health_education"),
                team_id=team,
                township="巴彦镇",
                station_id=station,
                location="巴彦镇乌兰嘎查",
                window=Interval(at + timedelta(hours=8), at + timedelta(hours=18)),
                beneficiary_types=[BeneficiaryType.PUBLIC],
                capacity=per_activity,
            ),
            actor=STAFF,
        ).id
        ledger.publish_activity(PublishActivity(activity_id=activity), actor=STAFF)
        shift = Interval(at + timedelta(hours=9), at + timedelta(hours=12))
        for volunteer in volunteers[: n_pairs - len(pairs)]:
            ledger.sign_up(SignUp(activity_id=activity, volunteer_id=volunteer), actor=STAFF)
            pairs.append((activity, volunteer, shift))
        day += timedelta(days=1)
    return pairs


def time_ours(ledger: VolunteerLedger, pairs: list[Pair]) -> float:
    began = time.perf_counter()
    for activity, volunteer, interval in pairs:
        ledger.record_hours(
            RecordHours(
                activity_id=activity,
                volunteer_id=volunteer,
                interval=interval,
                source=HoursSource.CHECKIN,
            ),
            actor=STAFF,
        )
    return len(pairs) / (time.perf_counter() - began)


def measure_ours(
    settings: Settings,
    variant: str,
    ops: int,
    warmup: int,
    per_activity: int,
    profile: Callable[[Callable[[], float]], float] | None = None,
) -> float:
    ledger = make_ledger(settings, variant)
    try:
        pairs = prepare(ledger, warmup + ops, per_activity)
        time_ours(ledger, pairs[:warmup])
        timed = pairs[warmup:]
        if profile is not None:
            return profile(lambda: time_ours(ledger, timed))
        return time_ours(ledger, timed)
    finally:
        ledger.close()


def measure_bare(settings: Settings, ops: int, warmup: int) -> float:
    """The bare library: one small event saved per call, on the service's environment."""
    env = event_store_env(settings)
    for key in BARE_REMOVES:
        env.pop(key)
    app = BareBaseline(env=env)
    try:
        trivial = Trivial()
        app.save(trivial)
        for i in range(warmup):
            trivial.bump(i)
            app.save(trivial)
        began = time.perf_counter()
        for i in range(ops):
            trivial.bump(i)
            app.save(trivial)
        return ops / (time.perf_counter() - began)
    finally:
        app.close()


def profiled(run: Callable[[], float]) -> float:
    profiler = cProfile.Profile()
    rate = profiler.runcall(run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    print(out.getvalue())
    return rate


# --------------------------------------------------------------------------- report


def table(rows: list[Row]) -> str:
    head = f"{'store':<10} {'variant':<12} {'ops':>6} {'ours ops/s':>11} {'bare ops/s':>11} {'ours/bare':>9}  target ≥ {TARGET}"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = "met" if r.ratio >= TARGET else "NOT met"
        lines.append(
            f"{r.store:<10} {r.variant:<12} {r.ops:>6} {r.ours:>11,.0f} {r.bare:>11,.0f} "
            f"{r.ratio:>9.2f}  {verdict}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench record_hours", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--ops", type=int, default=2000, help="timed operations per measurement")
    parser.add_argument("--pg-ops", type=int, default=None, help="PostgreSQL override of --ops")
    parser.add_argument("--warmup", type=int, default=200, help="untimed operations first")
    parser.add_argument("--per-activity", type=int, default=50, help="participants per activity")
    parser.add_argument("--stores", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--variants", default="default,no-chain", help=",".join(VARIANTS))
    parser.add_argument(
        "--pg-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin connection used to create and drop the bench database",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds interleaving the variants; best of each"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile our use case")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    rows: list[Row] = []
    for store in [s.strip() for s in args.stores.split(",") if s.strip()]:
        if store == "sqlite":
            opener, ops = sqlite_store, args.ops
        elif store == "postgres":
            why = postgres_reachable(args.pg_url)
            if why:
                print(f"PostgreSQL skipped: cannot connect to {args.pg_url} ({why})")
                continue
            opener, ops = (lambda: postgres_store(args.pg_url)), args.pg_ops or args.ops
        else:
            parser.error(f"unknown store {store!r}")
        with opener() as settings:
            # Rounds interleave the variants (and each with the bare baseline), so a slow
            # spell of the machine does not land on one variant only; best of each.
            best: dict[str, tuple[float, float]] = {v: (0.0, 0.0) for v in variants}
            for _ in range(args.rounds):
                for variant in variants:
                    profile = profiled if args.profile else None
                    if profile:
                        print(f"--- profile: {store} / {variant}")
                    bare = measure_bare(settings, ops, args.warmup)
                    ours = measure_ours(
                        settings, variant, ops, args.warmup, args.per_activity, profile
                    )
                    print(
                        f"{store}/{variant}: ours {ours:,.0f} ops/s, bare {bare:,.0f} ops/s",
                        flush=True,
                    )
                    best[variant] = (max(best[variant][0], ours), max(best[variant][1], bare))
            rows += [Row(store, v, ops, *best[v]) for v in variants]
    print()
    print("record_hours: our use case vs the bare library's save (same store, same run)")
    print(table(rows))
    chained = {r.store: r.ours for r in rows if r.variant == "default"}
    for r in rows:
        if r.variant == "no-chain" and r.store in chained:
            cost = 1 - chained[r.store] / r.ours
            verdict = "met" if cost <= CHAIN_COST_TARGET else "NOT met"
            print(
                f"{r.store}: hash chaining costs {cost:.1%} of record-hours throughput "
                f"({chained[r.store]:,.0f} vs {r.ours:,.0f} ops/s without); "
                f"target ≤ {CHAIN_COST_TARGET:.0%}: {verdict}"
            )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
