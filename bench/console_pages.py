"""Office console page render time over the demo year on PostgreSQL (target: p95 ≤ 100 ms).

The demo programme year is recorded into a fresh PostgreSQL database through the use
cases and every projection caught up; then the dashboard, one activity's page and one
volunteer's profile are each asked for ``--requests`` times, signed in as an admin, through
the whole ASGI stack of the app `serve` runs (middleware, session, templates) in this
process: the time is the server's, without a network or a browser.
"""

from __future__ import annotations

import argparse
import re
import time

from fastapi.testclient import TestClient

from application.readmodel.tables import ACTIVITY, ENTRY
from bench.record_hours import postgres_reachable, postgres_store
from demo import generate_year
from infrastructure.accounts import Accounts
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.users import UserStore
from interfaces.http.app import create_app

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 100.0
PASSWORD = "bench-password-1"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _measure(container: Container, pages: dict[str, str], requests: int, label: str) -> float:
    """Sign in as the bench admin and ask for each page ``requests`` times; the worst p95."""
    worst = 0.0
    with TestClient(create_app(container)) as client:
        form = client.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None
        signed = client.post(
            "/login",
            data={"name": "bench-admin", "password": PASSWORD, "csrf": csrf.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        for name, path in pages.items():
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            p50, p95 = pct(times, 50), pct(times, 95)
            if label == "cache on":
                worst = max(worst, p95)
            print(
                f"{label:9} {name:18} {requests} requests: p50 {p50:6.1f} ms, "
                f"p95 {p95:6.1f} ms, max {max(times):6.1f} ms"
            )
    return worst


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench console_pages", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    args = parser.parse_args(argv)
    if (problem := postgres_reachable(ADMIN_URL)) is not None:
        print(f"PostgreSQL unreachable, console_pages skipped: {problem}")
        return 0
    with postgres_store(ADMIN_URL) as settings:
        container = bootstrap(settings.model_copy(update={"run_projections": False}))
        try:
            started = time.perf_counter()
            generate_year(container.ledger)
            container.runner().catch_up()
            print(f"demo year recorded and projected in {time.perf_counter() - started:.1f} s")
            UserStore(container.store).add("bench-admin", "admin")
            Accounts(container.store).set_password("bench-admin", PASSWORD)
            activity = container.store.select(ACTIVITY, {"status": "verified"}, limit=1)[0]
            entry = container.store.select(ENTRY, {"kind": "award"}, limit=1)[0]
            pages = {
                "dashboard": "/",
                "activity": f"/activities/{activity['activity_id']}",
                "volunteer profile": f"/volunteers/{entry['volunteer_id']}",
            }
            worst = 0.0
            # The same pages with the answer cache off (every figure computed per request,
            # as the dashboard always was) and on (computed once between two writes).
            for label, cache_size in (("cache off", 0), ("cache on", settings.read_cache_size)):
                served = bootstrap(
                    settings.model_copy(
                        update={"run_projections": False, "read_cache_size": cache_size}
                    )
                )
                try:
                    worst = max(worst, _measure(served, pages, args.requests, label))
                finally:
                    served.close()
        finally:
            container.close()
    verdict = "met" if worst <= TARGET_MS else "NOT met"
    print(f"target p95 ≤ {TARGET_MS:.0f} ms: {verdict} (worst p95 {worst:.1f} ms)")
    return 0
