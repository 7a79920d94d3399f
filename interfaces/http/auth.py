"""Who is calling: bearer tokens resolved to users, roles and scopes; 401 and 403 decided here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from domain.values import Actor, Role
from infrastructure.users import TokenCache, User
from interfaces.http.problems import Problem
from interfaces.http.throttle import FailureThrottle, address_key

bearer = HTTPBearer(auto_error=False, description="A token from `volunteer-ledger users add`.")


@dataclass(frozen=True)
class Caller:
    user: User
    actor: Actor

    @property
    def role(self) -> str:
        return self.user.role

    def require_writer(self) -> None:
        if self.role == "auditor":
            raise _forbidden(f"{self.user.name} is an auditor: auditors read, they do not write")

    def require_township(self, township: str, what: str) -> None:
        """Writes on something in ``township``: admin, or station staff of that township."""
        self.require_writer()
        if self.role == "admin":
            return
        if self.role == "station_staff" and self.user.scope == township:
            return
        raise _forbidden(
            f"{self.user.name} ({self.role}, scope {self.user.scope}) may not write {what} "
            f"of township {township}"
        )

    def require_clerk(self, what: str) -> None:
        """Office work of any township, before the township is known: admin or station staff
        (the township is then checked with :meth:`require_township`)."""
        self.require_writer()
        if self.role not in ("admin", "station_staff"):
            raise _forbidden(f"{self.user.name} ({self.role}) may not {what}")

    def require_activity(self, township: str, team_id: str, what: str) -> None:
        """Writes on an activity: admin, its township's station staff, or its team's leader."""
        self.require_writer()
        if self.role == "team_leader" and self.user.scope == team_id:
            return
        if self.role == "team_leader":
            raise _forbidden(
                f"{self.user.name} leads team {self.user.scope}, not team {team_id}: "
                f"it may not write {what}"
            )
        self.require_township(township, what)

    def require_planning(
        self, township: str, team_id: str, team_township: str, banner_team: bool
    ) -> None:
        """Planning an activity writes for its team as well as in its township, so both must
        be in scope: station staff of the activity's township plan for that township's
        teams only; a township team's leader plans in its own township only (a banner-level
        team serves every township)."""
        self.require_activity(township, team_id, "activities")
        if self.role == "team_leader":
            if not banner_team and township != team_township:
                raise _forbidden(
                    f"{self.user.name} leads a team of township {team_township}: it may not "
                    f"plan activities in township {township}"
                )
            return
        self.require_township(team_township, "activities of the teams")

    def require_member(self, team_township: str, volunteer_township: str) -> None:
        """Enrolling touches the team and the volunteer: both townships must be in scope."""
        self.require_township(team_township, "team members")
        self.require_township(volunteer_township, "enrolments of the volunteers")

    def require_auditor(self, what: str) -> None:
        """Reads of the audit trail and reviews: auditors and admins only."""
        if self.role not in {"auditor", "admin"}:
            raise _forbidden(f"only an auditor or an admin may {what}")

    def require_admin(self, what: str) -> None:
        if self.role != "admin":
            raise _forbidden(f"only an admin may {what}")


def _forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", "Forbidden", detail)


def too_many_failures(wait: int) -> Problem:
    """429 for an address (or user) that failed to authenticate too often lately."""
    return Problem(
        429,
        "too-many-requests",
        "Too many failed authentications",
        f"too many failed authentications from here lately; try again in {wait} s",
        headers={"Retry-After": str(wait)},
        detail_zh=f"认证失败次数过多，请 {wait} 秒后再试",
    )


def request_id(request: Request) -> str:
    rid: str = request.state.request_id
    return rid


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller behind the bearer token; 401 when it is missing, unknown or revoked."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized(
            "send Authorization: Bearer <token> (issued by `volunteer-ledger users add`)"
        )
    user = await _user(request, credentials.credentials)
    return Caller(user, _actor(request, user))


async def _user(request: Request, token: str) -> User:
    """The user a token names. A token this process has resolved lately is answered from
    memory, without a thread or a query (see :class:`TokenCache`); else the store is asked,
    unless this address failed too often lately (429)."""
    tokens: TokenCache = request.app.state.tokens
    user = tokens.cached(token)
    if user is not None:
        return user
    throttle: FailureThrottle = request.app.state.auth_throttle
    address = address_key(request.client.host if request.client else None)
    wait = throttle.retry_after(address)
    if wait is not None:
        raise too_many_failures(wait)
    user = await run_in_threadpool(tokens.resolve, token)
    if user is None:
        throttle.failed(address)
        raise _unauthorized("the bearer token is unknown or revoked")
    return user


def _actor(request: Request, user: User) -> Actor:
    """The user acting in this request. The correlation id is always the server's (see
    interfaces.http.requestid); the client's X-Request-ID, if valid, is kept beside it."""
    correlation = (
        getattr(request.state, "idempotency_correlation", None)
        or getattr(request.state, "correlation_id", None)
        or uuid.uuid4().hex
    )
    client = getattr(request.state, "client_request_id", None) or ""
    return Actor(
        user_id=user.name, role=Role(user.role), correlation_id=correlation, request_id=client
    )


def _unauthorized(detail: str) -> Problem:
    return Problem(
        401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"}
    )


CallerDep = Annotated[Caller, Depends(current_caller)]
