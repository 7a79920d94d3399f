"""One listening socket per API process (``SO_REUSEPORT``), so the kernel shares connections out.

uvicorn's ``--workers`` hands every process the same listening socket. Whichever process
wakes first accepts every connection waiting (asyncio accepts up to the backlog at once),
and keep-alive connections stay where they landed: 16 clients connecting together all
went to one process while the other idled, one interpreter lock serving every request.
Here the supervisor binds the address with ``SO_REUSEPORT`` but never listens on it; each
process, as it unpickles its copy, binds a socket of its own to the same address and
listens on that, and the kernel spreads new connections over the listening sockets by
address hash. A restarted process binds afresh the same way.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from infrastructure.settings import Settings
from interfaces.http.serving import uvicorn_config


class OwnListener(socket.socket):
    """A bound ``SO_REUSEPORT`` socket that, sent to another process, binds a new one there."""

    def __reduce__(self) -> tuple[Any, ...]:
        return bind, (self.family, self.getsockname())


def bind(family: socket.AddressFamily, address: Any) -> OwnListener:
    sock = OwnListener(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def run_workers(app: str, *, workers: int, host: str, port: int, settings: Settings) -> None:
    """``uvicorn.run(app, factory=True, workers=...)``, each worker on its own listener."""
    config = uvicorn_config(app, settings, factory=True, workers=workers, host=host, port=port)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # A port that something else holds must stop us, as a plain bind would: with
    # SO_REUSEPORT alone, a second service of the same user would share it silently.
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            address = probe.getsockname()
        listener = bind(family, address)
    except OSError as e:
        logging.getLogger("uvicorn.error").error("%s:%d: %s", host, port, e)
        sys.exit(STARTUP_FAILURE)
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d (%d processes)", host, port, workers
    )
    try:
        Multiprocess(config, sockets=[listener]).run()
    finally:
        listener.close()
