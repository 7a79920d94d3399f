"""API users and their bearer tokens, in a ``vl_user`` table in the same database as the events.

Only the SHA-256 of a token is stored; the token itself is shown once, when it is issued.
The SQL is portable between SQLite and PostgreSQL (``?`` placeholders become ``%s``).

:class:`TokenCache` lets an API process resolve a token without asking the store on
every request (PostgreSQL): ``users revoke`` notifies ``vl_user_revoked`` in the same
transaction, and every process listening on it forgets what it had cached.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from infrastructure.listening import REVOKED_CHANNEL, Listener
from infrastructure.settings import Settings
from infrastructure.sqlstore import SqlStore

log = logging.getLogger("volunteer_ledger.users")

ROLES = ("admin", "station_staff", "team_leader", "auditor")
# The roles that act within one scope, and the option that gives it.
SCOPE_OPTIONS = {"station_staff": "--township", "team_leader": "--team"}

USERS_DDL = (
    "CREATE TABLE IF NOT EXISTS vl_user ("
    "name TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT, "
    "token_hash TEXT NOT NULL UNIQUE, revoked BIGINT NOT NULL DEFAULT 0, created_at TEXT NOT NULL)"
)


class UserError(Exception):
    """A user could not be added or changed; the message says why."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    scope: str | None
    revoked: bool
    created_at: str


def _check_new_user(name: str, role: str, scope: str | None) -> None:
    """A name, a known role, and a scope for the roles that act within one."""
    if not name:
        raise UserError("the user name must not be empty")
    if role not in ROLES:
        raise UserError(f"role {role!r} must be one of {', '.join(ROLES)}")
    where = SCOPE_OPTIONS.get(role)
    if where is not None and not scope:
        raise UserError(f"a {role} needs a scope: give {where}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    """Add, list, revoke users and resolve a bearer token to its (unrevoked) user."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        with store.transaction(ddl=True) as tx:
            tx.execute(USERS_DDL)

    def add(self, name: str, role: str, scope: str | None = None) -> str:
        """Create a user and return its new token (shown once; only its hash is kept)."""
        name = name.strip()
        _check_new_user(name, role, scope)
        if self.get(name) is not None:
            raise UserError(f"user {name!r} already exists: revoke it or choose another name")
        token = secrets.token_urlsafe(32)
        self.store.execute(
            "INSERT INTO vl_user (name, role, scope, token_hash, revoked, created_at) "
            "VALUES (?, ?, ?, ?, 0, ?)",
            (name, role, scope, token_hash(token), datetime.now(UTC).isoformat()),
        )
        return token

    def get(self, name: str) -> User | None:
        return next(iter(self._users("WHERE name = ?", (name,))), None)

    def all(self) -> list[User]:
        return self._users("ORDER BY name")

    def revoke(self, name: str) -> bool:
        """Revoke a user's token; False when there is no such user."""
        if self.get(name) is None:
            return False
        with self.store.transaction() as tx:
            tx.execute("UPDATE vl_user SET revoked = 1 WHERE name = ?", (name,))
            if self.store.is_postgres:  # delivered on commit: API processes drop cached tokens
                tx.execute(f"NOTIFY {REVOKED_CHANNEL}")
        return True

    def by_token(self, token: str) -> User | None:
        """The unrevoked user holding ``token``, or None."""
        found = self._users("WHERE token_hash = ? AND revoked = 0", (token_hash(token),))
        return next(iter(found), None)

    def _users(self, where: str, params: tuple[object, ...] = ()) -> list[User]:
        rows = self.store.execute(
            "SELECT name, role, scope, revoked, created_at FROM vl_user " + where, params
        )
        return [user_from_row(r) for r in rows]


class TokenCache:
    """Bearer token → user, remembered for ``token_cache_seconds`` (PostgreSQL only).

    Entries are trusted only while ``listener`` hears :data:`REVOKED_CHANNEL`: a
    revocation (or losing that connection) empties the cache, so a revoked token is
    refused as soon as the notification arrives, not after the time to live. SQLite
    processes cannot hear each other (no listener); there every request asks the store
    (a local read). Unknown tokens are never cached.
    """

    def __init__(self, users: UserStore, settings: Settings, listener: Listener | None) -> None:
        self.users = users
        self.ttl = settings.token_cache_seconds if listener is not None else 0.0
        self._listener = listener if self.ttl > 0 else None
        self._entries: dict[str, tuple[User, float]] = {}
        self._generation = 0
        if self._listener is not None:
            self._listener.subscribe(REVOKED_CHANNEL, self._forget)

    def cached(self, token: str) -> User | None:
        """The user for ``token`` if this process may trust what it remembers (no I/O)."""
        if not self._trusted():
            return None
        user, expires = self._entries.get(token_hash(token), (None, 0.0))
        return user if expires > time.monotonic() else None

    def resolve(self, token: str) -> User | None:
        """The unrevoked user holding ``token``: from the cache, else from the store."""
        found = self.cached(token)
        if found is not None:
            return found
        generation = self._generation
        user = self.users.by_token(token)
        if user is not None:
            self._remember(token, user, generation)
        return user

    def _remember(self, token: str, user: User, generation: int) -> None:
        """Keep ``user`` for ``token``, unless a revocation arrived since ``generation``
        (while the store was asked) or revocations cannot be heard."""
        if self._trusted() and generation == self._generation:
            self._entries[token_hash(token)] = (user, time.monotonic() + self.ttl)

    def _trusted(self) -> bool:
        """Whether what is cached may be trusted: revocations are being heard."""
        return self._listener is not None and self._listener.listening.is_set()

    def _forget(self) -> None:
        self._generation += 1
        self._entries = {}


def user_from_row(row: tuple[object, ...]) -> User:
    """A user from its columns: name, role, scope, revoked, created_at."""
    name, role, scope, revoked, created_at = row
    return User(
        name=str(name),
        role=str(role),
        scope=None if scope is None else str(scope),
        revoked=bool(revoked),
        created_at=str(created_at),
    )
