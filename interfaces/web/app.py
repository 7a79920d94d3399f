"""Mounting the console on the API's app: static files, /docs without a CDN, sign-in and out."""

from __future__ import annotations

import importlib.util
import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from infrastructure.accounts import Accounts, SignIn
from infrastructure.bootstrap import Container
from infrastructure.idempotency import IdempotencyStore
from interfaces.web import (
    pages_activities,
    pages_activity,
    pages_audit,
    pages_benefits,
    pages_corrections,
    pages_documents,
    pages_home,
    pages_insurance,
    pages_needs,
    pages_people,
    pages_registration,
    pages_served,
    pages_stations,
    pages_teams,
)
from interfaces.web.limits import ConsoleBodyLimit
from interfaces.web.render import HERE, SHANGHAI, page, templates
from interfaces.web.routing import PageRoute
from interfaces.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SignedIn,
    accounts,
    secure,
    set_session_cookie,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _next(target: str | None) -> str:
    """Only a local path may follow the sign-in (no open redirect)."""
    return target if target and _is_local_path(target) else "/"


def _is_local_path(target: str) -> bool:
    """A path on this site: not another site's (``//host``, ``https://…``; urlsplit drops the
    tabs and newlines a browser would, so ``/\t/host`` is caught too)."""
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith("//")
    return local and not (parts.scheme or parts.netloc)


def _login_page(
    request: Request, *, name: str = "", error: str = "", next_: str = "/", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request, "login.html", status=status, name=name, error=error, next=next_, csrf=token
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure(request)
    )
    return response


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_=_next(next))


@router.post("/login")
async def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Sign in: the password is checked unless the name or the address is locked out."""
    if not _login_csrf_matches(request, csrf):
        return _login_page(
            request,
            name=name,
            error="表单已失效（缺少安全令牌），请重新输入后登录。",
            next_=_next(next),
            status=403,
        )
    address = request.client.host if request.client else "unknown"
    outcome = await run_in_threadpool(accounts(request).sign_in, name, password, address)
    if outcome.session is None:
        return _login_page(
            request, name=name, error=_refused_because(outcome), next_=_next(next), status=401
        )
    response = RedirectResponse(_next(next), status_code=303)
    set_session_cookie(response, request, outcome.session.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _login_csrf_matches(request: Request, sent: str) -> bool:
    """The sign-in form's token equals its own cookie (double submit); neither may be empty."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(sent) and bool(expected) and secrets.compare_digest(sent, expected)


def _refused_because(outcome: SignIn) -> str:
    """Why a sign-in failed: locked out (until when, Beijing time), or a wrong name or password."""
    if outcome.locked_until is None:
        return "用户名或密码不正确。"
    until = datetime.fromtimestamp(outcome.locked_until, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return f"登录失败次数过多，已暂时锁定，请于 {until}（北京时间）之后再试。"


@router.post("/logout")
async def logout(request: Request, visitor: SignedIn) -> Response:
    await run_in_threadpool(accounts(request).sign_out, visitor.session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _swagger_ui_files() -> Path:
    """swagger-ui-py's copy of Swagger UI 5 (found without importing its framework glue)."""
    spec = importlib.util.find_spec("swagger_ui")
    assert spec is not None and spec.submodule_search_locations, "swagger-ui-py is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def _docs(app: FastAPI) -> None:
    """Swagger UI from the service's own files (a county office may have no internet)."""
    app.mount("/docs-assets", StaticFiles(directory=_swagger_ui_files()), name="docs-assets")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API docs",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    app.add_api_route("/docs", docs, include_in_schema=False)


def _category_labels(container: Container) -> dict[str, str]:
    """Every service category's Chinese label, from every rulebook version (a category a
    later version dropped still names old activities)."""
    return {
        code: rule.label_zh
        for v in container.rulebook.versions
        for code, rule in v.categories.items()
    }


def install(app: FastAPI, container: Container) -> None:
    """Add the console's routes and files to ``app`` (built with ``docs_url=None``)."""
    app.state.accounts = Accounts(
        container.store, idle_seconds=container.settings.session_idle_minutes * 60
    )
    app.state.form_keys = IdempotencyStore(container.store)
    labels = _category_labels(container)
    templates.env.globals["cat"] = lambda code: labels.get(str(code), str(code or ""))
    settings = container.settings
    app.add_middleware(  # outside the API's limit: the console's oversize forms get a page
        ConsoleBodyLimit, body_bytes=settings.max_body_bytes, sheet_bytes=settings.max_sheet_bytes
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _docs(app)
    app.include_router(router)
    for module in (
        pages_home,
        pages_activities,
        pages_activity,
        pages_corrections,
        pages_registration,
        pages_people,
        pages_teams,
        pages_needs,
        pages_audit,
        pages_stations,
        pages_insurance,
        pages_benefits,
        pages_served,
        pages_documents,
    ):
        app.include_router(module.router)
