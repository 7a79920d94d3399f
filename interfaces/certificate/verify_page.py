"""``GET /verify?c=…``: the public page (no sign-in) that says whether a certificate's
statement is genuine and what it claims, checked with the office's public keys here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from infrastructure.certificates import (
    CLAIM_LABELS,
    StatementError,
    check_statement,
    find_statement,
)
from infrastructure.sealing import SealKeyError, trusted_keys
from interfaces.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/verify")
def verify_certificate(
    request: Request, c: Annotated[str, Query(max_length=8000)] = ""
) -> Response:
    container = request.app.state.container
    verdict, problem, status = None, "", 200
    if c.strip():
        try:
            keys = trusted_keys(container.settings)
            verdict = check_statement(find_statement(c), keys)
        except StatementError as e:
            problem, status = e.detail_zh, 422
        except SealKeyError:
            problem, status = "本服务器没有配置印章密钥，无法核验", 503
    return page(
        request,
        "certificate_verify.html",
        status=status,
        visitor=None,
        statement=c.strip(),
        verdict=verdict,
        problem=problem,
        labels=CLAIM_LABELS,
    )
