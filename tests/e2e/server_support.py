"""Starting a uvicorn server of the app in its own process, for tests that need their own
settings (the shared ``api`` fixture's are fixed)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.clusters import free_port
from tests.e2e.http_support import Api, stop


@contextmanager
def serving(env: dict[str, str], tmp: Path) -> Iterator[Api]:
    """A server with ``env`` (its store included) until the block ends; its log in ``tmp``."""
    port = free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "interfaces.http.app:app_from_env", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = Api(f"http://127.0.0.1:{port}", env)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp / "server.log").read_text()
            try:
                if httpx.get(f"{api.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up in 90 s"
            time.sleep(0.1)
        yield api
    finally:
        stop(server, log)
