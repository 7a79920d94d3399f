"""Page routes answer in HTML: no session → the sign-in page; a refusal → an error page in Chinese.

The API's errors (a 403 from the same scope checks, a 404, a 422 on a malformed query)
are raised by the same code the pages call; here they become pages instead of
problem documents.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from application.errors import NotAnAward, NotFound
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.tables import VOLUNTEER
from domain.errors import DomainError
from infrastructure.bootstrap import Container
from interfaces.http.limits import BodyTooLarge
from interfaces.http.problems import Problem
from interfaces.web.limits import too_large_page
from interfaces.web.messages import rule_message
from interfaces.web.render import page
from interfaces.web.session import SignInRequired


def container_of(request: Request) -> Container:
    """The service's composition root, as the app was built with it."""
    found: Container = request.app.state.container
    return found


def as_filters(**chosen: str) -> dict[str, Any]:
    """A list page's query filters as the read models take them: a blank one filters nothing."""
    return {name: value or None for name, value in chosen.items()}


def of_township(rows: list[dict[str, Any]], township: str | None) -> list[dict[str, Any]]:
    """The rows of ``township``; all of them when none is given."""
    return [r for r in rows if township in (None, r.get("township"))]


def still_open(rows: list[dict[str, Any]], ended: str) -> list[dict[str, Any]]:
    """The rows not yet ``ended`` (a team not dissolved, a station not closed): a new record
    may name only those."""
    return [r for r in rows if not r.get(ended)]


TITLES = {403: "无权访问", 404: "未找到", 422: "请求有误", 409: "操作被拒绝"}


def volunteer_names(reads: ReadModels, ids: Iterable[str]) -> dict[str, str]:
    """Volunteer id → name for the volunteers a page lists (one query, none for nobody)."""
    wanted = list(ids)
    found = reads.store.select(VOLUNTEER, within=("volunteer_id", wanted)) if wanted else []
    return {v["volunteer_id"]: v["name"] for v in found}


def error_page(request: Request, status: int, message: str) -> Response:
    return page(
        request,
        "error.html",
        status=status,
        title=TITLES.get(status, "出错了"),
        message=message,
        status_code=status,
    )


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            except Problem as e:
                message = str(e.extra.get("detail_zh") or e.detail)
                if e.status == 403 and e.kind != "csrf":
                    message = f"您的账号无权查看或修改此内容（{message}）。"
                return error_page(request, e.status, message)
            except DomainError as e:  # a rule the API answers with 409 (a missing seal key)
                return error_page(request, 409, e.message_zh or rule_message(e.rule, str(e)))
            except NotFound as e:
                return error_page(request, 404, f"找不到该记录：{e}")
            except NotAnAward as e:
                return error_page(request, 422, f"这不是一条服务积分：{e}")
            except RequestValidationError as e:
                fields = "、".join(
                    ".".join(str(p) for p in err["loc"][1:]) or "请求" for err in e.errors()
                )
                return error_page(request, 422, f"地址中的参数有误：{fields}")
            except BodyTooLarge as e:  # a body without Content-Length, counted as it came
                return too_large_page(request, e.limit)
            except HTTPException as e:
                return error_page(request, e.status_code, str(e.detail))

        return answer
