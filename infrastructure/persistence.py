"""Turn :class:`Settings` into the eventsourcing library's environment for either store."""

from __future__ import annotations

from eventsourcing.utils import Environment, EnvType
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infrastructure.chain_postgres import ChainedPostgresApplicationRecorder
from infrastructure.chain_sqlite import ChainedSQLiteApplicationRecorder
from infrastructure.pgbounds import BoundedPostgresFactory, Bounds
from infrastructure.settings import Settings

CONNINFO_PARAMS = "POSTGRES_CONNINFO_PARAMS"


class ConninfoPostgresFactory(BoundedPostgresFactory):
    """The bounded PostgreSQL factory, its pool given the URL's other parameters.

    The library builds its pool from host, port, database, user and password only. A
    standby pair is named by one multi-host URL
    (``postgresql://h1:p1,h2:p2/db?target_session_attrs=read-write``): host and port
    carry both lists (libpq tries each in turn), and ``target_session_attrs`` — what makes
    a reconnect after a failover find the promoted standby, not the read-only one —
    reaches the pool through ``POSTGRES_CONNINFO_PARAMS`` (a conninfo string), set here
    before the pool first connects. A parameter the URL names wins over the bounds'.
    """

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        kwargs.update(conninfo_to_dict(self.env.get(CONNINFO_PARAMS, "")))


def event_store_env(settings: Settings) -> dict[str, str]:
    env = _store_env(settings)
    # Every event is hash-chained to the one before it, in the insert's own transaction.
    env["APPLICATION_RECORDER_TOPIC"] = topic(_chained_recorder(settings))
    env["CREATE_TABLE"] = "y" if settings.create_event_tables else "n"
    return env | _cache_env(settings)


def _chained_recorder(settings: Settings) -> type:
    """The recorder that hash-chains the events, for the store of ``settings``."""
    if settings.is_postgres:
        return ChainedPostgresApplicationRecorder
    return ChainedSQLiteApplicationRecorder


def in_memory_env(settings: Settings) -> dict[str, str]:
    """The library's in-memory (POPO) store, with the aggregate cache a real store gets, so
    the use cases run as they do in the service but with no file and no server. Only the
    use-case tests choose it (``bootstrap.in_memory_ledger``); the service never does."""
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"} | _cache_env(settings)


def _cache_env(settings: Settings) -> dict[str, str]:
    if not settings.aggregate_cache_size:
        return {}
    # Commands load from this cache without asking the store; a copy that missed
    # another process's events conflicts on save and the command is run again on
    # fresh state (application.base.command), so the store stays the arbiter.
    return {
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size),
        "AGGREGATE_CACHE_FASTFORWARD": "n",
    }


def topic(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _store_env(settings: Settings) -> dict[str, str]:
    """The library environment for the chosen store.

    PostgreSQL: psycopg 3 pool, a lock timeout (never wait forever on the table lock),
    and never ``POSTGRES_ENABLE_DB_FUNCTIONS`` (it skips the table lock: readers could
    miss events), a recorder whose retries are bounded (an unreachable store fails in
    seconds, not ten times over), and every connection bounded
    (:mod:`infrastructure.pgbounds`). SQLite: one file, created on first use with its
    folder, and a busy timeout (a write never waits for the lock for ever).
    """
    return _postgres_env(settings) if settings.is_postgres else _sqlite_env(settings)


def _postgres_env(settings: Settings) -> dict[str, str]:
    # libpq parses the URL: a standby pair's ``h1:p1,h2:p2`` gives a host list and a
    # port list, which the pool passes on as they are; every other parameter
    # (target_session_attrs, connect_timeout, ...) reaches the pool's connections too.
    params = conninfo_to_dict(settings.database_url)
    env = {
        "PERSISTENCE_MODULE": topic(ConninfoPostgresFactory),
        "POSTGRES_DBNAME": str(params.pop("dbname", "postgres")),
        "POSTGRES_HOST": str(params.pop("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.pop("port", "5432")),
        "POSTGRES_USER": str(params.pop("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.pop("password", "")),
        "POSTGRES_LOCK_TIMEOUT": str(settings.postgres_lock_timeout_seconds),
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.postgres_max_overflow),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        **Bounds.of(settings).env(),
        CONNINFO_PARAMS: make_conninfo(**{k: str(v) for k, v in params.items()}),
    }
    if settings.postgres_schema:
        env["POSTGRES_SCHEMA"] = settings.postgres_schema
    return env


def _sqlite_env(settings: Settings) -> dict[str, str]:
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": str(settings.sqlite_lock_timeout_seconds),
    }
