"""The one place that reads the environment: every setting has the prefix ``VL_``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/ledger.sqlite3"


class Settings(BaseSettings):
    """Service settings. A ``postgresql://`` database URL switches the store to PostgreSQL."""

    model_config = SettingsConfigDict(env_prefix="VL_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="sqlite:///PATH (default ./var/ledger.sqlite3) or postgresql://user:pw@host/db",
    )
    read_database_url: str | None = Field(
        default=None,
        description="PostgreSQL hot standby that serves read-model reads (optional); a read "
        "with min_position waits until the standby's read-model tracking reaches it",
    )
    rulebook_path: Path | None = Field(
        default=None, description="rulebook TOML file; the shipped default when unset"
    )
    postgres_lock_timeout_seconds: int = Field(
        default=2,
        ge=1,
        le=300,
        description="a write waits this long at most for the event store's write lock",
    )
    postgres_pool_size: int = Field(default=5, ge=1, le=100)
    postgres_max_overflow: int = Field(default=10, ge=0, le=100)
    postgres_connect_timeout_seconds: int = Field(
        default=2, ge=1, le=120, description="a connection attempt gives up after this long"
    )
    postgres_statement_timeout_seconds: float = Field(
        default=3.0,
        ge=0.5,
        le=600,
        description="the server cancels a statement running longer (schema changes exempt); "
        "the client stops waiting for an answer half a second later (a silent store)",
    )
    postgres_pool_timeout_seconds: float = Field(
        default=2.0,
        ge=0.1,
        le=120,
        description="a caller waits this long at most for a pooled connection",
    )
    postgres_keepalive_seconds: int = Field(
        default=5,
        ge=1,
        le=600,
        description="an idle connection is probed after this long (then every second, "
        "three times) and dropped when its peer is gone",
    )
    postgres_schema: str = Field(default="", description="schema for tables (default: public)")
    sqlite_lock_timeout_seconds: int = Field(
        default=4,
        ge=1,
        le=300,
        description="SQLite's busy timeout: a write waits this long at most for the file's lock",
    )
    run_projections: bool = Field(
        default=True,
        description="`volunteer-ledger serve` runs the projection worker in a background thread",
    )
    projection_gather_seconds: float = Field(
        default=0.02,
        ge=0,
        le=5,
        description="PostgreSQL: a projection worker woken by a write waits this long for "
        "the writes that follow before applying them in one batch (fewer, larger "
        "transactions under load; read-your-writes waits that much longer)",
    )
    http_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="`volunteer-ledger serve` runs this many API processes on one port; with "
        "more than one, projections (if `run_projections`) run in the supervising process",
    )
    access_log: bool = Field(
        default=True,
        description="`volunteer-ledger serve` logs a line per request (uvicorn's access log); "
        "requests are counted and timed in /metrics either way",
    )
    session_idle_minutes: float = Field(
        default=30.0,
        gt=0,
        le=24 * 60,
        description="the office console signs a person out after this long without a request",
    )
    token_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        le=300,
        description="PostgreSQL: a resolved bearer token is trusted this long without asking "
        "the store; `users revoke` notifies every API process, so revocation is at once (0: "
        "ask the store on every request)",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="a request body (JSON) larger than this is refused with 413",
    )
    max_sheet_bytes: int = Field(
        default=16_777_216,
        ge=1024,
        description="a bulk sign-in sheet (JSON or CSV) larger than this is refused with 413",
    )
    read_cache_size: int = Field(
        default=2_000,
        ge=0,
        description="answers of ranking and ledger reads kept per API process, each valid only "
        "at the read-model position it was computed at (0: none)",
    )
    max_read_waiters: int = Field(
        default=8,
        ge=1,
        le=1000,
        description="reads per API process that may wait for the read models (min_position) "
        "at once; one more is answered 503 with Retry-After at once",
    )
    max_replays: int = Field(
        default=2,
        ge=1,
        le=100,
        description="time-travel replays (known_at, as_of_position) per API process at once; "
        "one more is answered 503 with Retry-After at once",
    )
    replay_cache_size: int = Field(
        default=4,
        ge=0,
        le=1000,
        description="whole-log replays kept per API process, by cut (0: none)",
    )
    checkpoint_every: int = Field(
        default=20_000,
        ge=10,
        le=10_000_000,
        description="a checkpoint of the read models every this many log positions, taken "
        "by the projection worker when caught up (and by `projections snapshot`): a "
        "time-travel read replays at most this many events after the latest one",
    )
    aggregate_cache_size: int = Field(
        default=10_000,
        ge=0,
        description="aggregates kept in memory between commands (0: none); a copy that missed "
        "another process's events conflicts on save and the command reruns on fresh state",
    )

    auth_failure_limit: int = Field(
        default=20,
        ge=1,
        description="failed authentications (bad bearer tokens, failed sign-ins) an address "
        "or a user may make per window before further attempts get 429 with Retry-After",
    )
    auth_failure_window_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="the sliding window of auth_failure_limit"
    )
    metrics_token: str = Field(
        default="",
        description="the bearer token GET /metrics requires (e.g. in Prometheus' "
        "authorization.credentials_file); empty: /metrics answers 404 to everyone",
    )
    admin_token_path: Path | None = Field(
        default=None,
        description="where the first `serve` writes the admin's bearer token (mode 0600); "
        "default: `admin-token` beside the seal key (var/admin-token)",
    )
    http_timeout_keep_alive_seconds: int = Field(
        default=5, ge=1, le=300, description="an idle keep-alive connection is closed after this"
    )
    http_header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="a connection that has not sent a whole request head (line and headers) "
        "this long after connecting, or after its last response, is closed",
    )
    http_limit_concurrency: int = Field(
        default=1000,
        ge=1,
        description="connections and requests an API process holds at once; beyond, 503",
    )
    http_max_header_bytes: int = Field(
        default=16_384,
        ge=1024,
        description="h11: the most bytes of an incomplete request head buffered (beyond: 431)",
    )

    create_event_tables: bool = Field(
        default=True,
        description="create the event and chain tables at start; false for a service role "
        "that may only INSERT and SELECT them (see deploy/postgres/service-role.sql)",
    )
    seal_key_path: Path = Field(
        default=Path("var/seal-key.pem"),
        description="Ed25519 private key (PEM) that signs chain seals; "
        "`volunteer-ledger audit keygen` creates it",
    )
    seal_public_keys: list[Path] = Field(
        default_factory=list,
        description="further trusted public keys (PEM) for checking seals, e.g. retired keys",
    )
    issuing_office: str = Field(
        default="乌审旗退役军人事务局",
        min_length=1,
        max_length=60,
        description="the office named as issuer on service record certificates",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError(
                f"database_url scheme {scheme!r} is not supported: use sqlite:/// or postgresql://"
            )
        return value

    @model_validator(mode="after")
    def _lock_within_statement(self) -> Settings:
        if self.postgres_lock_timeout_seconds > self.postgres_statement_timeout_seconds:
            raise ValueError(
                "postgres_lock_timeout_seconds must not exceed "
                "postgres_statement_timeout_seconds (the statement would be cancelled first)"
            )
        return self

    @field_validator("read_database_url")
    @classmethod
    def _postgres_replica(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"postgresql", "postgres"}:
            raise ValueError(
                "read_database_url must be a postgresql:// URL (a hot standby of the store)"
            )
        return value or None

    @property
    def replica_settings(self) -> Settings | None:
        """These settings with the read replica as the store, when one is configured."""
        if not self.read_database_url:
            return None
        return self.model_copy(update={"database_url": self.read_database_url})

    @property
    def is_postgres(self) -> bool:
        return urlsplit(self.database_url).scheme in {"postgresql", "postgres"}

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file named by ``sqlite:///relative`` or ``sqlite:////absolute``."""
        path = unquote(urlsplit(self.database_url).path)
        return Path(path[1:] if path.startswith("/") else path)
