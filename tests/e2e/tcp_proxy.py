"""A TCP proxy a test can switch between passing, refusing and stalling traffic to a store."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

PASS, REFUSE, STALL = "pass", "refuse", "stall"


class TcpProxy:
    """Forward 127.0.0.1:<port> to ``upstream``, in one of three modes.

    - :meth:`pass_through`: connections are forwarded (traffic held by a stall flows on);
    - :meth:`refuse`: forwarded connections are reset and new ones refused (the port is
      closed), as when the server is down;
    - :meth:`stall`: nothing is forwarded and nothing closed, and new connections are
      accepted and never answered, as in a partition. (The kernel still acknowledges
      what it receives, so only the client's own deadlines notice.)
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.mode = PASS
        self._flowing = threading.Event()
        self._flowing.set()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._serve(self.listener)

    def _serve(self, listener: socket.socket) -> None:
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _keep(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets.extend(sockets)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: refusing, or the proxy is closed
            if self.mode == REFUSE:  # accepted just before the port closed
                client.close()
                continue
            self._keep(client)
            if self.mode == STALL:
                continue  # held open, never answered
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self._keep(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self._flowing.wait()  # a stall holds what arrived until traffic passes again
                target.sendall(data)
        for s in (source, target):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def _close_port(self) -> None:
        # shutdown() first: a bare close() leaves a thread blocked in accept() accepting.
        for step in (lambda: self.listener.shutdown(socket.SHUT_RDWR), self.listener.close):
            with contextlib.suppress(OSError):
                step()

    def _drop_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def pass_through(self) -> None:
        """Forward again: a refused port is opened again (the same port), held data flows."""
        if self.mode == REFUSE:
            self.listener = socket.create_server(("127.0.0.1", self.port))
            self._serve(self.listener)
        self.mode = PASS
        self._flowing.set()

    def refuse(self) -> None:
        """Reset every forwarded connection and close the port."""
        self.mode = REFUSE
        self._flowing.set()
        self._close_port()
        self._drop_connections()

    def stall(self) -> None:
        """Hold every byte in both directions; accept new connections and stay silent."""
        if self.mode == REFUSE:
            self.listener = socket.create_server(("127.0.0.1", self.port))
            self._serve(self.listener)
        self._flowing.clear()
        self.mode = STALL

    def cut(self) -> None:
        """Drop every forwarded connection; from now on, accept and stay silent."""
        self.stall()
        self._drop_connections()

    def close(self) -> None:
        self.mode = REFUSE
        self._flowing.set()
        self._close_port()
        self._drop_connections()
