"""People signing in to the office console: passwords, sessions and lock-out.

A password belongs to a user of ``vl_user`` (the same name, role and scope as its API
token) and is stored only as an Argon2id hash (argon2-cffi's defaults). A session is a
random token kept by the browser in a cookie; the store keeps its SHA-256, the user, the
session's CSRF token and when it was last used: a session unused for ``idle_seconds`` is
gone. Failed sign-ins are remembered per user name and per client address; too many in
``window_seconds`` lock further attempts (right or wrong) until the window has passed, and
the answer says until when. A revoked user, or a changed password, ends every session.

The SQL is portable between SQLite and PostgreSQL (``?`` placeholders become ``%s``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from infrastructure.sqlstore import SqlStore
from infrastructure.users import User, UserError, UserStore, user_from_row

ACCOUNTS_DDL = (
    "CREATE TABLE IF NOT EXISTS vl_password ("
    "name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, changed_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS vl_session ("
    "session_hash TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, "
    "created_at DOUBLE PRECISION NOT NULL, seen_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS vl_login_failure ("
    "subject TEXT NOT NULL, failed_at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS vl_login_failure_subject ON vl_login_failure (subject, failed_at)",
)

MIN_PASSWORD_LENGTH = 10
USER_FAILURES = 5  # wrong passwords for one user name within the window lock that name
ADDRESS_FAILURES = 20  # ... and from one address, whichever names it tried
WINDOW_SECONDS = 15 * 60
SEEN_EVERY_SECONDS = 30.0  # a session's last use is written at most this often

_hasher = PasswordHasher()  # Argon2id, the library's recommended parameters
# Verified against when the user has no password, so an unknown name costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _verifies(stored: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` is the hash of."""
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Session:
    """A signed-in person: the session token (for the cookie), its user and CSRF token."""

    token: str
    user: User
    csrf: str


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session, or refused (and if locked, until when)."""

    session: Session | None = None
    locked_until: float | None = None  # epoch seconds

    @property
    def ok(self) -> bool:
        return self.session is not None


class Accounts:
    """Passwords, sessions and failed attempts, in the store beside ``vl_user``."""

    def __init__(
        self,
        store: SqlStore,
        *,
        idle_seconds: float = 30 * 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.users = UserStore(store)
        self.idle_seconds = idle_seconds
        self.clock = clock
        with store.transaction(ddl=True) as tx:
            for ddl in ACCOUNTS_DDL:
                tx.execute(ddl)

    # ------------------------------------------------------------------ passwords

    def set_password(self, name: str, password: str) -> None:
        """Give ``name`` a (new) password; its open sessions end."""
        user = self.users.get(name)
        if user is None:
            raise UserError(f"no user {name!r}: add it first with `volunteer-ledger users add`")
        if user.revoked:
            raise UserError(f"user {name!r} is revoked")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
        hashed = _hasher.hash(password)
        now = datetime.now(UTC).isoformat()
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM vl_password WHERE name = ?", (name,))
            tx.execute(
                "INSERT INTO vl_password (name, password_hash, changed_at) VALUES (?, ?, ?)",
                (name, hashed, now),
            )
            tx.execute("DELETE FROM vl_session WHERE name = ?", (name,))

    # ------------------------------------------------------------------ sign-in

    def locked_until(self, name: str, address: str) -> float | None:
        """When the name or the address may try again, if either is locked now."""
        since = self.clock() - WINDOW_SECONDS
        free_at = (
            self._free_at(f"user:{name}", USER_FAILURES, since),
            self._free_at(f"addr:{address}", ADDRESS_FAILURES, since),
        )
        return max((t for t in free_at if t is not None), default=None)

    def _free_at(self, subject: str, limit: int, since: float) -> float | None:
        """When ``subject`` may try again, if its failures since ``since`` reach ``limit``:
        when the limit-th most recent failure leaves the window."""
        rows = self.store.execute(
            "SELECT failed_at FROM vl_login_failure WHERE subject = ? AND failed_at > ? "
            "ORDER BY failed_at DESC",
            (subject, since),
        )
        return float(rows[limit - 1][0]) + WINDOW_SECONDS if len(rows) >= limit else None

    def sign_in(self, name: str, password: str, address: str) -> SignIn:
        """Check the password (unless locked); a right one opens a session."""
        name = name.strip()
        locked = self.locked_until(name, address)
        if locked is not None:
            return SignIn(locked_until=locked)
        user = self._user_if_right(name, password)
        if user is None:
            self._record_failure(name, address)
            return SignIn(locked_until=self.locked_until(name, address))
        return SignIn(session=self._open_session(name, user))

    def _user_if_right(self, name: str, password: str) -> User | None:
        """``name``'s user when ``password`` is its password and it is not revoked (the
        password hashed again when the hasher's parameters have changed); None otherwise."""
        user = self.users.get(name)
        stored = self._password_hash_if_right(name, password)
        if stored is None or user is None or user.revoked:
            return None
        if _hasher.check_needs_rehash(stored):
            self.set_password(name, password)
        return user

    def _password_hash_if_right(self, name: str, password: str) -> str | None:
        """The stored hash when ``password`` is ``name``'s; None otherwise (checked against a
        dummy hash when ``name`` has none, so either answer takes as long)."""
        rows = self.store.execute("SELECT password_hash FROM vl_password WHERE name = ?", (name,))
        stored = str(rows[0][0]) if rows else _DUMMY_HASH
        return stored if _verifies(stored, password) and rows else None

    def _record_failure(self, name: str, address: str) -> None:
        """A failed sign-in counted against the name and the address."""
        now = self.clock()
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM vl_login_failure WHERE failed_at <= ?", (now - WINDOW_SECONDS,))
            tx.execute(
                "INSERT INTO vl_login_failure (subject, failed_at) VALUES (?, ?), (?, ?)",
                (f"user:{name}", now, f"addr:{address}", now),
            )

    def _open_session(self, name: str, user: User) -> Session:
        """A new session for ``user`` (signed in as ``name``), whose failures are forgotten."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM vl_login_failure WHERE subject = ?", (f"user:{name}",))
            tx.execute("DELETE FROM vl_session WHERE seen_at <= ?", (now - self.idle_seconds,))
            tx.execute(
                "INSERT INTO vl_session (session_hash, name, csrf, created_at, seen_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (_digest(token), name, csrf, now, now),
            )
        return Session(token, user, csrf)

    # ------------------------------------------------------------------ sessions

    def session(self, token: str) -> Session | None:
        """The live session behind a cookie (its last use noted), or None if idle or gone."""
        now = self.clock()
        rows = self.store.execute(
            "SELECT s.name, s.csrf, s.seen_at, u.role, u.scope, u.revoked, u.created_at "
            "FROM vl_session s JOIN vl_user u ON u.name = s.name "
            "WHERE s.session_hash = ? AND u.revoked = 0",
            (_digest(token),),
        )
        if not rows:
            return None
        name, csrf, seen_at, role, scope, revoked, created_at = rows[0]
        if float(seen_at) + self.idle_seconds <= now:
            self.sign_out(token)
            return None
        self._note_use(token, float(seen_at), now)
        user = user_from_row((name, role, scope, revoked, created_at))
        return Session(token, user, str(csrf))

    def _note_use(self, token: str, seen_at: float, now: float) -> None:
        """The session's last use, written at most every ``SEEN_EVERY_SECONDS``."""
        if now - seen_at >= SEEN_EVERY_SECONDS:
            self.store.execute(
                "UPDATE vl_session SET seen_at = ? WHERE session_hash = ?", (now, _digest(token))
            )

    def sign_out(self, token: str) -> None:
        self.store.execute("DELETE FROM vl_session WHERE session_hash = ?", (_digest(token),))
