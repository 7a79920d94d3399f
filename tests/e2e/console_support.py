"""What the console's browser tests share: a `serve` process on the demo year, Chromium, sign-in.

The server is started exactly as a newcomer's `make run` starts it (`volunteer-ledger
serve` on an empty store: the demo year, an admin and its console password file).
Chromium is Debian's (/usr/bin/chromium) driven by Playwright; no browser is downloaded.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.http_support import CLI, Api

CHROMIUM = os.environ.get("VL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}
PASSWORD = "console-password-1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Console:
    """A running `serve`: its URL, the API handle (tokens), the store file, the admin password."""

    base_url: str
    api: Api
    database: Path
    admin_password: str
    process: subprocess.Popen[bytes]
    log: IO[str]
    log_path: Path
    passwords: dict[str, str] = field(default_factory=dict)

    def add_person(self, name: str, *args: str) -> None:
        """A user with an API token and a console password (`users add ... --password-stdin`)."""
        done = subprocess.run(
            [CLI, "users", "add", name, *args, "--password-stdin"],
            env=self.api.env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        self.api.tokens[name] = done.stdout.strip().splitlines()[-1]
        self.passwords[name] = PASSWORD

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Read the store's file directly (to choose test data; never to check behaviour)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            return db.execute(sql, params).fetchall()


def start(tmp: Path, port: int, settings: dict[str, str] | None = None) -> Console:
    """``serve`` on an empty store in ``tmp``; ``settings`` adds ``VL_`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env.update(settings or {})
    database = tmp / "ledger.sqlite3"
    env["VL_DATABASE_URL"] = f"sqlite:///{database}"
    env["VL_SEAL_KEY_PATH"] = str(tmp / "seal-key.pem")
    log_path = tmp / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # the demo year is recorded first
    while True:
        assert process.poll() is None, log_path.read_text()
        try:
            ready = httpx.get(f"{base_url}/readyz", timeout=2)
            if ready.status_code == 200 and ready.json()["lag"] == 0:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "serve did not come up in 240 s"
        time.sleep(0.5)
    printed = log_path.read_text()
    found = re.search(r"password in (\S+)", printed)
    assert found, printed
    password_file = Path(found.group(1))
    return Console(
        base_url=base_url,
        api=Api(base_url, env),
        database=database,
        admin_password=password_file.read_text().strip(),
        process=process,
        log=log,
        log_path=log_path,
    )


def sign_in(
    browser: Browser, console: Console, name: str, viewport: dict[str, int] = OFFICE
) -> Page:
    """A fresh browser context signed in as ``name`` through the sign-in page."""
    context: BrowserContext = browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{console.base_url}/login")
    page.fill("#name", name)
    password = console.admin_password if name == "admin" else console.passwords[name]
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.base_url}/")
    return page


def form_value(page: Page, selector: str) -> str:
    value = page.get_attribute(selector, "value")
    assert value is not None, selector
    return value


class InsuredMembers:
    """Active members of the township's teams insured on ``day``, handed out once each (one
    volunteer's hours in two activities at the same time would be refused as overlapping);
    with ``team_only`` only those of the first team, where ``team_id`` and ``station`` are."""

    def __init__(self, console: Console, township: str, day: str, *, team_only: bool) -> None:
        rows = console.query(
            "SELECT t.team_id, t.station_id, m.volunteer_id FROM rm_team t "
            "JOIN rm_team_member m ON m.team_id = t.team_id "
            "JOIN rm_volunteer v ON v.volunteer_id = m.volunteer_id "
            "WHERE t.township = ? AND v.status = 'active' AND EXISTS (SELECT 1 FROM in_policy p "
            "WHERE p.volunteer_id = m.volunteer_id AND p.cancelled = 0 "
            "AND p.covers_from <= ? AND p.covers_to >= ?) ORDER BY m.volunteer_id",
            (township, day, day),
        )
        self.team_id, self.station = str(rows[0][0]), str(rows[0][1])
        self.free = [str(r[2]) for r in rows if not team_only or str(r[0]) == self.team_id]

    def take(self, count: int) -> list[str]:
        """The first ``count`` not yet handed out."""
        assert len(self.free) >= count, "the demo team has too few insured members left"
        taken, self.free = self.free[:count], self.free[count:]
        return taken

    def pop(self) -> str:
        """The last one not yet handed out."""
        return self.free.pop()
