"""Every PostgreSQL operation has a bound, so an outage is a 503 in seconds, never a hang.

A store can fail in two ways: it refuses (the port is closed, the server is down), which
libpq notices at once, or it goes silent (a partition, a stalled proxy, a frozen host),
which nothing notices unless something waits with a deadline. Each of our connections,
in both pools (the event store's and the read models') and the LISTEN connections, is
given every bound there is:

- ``connect_timeout``: a connection attempt gives up (libpq);
- ``statement_timeout``: the server cancels a statement that runs too long;
- TCP keepalives and ``tcp_user_timeout``: the kernel drops a connection whose peer has
  gone (an idle one probed, or one whose sent data stays unacknowledged);
- an answer timeout on the client (:class:`BoundedConnection`): a query whose answer does
  not come within the statement timeout and a margin is abandoned and its connection
  closed — the only bound that holds when the packets are held rather than lost (the
  peer's kernel still acknowledges them, so TCP sees nothing wrong);
- a pool checkout timeout (psycopg-pool's ``timeout``): a caller waits that long at most
  for a connection;
- and the pools retry connecting at most every :data:`MAX_RECONNECT_DELAY` seconds, so a
  store that comes back is used again within seconds (psycopg-pool doubles its delay
  without limit).

Schema changes (index builds over millions of rows) are exempt from the statement and
answer timeouts: :func:`unbounded` lifts both for one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.postgres import ConnectionPool, PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg import errors
from psycopg.abc import RV, PQGen
from psycopg_pool.base import AttemptWithBackoff

from infrastructure.settings import Settings

# How long after the statement timeout the client stops waiting for an answer: the server
# cancels first and says so, unless it cannot be heard at all.
ANSWER_MARGIN_SECONDS = 0.5
MAX_RECONNECT_DELAY = 0.5
KEEPALIVE_INTERVAL_SECONDS = 1
KEEPALIVE_PROBES = 3

# What the library's environment carries for :class:`BoundedPostgresFactory`.
ENV_STATEMENT_TIMEOUT = "VL_STATEMENT_TIMEOUT"
ENV_POOL_TIMEOUT = "VL_POOL_TIMEOUT"
ENV_KEEPALIVE_IDLE = "VL_KEEPALIVE_IDLE"


class AnswerTimeout(psycopg.OperationalError):
    """The server did not answer within the bound; the connection was closed."""


class BoundedConnection(psycopg.Connection[Any]):
    """A connection whose every wait for the server ends after ``answer_timeout`` seconds.

    psycopg waits for each answer without a deadline unless given one; here the deadline
    is the connection's own. A wait that runs out leaves the connection mid-query, so it
    is closed (a pool then discards it) and :class:`AnswerTimeout` raised. Waits given
    their own timeout (``notifies(timeout=...)``) keep it.
    """

    answer_timeout: float | None = None

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        if timeout is not None or self.answer_timeout is None:
            return super().wait(gen, interval, timeout)
        return self._wait_bounded(gen, interval, self.answer_timeout)

    def _wait_bounded(self, gen: PQGen[RV], interval: float, bound: float) -> RV:
        """The answer within ``bound`` seconds, else the connection closed."""
        try:
            return super().wait(gen, interval, bound)
        except errors._WaitTimeout:
            self.pgconn.finish()
            raise AnswerTimeout(f"the database did not answer within {bound:g} s") from None


class _CappedBackoff(AttemptWithBackoff):
    """psycopg-pool's reconnection schedule, its delay capped and never giving up."""

    def update_delay(self, now: float) -> None:
        super().update_delay(now)
        self.delay = min(self.delay, MAX_RECONNECT_DELAY)

    def time_to_give_up(self, now: float) -> bool:
        return False


