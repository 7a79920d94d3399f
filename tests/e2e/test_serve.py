"""``volunteer-ledger serve`` on an empty store: the demo year, an admin token, the API, a clean stop."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import httpx

from tests.clusters import free_port
from tests.e2e.http_support import CLI


def _up(server: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_serve_loads_the_demo_writes_an_admin_token_file_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    token_file = tmp_path / "secrets" / "admin-token"
    env["VL_ADMIN_TOKEN_PATH"] = str(token_file)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [CLI, "serve", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _up(server, port, log)
            token = token_file.read_text().strip()
            assert stat.S_IMODE(token_file.stat().st_mode) == 0o600  # its owner's only
            assert token not in log.read_text()  # logs (container logs) never hold it
            assert str(token_file) in log.read_text()  # the log says where it is
            assert f"http://127.0.0.1:{port}/docs" in log.read_text()
            headers = {"Authorization": f"Bearer {token.strip()}"}
            base = f"http://127.0.0.1:{port}/api/v1"
            me = httpx.get(f"{base}/me", headers=headers).json()
            assert me == {"name": "admin", "role": "admin", "scope": None}
            head = httpx.get(f"http://127.0.0.1:{port}/readyz").json()["head"]
            assert head > 1000
            teams = httpx.get(
                f"{base}/teams", params={"min_position": head}, headers=headers, timeout=10
            )
            assert len(teams.json()["items"]) >= 6
        finally:
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=20) == 0
    assert "Application shutdown complete" in log.read_text()
    assert '"GET /api/v1/me HTTP/1.1" 200' in log.read_text()  # the access log, by default

    # VL_ACCESS_LOG=false: the same service without a line per request
    quiet = tmp_path / "quiet.log"
    with quiet.open("w") as out:
        server = subprocess.Popen(
            [CLI, "serve", "--port", str(port)],
            env={**env, "VL_ACCESS_LOG": "false"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _up(server, port, quiet)
            assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me").status_code == 401
        finally:
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=20) == 0
    assert "Application startup complete" in quiet.read_text()
    assert "GET /api/v1/me" not in quiet.read_text() and "admin-token" not in quiet.read_text()


def test_serve_with_two_workers_answers_on_one_port_and_stops_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    env["VL_ACCESS_LOG"] = "false"  # the worker processes take the setting too
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _up(server, port, log)
            for _ in range(20):  # new connections each time, to whichever process
                with httpx.Client() as client:
                    assert client.get(f"http://127.0.0.1:{port}/healthz").is_success
        finally:
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=30) == 0, log.read_text()
    assert log.read_text().count("Application shutdown complete") == 2
    assert "GET /healthz" not in log.read_text()
