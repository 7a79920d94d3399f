"""Who is using the console: the session cookie resolved to a caller, and CSRF on every form.

The session cookie is HttpOnly and SameSite=Lax (and Secure when the page was served
over HTTPS). Every POST carries the session's CSRF token in a hidden ``csrf`` field; the
sign-in form, before there is a session, carries a token that must equal a short-lived
cookie of its own (double submit). A page asked for without a session redirects to the
sign-in page; a refused token is a 403 page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from domain.values import Actor, Role
from infrastructure.accounts import Accounts, Session
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem

SESSION_COOKIE = "vl_session"
LOGIN_CSRF_COOKIE = "vl_login_csrf"


class SignInRequired(Exception):
    """No live session: the page answers with a redirect to the sign-in page."""


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: their session and the API caller acting for them."""

    session: Session

    @property
    def csrf(self) -> str:
        return self.session.csrf

    @property
    def name(self) -> str:
        return self.session.user.name

    @property
    def role(self) -> str:
        return self.session.user.role

    @property
    def scope(self) -> str | None:
        return self.session.user.scope

    @property
    def own_township(self) -> str | None:
        """A station clerk's township, the only one their lists show; None for everyone else."""
        return self.scope if self.role == "station_staff" else None

    def township_listed(self, asked: str) -> str:
        """The township a list shows: the one asked for, else a clerk's own, else all ("");
        a clerk asking for another's is refused by the API."""
        return asked or self.own_township or ""

    def may_change(self, township: str) -> bool:
        """Whether the API lets this person change a record of ``township``: an admin, or that
        township's clerk (a page only hides the forms; the API decides)."""
        return self.role == "admin" or self.own_township == township

    def caller(self, correlation_id: str = "") -> Caller:
        """The same caller an API request with this user's token would be."""
        user = self.session.user
        correlation = correlation_id or f"web:{secrets.token_hex(8)}"
        return Caller(
            user, Actor(user_id=user.name, role=Role(user.role), correlation_id=correlation)
        )


def accounts(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


async def current_session(request: Request) -> Session | None:
    """The live session the request's cookie names, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    return await run_in_threadpool(accounts(request).session, token) if token else None


async def visitor(request: Request) -> Visitor:
    """The signed-in person, or :class:`SignInRequired`; a form without the right CSRF token
    is refused with a 403 before anything else happens."""
    session = await current_session(request)
    if session is None:
        raise SignInRequired()
    if request.method == "POST":
        await _check_csrf(request, session)
    return Visitor(session)


async def _check_csrf(request: Request, session: Session) -> None:
    """A form carries its session's CSRF token, or is refused (403) before anything happens."""
    sent = (await request.form()).get("csrf")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, session.csrf):
        raise Problem(
            403,
            "csrf",
            "表单已失效",
            "表单缺少有效的安全令牌（CSRF），未执行任何操作。请刷新页面后重试。",
        )


SignedIn = Annotated[Visitor, Depends(visitor)]


def new_record_values(visitor: Visitor) -> dict[str, str]:
    """A new record's form as first drawn: a station clerk's township filled in."""
    return {"township": visitor.scope or ""} if visitor.role == "station_staff" else {}


def require_township_view(visitor: Visitor, township: str, what: str) -> None:
    """A station clerk sees only their own township's records (403 page otherwise)."""
    if visitor.role == "station_staff" and visitor.scope != township:
        raise Problem(
            403,
            "forbidden",
            "无权访问",
            f"{visitor.name}（服务站工作人员，{visitor.scope}）不能查看{township}的{what}",
        )
