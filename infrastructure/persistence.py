"""Turn :class:`Settings` into the eventsourcing library's environment for either store."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from infrastructure.chain import recorder_topic
from infrastructure.pgbounds import BoundedPostgresFactory, Bounds
from infrastructure.settings import Settings


def event_store_env(settings: Settings) -> dict[str, str]:
    env = _store_env(settings)
    # Every event is hash-chained to the one before it, in the insert's own transaction.
    env["APPLICATION_RECORDER_TOPIC"] = recorder_topic(settings.is_postgres)
    env["CREATE_TABLE"] = "y" if settings.create_event_tables else "n"
    if settings.aggregate_cache_size:
        # Commands load from this cache without asking the store; a copy that missed
        # another process's events conflicts on save and the command is run again on
        # fresh state (application.base.command), so the store stays the arbiter.
        env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache_size)
        env["AGGREGATE_CACHE_FASTFORWARD"] = "n"
    return env


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
    if settings.is_postgres:
        url = urlsplit(settings.database_url)
        env = {
            "PERSISTENCE_MODULE": topic(BoundedPostgresFactory),
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_LOCK_TIMEOUT": str(settings.postgres_lock_timeout_seconds),
            "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.postgres_max_overflow),
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            **Bounds.of(settings).env(),
        }
        if settings.postgres_schema:
            env["POSTGRES_SCHEMA"] = settings.postgres_schema
        return env
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": str(settings.sqlite_lock_timeout_seconds),
    }