class BoundedPool(ConnectionPool[Any]):
    """The library's pool (it can ask for a password each time), reconnecting every
    :data:`MAX_RECONNECT_DELAY` seconds at most while the store is away."""

    def _add_connection(self, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
        if attempt is None:
            attempt = _CappedBackoff(timeout=self.reconnect_timeout)
        super()._add_connection(attempt, growing)


@dataclass(frozen=True)
class Bounds:
    """The bounds of one process's PostgreSQL connections (from :class:`Settings`)."""

    connect_timeout: int
    statement_timeout: float
    pool_timeout: float
    keepalive_idle: int

    @classmethod
    def of(cls, settings: Settings) -> Bounds:
        return cls(
            connect_timeout=settings.postgres_connect_timeout_seconds,
            statement_timeout=settings.postgres_statement_timeout_seconds,
            pool_timeout=settings.postgres_pool_timeout_seconds,
            keepalive_idle=settings.postgres_keepalive_seconds,
        )

    @property
    def answer_timeout(self) -> float:
        return self.statement_timeout + ANSWER_MARGIN_SECONDS

    def env(self) -> dict[str, str]:
        """For the library's environment (read back by :meth:`from_env`)."""
        return {
            "POSTGRES_CONNECT_TIMEOUT": str(self.connect_timeout),
            ENV_STATEMENT_TIMEOUT: repr(self.statement_timeout),
            ENV_POOL_TIMEOUT: repr(self.pool_timeout),
            ENV_KEEPALIVE_IDLE: str(self.keepalive_idle),
        }

    @classmethod
    def from_env(cls, env: Environment) -> Bounds:
        """The bounds :meth:`env` wrote (a setting's default where one is missing)."""
        return cls(
            connect_timeout=int(
                _from_env(env, "POSTGRES_CONNECT_TIMEOUT", "postgres_connect_timeout_seconds")
            ),
            statement_timeout=float(
                _from_env(env, ENV_STATEMENT_TIMEOUT, "postgres_statement_timeout_seconds")
            ),
            pool_timeout=float(_from_env(env, ENV_POOL_TIMEOUT, "postgres_pool_timeout_seconds")),
            keepalive_idle=int(_from_env(env, ENV_KEEPALIVE_IDLE, "postgres_keepalive_seconds")),
        )

    def kwargs(self, options: str = "") -> dict[str, Any]:
        """libpq connection parameters carrying the bounds (``options``: more ``-c`` settings)."""
        statement = f"-c statement_timeout={round(self.statement_timeout * 1000)}"
        return {
            "connect_timeout": self.connect_timeout,
            "keepalives": 1,
            "keepalives_idle": self.keepalive_idle,
            "keepalives_interval": KEEPALIVE_INTERVAL_SECONDS,
            "keepalives_count": KEEPALIVE_PROBES,
            # Data sent and not acknowledged for this long: the peer is gone.
            "tcp_user_timeout": round(self.answer_timeout * 1000),
            "options": f"{statement} {options}".strip(),
        }

    def connect(self, url: str, **kwargs: Any) -> BoundedConnection:
        """One connection outside the pools (LISTEN, schema locks), with the same bounds."""
        conn = BoundedConnection.connect(url, **{**self.kwargs(), **kwargs})
        conn.answer_timeout = self.answer_timeout
        return conn

    def configure(self, conn: psycopg.Connection[Any]) -> None:
        """A pool's ``configure``: the client-side bound on a fresh connection."""
        if isinstance(conn, BoundedConnection):
            conn.answer_timeout = self.answer_timeout


def _from_env(env: Environment, variable: str, setting: str) -> Any:
    """What :meth:`Bounds.env` wrote to ``variable``, else the default of ``setting``."""
    return env.get(variable) or Settings.model_fields[setting].default


@contextmanager
def unbounded(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """Inside a transaction: no statement or answer timeout until it ends (schema changes,
    whose index builds take as long as the table is large)."""
    conn.execute("SET LOCAL statement_timeout = 0")
    if not isinstance(conn, BoundedConnection):
        yield
        return
    saved, conn.answer_timeout = conn.answer_timeout, None
    try:
        yield
    finally:
        conn.answer_timeout = saved


class BoundedPostgresFactory(PostgresFactory):
    """The library's PostgreSQL persistence, its pool replaced by a :class:`BoundedPool`
    of :class:`BoundedConnection` carrying :class:`Bounds` (read from the environment)."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self.datastore.pool = _bounded_pool(self.datastore, Bounds.from_env(self.env))


def _bounded_pool(datastore: PostgresDatastore, bounds: Bounds) -> BoundedPool:
    """The library's pool for ``datastore`` made again as a :class:`BoundedPool` of
    :class:`BoundedConnection` carrying ``bounds``."""
    old = datastore.pool
    after_connect = datastore.after_connect_func()

    def configure(conn: psycopg.Connection[Any]) -> None:
        bounds.configure(conn)
        after_connect(conn)

    kwargs = dict(old.kwargs) if isinstance(old.kwargs, dict) else {}
    return BoundedPool(
        get_password_func=old.get_password_func,
        connection_class=BoundedConnection,
        kwargs={**kwargs, **bounds.kwargs()},
        min_size=old.min_size,
        max_size=old.max_size,
        open=False,
        configure=configure,
        timeout=bounds.pool_timeout,
        max_waiting=old.max_waiting,
        max_lifetime=old.max_lifetime,
        check=ConnectionPool.check_connection if datastore.pre_ping else None,
    )
