"""保险: insurance purchasing — uncovered volunteers on a date, expiring policies, gaps,
and a group policy's upload.

The group policy is recorded through the API's own route function with the visitor as
its caller, so the same scope rules refuse a station clerk the bureau's group policy; the
page only draws the form and the answers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta
from functools import partial
from itertools import dropwhile
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from infrastructure.bootstrap import Container
from interfaces.http.auth import Caller
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import GroupPolicy
from interfaces.http.routers import insurance as insurance_api
from interfaces.web.forms import Refused, form_values, page_status, submit_form
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of, of_township
from interfaces.web.session import SignedIn, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ROWS_SHOWN = 200
MEMBERS_MAX_BYTES = 2_000_000


def _today(container: Container) -> date:
    """Today in the rulebook's time zone, as the API's expiring list counts it."""
    return (container.ledger.clock() + container.rulebook.latest.utc_offset).date()


def _insurance(
    container: Container, visitor: Visitor, on: date, within_days: int, year: int
) -> dict[str, Any]:
    reads = container.read_models()
    township = visitor.own_township
    uncovered = reads.uncovered(on, township)
    today = _today(container)
    expiring = of_township(reads.expiring(today, within_days), township)
    gaps = of_township(reads.insurance_gaps(year=year), township)
    return {
        "uncovered": uncovered[:ROWS_SHOWN],
        "uncovered_count": len(uncovered),
        "expiring": expiring[:ROWS_SHOWN],
        "expiring_count": len(expiring),
        "gaps": gaps[:ROWS_SHOWN],
        "gap_count": len(gaps),
        "today": today,
        "rows_shown": ROWS_SHOWN,
    }


def _insurance_page(
    request: Request,
    visitor: Visitor,
    *,
    on: date | None = None,
    within_days: int = 30,
    year: int | None = None,
    values: dict[str, Any] | None = None,
    refused: Refused | None = None,
) -> Response:
    container = container_of(request)
    today = _today(container)
    on = on or today
    year = year or on.year
    context = _insurance(container, visitor, on, within_days, year)
    return page(
        request,
        "insurance.html",
        status=page_status(refused),
        visitor=visitor,
        nav="insurance",
        on=on,
        within_days=within_days,
        year=year,
        values=values
        or {
            "covers_from": today.isoformat(),
            "covers_to": (today + timedelta(days=364)).isoformat(),
        },
        refused=refused,
        done=request.query_params.get("done", ""),
        **context,
    )


@router.get("/insurance")
async def insurance(
    request: Request,
    visitor: SignedIn,
    on: date | None = None,
    within_days: Annotated[int, Query(ge=0, le=366)] = 30,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """保险: who to insure on a date, policies ending soon, participations without cover."""
    return await run_in_threadpool(
        lambda: _insurance_page(request, visitor, on=on, within_days=within_days, year=year)
    )


def members_of(text: str) -> list[str]:
    """Volunteer ids or national ids, one per line (a CSV's first column; a heading row of
    words is skipped)."""
    cells = (row[0].strip() if row else "" for row in csv.reader(io.StringIO(text)))
    listed = (cell for cell in cells if cell and not cell.startswith("#"))
    return list(dropwhile(_is_heading, listed))


def _is_heading(cell: str) -> bool:
    """A heading such as 身份证号 or volunteer_id: no digit in it (every id has some)."""
    return not any(ch.isdigit() for ch in cell)


@router.post("/insurance/group-policies")
async def group_policy(request: Request, visitor: SignedIn) -> Response:
    """录入团体保单: the policy and its members (typed, or a CSV/text file of ids), recorded
    whole by the API's route or not at all, every bad member named by its line."""
    container = container_of(request)
    values = await form_values(request)
    raw = await _members_file(request)
    typed = values.get("members", "")
    text = _uploaded_text(raw) if raw else typed
    members = members_of(text)
    values["members_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()

    def command(caller: Caller) -> Any:
        _check_members(raw, text, members)
        body = GroupPolicy.model_validate(
            {**{f: values.get(f, "") for f in _POLICY_FIELDS}, "members": members}
        )
        try:
            return insurance_api.record_group_policy(
                body, caller, container, container.read_models()
            )
        except Problem as e:
            raise _members_refused(e, members) from None

    return await submit_form(
        request,
        visitor,
        values,
        command,
        lambda _: f"/insurance?done=policy&on={values.get('covers_from', '')}",
        # the list as typed, or else as read from the file
        partial(_insurance_page, request, visitor, values={**values, "members": typed or text}),
    )


async def _members_file(request: Request) -> bytes:
    """The uploaded list of members, read up to one byte over the limit (nothing if none)."""
    upload = (await request.form()).get("members_file")
    return await upload.read(MEMBERS_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""


_POLICY_FIELDS = ("policy_number", "insurer", "covers_from", "covers_to", "sum_insured")


def _uploaded_text(raw: bytes) -> str:
    """The uploaded list as text; empty when it is not UTF-8 (refused by the check)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ""


def _check_members(raw: bytes, text: str, members: list[str]) -> None:
    """Refuse a list too large, not UTF-8, or empty, before the API sees it."""
    if len(raw) > MEMBERS_MAX_BYTES:
        raise Refused(
            f"名单文件超过 {MEMBERS_MAX_BYTES} 字节的上限，未记录。", {"members": "文件过大"}
        )
    if raw and not text:
        raise Refused("名单文件须为 UTF-8 编码的 CSV 或文本文件。", {"members": "编码不正确"})
    if not members:
        raise Refused(
            "请填写或上传参保人员名单（每行一个身份证号或志愿者编号）。",
            {"members": "名单为空"},
        )


def _members_refused(problem: Problem, members: list[str]) -> Exception:
    """The API's refusal of members as the page's: each bad member by its line; any other
    problem as it is."""
    bad = problem.extra.get("errors") or []
    if problem.status != 422 or not bad:
        return problem
    rows = [_member_row(b, members) for b in bad]
    return Refused(
        f"名单中有 {len(rows)} 人无法识别，整张保单未记录。请更正后重新提交。",
        {"members": f"{len(rows)} 人无法识别"},
        rows=rows,
    )


def _member_row(error: dict[str, Any], members: list[str]) -> dict[str, Any]:
    line = _line(str(error.get("field", "")))
    return {
        "line": line,
        "field": members[line - 1] if 0 < line <= len(members) else "",
        "message": _member_message(str(error.get("message", ""))),
    }


def _line(field: str) -> int:
    """``members[3]`` is the fourth member: line 4 of the list."""
    inside = field.partition("[")[2].partition("]")[0]
    return int(inside) + 1 if inside.isdigit() else 0


# The API's English reason for a member it could not take, as the page says it (first match).
_MEMBER_MESSAGES = (
    ("no volunteer holds", "没有持此身份证号的志愿者。"),
    ("neither a volunteer id nor a national id", "既不是志愿者编号，也不是有效的身份证号。"),
    ("not found", "没有此编号的志愿者。"),
    ("unknown", "没有此编号的志愿者。"),
)


def _member_message(message: str) -> str:
    repeated = re.search(r"is listed at (\d+) too", message)
    if repeated:
        return f"与第 {int(repeated.group(1)) + 1} 行是同一人，重复列出。"
    for english, chinese in _MEMBER_MESSAGES:
        if english in message:
            return chinese
    return f"无法为此人录入该保单（{message}）。"
