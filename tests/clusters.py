"""Extra PostgreSQL clusters for the availability drills, made with deploy/postgres's scripts.

Each cluster has its own port and data directory under a temporary folder owned by the
server's OS user (PostgreSQL refuses to run as root: as root, the scripts and pg_ctl
run as ``postgres`` through ``runuser``). They are small (16 MB of shared buffers) and
always stopped, and their folder removed, when the fixture ends.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "postgres"
SERVER_USER = "postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []


@dataclass
class Cluster:
    pgdata: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def sql(self, query: str) -> list[tuple[object, ...]]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(query)
            return cursor.fetchall() if cursor.description else []

    def _pid(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    @property
    def running(self) -> bool:
        pid = self._pid()
        try:
            status = Path(f"/proc/{pid}/status").read_text() if pid else ""
        except FileNotFoundError:
            return False
        return "State:\tZ" not in status and bool(status)

    def kill(self) -> None:
        """SIGKILL the postmaster: the machine is gone, nothing is shut down cleanly."""
        pid = self._pid()
        assert pid is not None, f"{self.pgdata} is not running"
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.running:
            subprocess.run(
                [
                    *_as_server_user(),
                    str(PGBIN / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
                timeout=60,
            )


@dataclass
class Clusters:
    """Clusters made in one temporary folder; :meth:`close` stops and removes them all."""

    root: Path
    made: list[Cluster] = field(default_factory=list)

    @classmethod
    def create(cls) -> Clusters:
        if not (PGBIN / "initdb").exists():
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                pytest.fail(f"CI=true but there is no PostgreSQL at {PGBIN}")
            pytest.skip(f"no PostgreSQL binaries at {PGBIN}")
        root = Path(tempfile.mkdtemp(prefix="vl-clusters-", dir="/tmp"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(root, user.pw_uid, user.pw_gid)
        return cls(root)

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    def _script(self, name: str, *args: object) -> None:
        done = subprocess.run(
            [*_as_server_user(), "bash", str(DEPLOY / name), *map(str, args)],
            capture_output=True,
            text=True,
            env={**os.environ, "PGBIN": str(PGBIN), "SHARED_BUFFERS": "16MB"},
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, f"{name}: {done.stdout}\n{done.stderr}"

    def primary(self, name: str = "primary") -> Cluster:
        cluster = Cluster(self.root / name, free_port())
        self.made.append(cluster)
        self._script("primary.sh", cluster.pgdata, cluster.port, self.archive)
        return cluster

    def standby(
        self, primary: Cluster, name: str = "standby1", *, via: int | None = None
    ) -> Cluster:
        """A synchronous standby of ``primary``, streaming from port ``via`` (a proxy to
        the primary, which a test can cut) when given."""
        cluster = Cluster(self.root / name, free_port())
        self.made.append(cluster)
        self._script(
            "standby.sh", cluster.pgdata, cluster.port, "127.0.0.1", via or primary.port, name
        )
        return cluster

    def promote(self, standby: Cluster) -> None:
        self._script("promote.sh", standby.pgdata)

    def rejoin(self, old: Cluster, primary: Cluster, name: str) -> None:
        """The failed ``old`` primary back as ``primary``'s synchronous standby (fail back)."""
        self._script("rejoin.sh", old.pgdata, old.port, "127.0.0.1", primary.port, name)

    def adopt(self, name: str) -> Cluster:
        """A cluster another tool (``db restore``) makes here, stopped with the rest."""
        cluster = Cluster(self.root / name, free_port())
        self.made.append(cluster)
        return cluster

    def close(self) -> None:
        for cluster in self.made:
            cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)
