"""Each API process listens on its own ``SO_REUSEPORT`` socket; the supervisor's never listens."""

from __future__ import annotations

import pickle
import socket

import pytest

from infrastructure.settings import Settings
from interfaces.cli.listeners import OwnListener, bind, run_workers

CONNECTIONS = 64


def _accepted(listener: socket.socket) -> int:
    listener.setblocking(False)
    count = 0
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def _connect(address: tuple[str, int], times: int) -> None:
    for _ in range(times):
        with socket.create_connection(address, timeout=5):
            pass


def test_a_listener_sent_to_a_process_binds_its_own_socket_to_the_same_address() -> None:
    supervisor = bind(socket.AF_INET, ("127.0.0.1", 0))
    worker = pickle.loads(pickle.dumps(supervisor))
    try:
        assert isinstance(worker, OwnListener)
        assert worker.fileno() != supervisor.fileno()
        assert worker.getsockname() == supervisor.getsockname()
        worker.listen(CONNECTIONS)
        _connect(supervisor.getsockname(), 8)
        assert _accepted(worker) == 8  # the bound, never-listening original gets none
    finally:
        worker.close()
        supervisor.close()


def test_connections_are_shared_out_between_the_processes_listeners() -> None:
    supervisor = bind(socket.AF_INET, ("127.0.0.1", 0))
    workers = [pickle.loads(pickle.dumps(supervisor)) for _ in range(2)]
    try:
        for w in workers:
            w.listen(CONNECTIONS)
        _connect(supervisor.getsockname(), CONNECTIONS)
        counts = [_accepted(w) for w in workers]
        assert sum(counts) == CONNECTIONS
        assert all(counts), counts  # by address hash: all on one is a 1-in-2**63 chance
    finally:
        for s in (*workers, supervisor):
            s.close()


def test_a_port_held_by_another_server_stops_the_workers_from_starting() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(SystemExit):
            run_workers(
                "nowhere:app",
                workers=2,
                host="127.0.0.1",
                port=other.getsockname()[1],
                settings=Settings(),
            )
