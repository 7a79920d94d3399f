"""What the e2e tests share with their fixtures: the callers' townships and a handle on a server."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

BIN = Path(sys.executable).parent
CLI = str(BIN / "volunteer-ledger")
TOWNSHIP = "巴彦镇"
OTHER_TOWNSHIP = "新民镇"
METRICS_TOKEN = "e2e-metrics-token"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@dataclass
class Api:
    """A running server: its base URL, the environment of its store, and callers' tokens."""

    base_url: str
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=f"{self.base_url}/api/v1", headers=headers, timeout=15)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CLI, *args], env=self.env, capture_output=True, text=True, timeout=60, check=False
        )

    def add_users(self, specs: dict[str, list[str]]) -> None:
        """Add users through ``volunteer-ledger users add``, one after another, keeping tokens.

        (Sequential: concurrent bootstraps against one PostgreSQL schema can race on DDL.)
        """
        for name, args in specs.items():
            done = self.cli("users", "add", name, *args)
            assert done.returncode == 0, done.stderr
            self.tokens[name] = done.stdout.strip().splitlines()[-1]


def stop(server: subprocess.Popen[bytes], log: IO[str]) -> None:
    """Stop a server process (killed if it does not exit in 15 s) and close its log."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
