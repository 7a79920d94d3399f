"""The signed statement a service record certificate carries (in its QR code and as text).

A statement is ``VLC1.<claims>.<signature>``: the claims as canonical JSON (sorted keys, no
spaces, UTF-8), then the Ed25519 signature of the seal key over a tagged copy of those
exact bytes, both base64url without padding. It is short enough for a QR code and for a
URL (``/verify?c=…``), and anyone holding the public key (``audit export-key`` / the
``/audit/public-key`` PEM) can check it offline: no server, no database.

The claims are what a school or employer reads off the certificate: the volunteer's name
and *masked* national id (never the full number), credited hours, lifetime points,
training hours, the log position and chain head hash the figures were read at, the year
(or the whole record), the issuing office and the date of issue. Changing any of them, the
position included, breaks the signature; so does a statement signed by another key.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infrastructure.sealing import key_id

PREFIX = "VLC1"
_TAG = b"volunteer-ledger certificate statement v1\n"
# Where a statement sits inside other text (a PDF's bytes, a pasted URL).
STATEMENT_PATTERN = re.compile(r"VLC1\.[A-Za-z0-9_-]{16,4000}\.[A-Za-z0-9_-]{80,90}")
# The claims and their Chinese labels, in the order a reader is shown them.
CLAIM_LABELS = {
    "name": "姓名",
    "id": "身份证号（部分隐去）",
    "hours": "志愿服务时长（小时）",
    "points": "累计积分",
    "training_hours": "培训时长（小时）",
    "activities": "参加活动（次）",
    "year": "证明年度",
    "office": "出具单位",
    "issued": "出具日期",
    "position": "日志位置",
    "head": "哈希链头",
    "key": "签名密钥",
}


class StatementError(ValueError):
    """The text is not a certificate statement: why, in English and in Chinese."""

    def __init__(self, detail: str, detail_zh: str) -> None:
        super().__init__(detail)
        self.detail_zh = detail_zh


@dataclass(frozen=True)
class Verdict:
    genuine: bool
    claims: dict[str, Any]
    problem: str | None = None
    problem_zh: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(claims: Mapping[str, Any]) -> bytes:
    return json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign_statement(key: Ed25519PrivateKey, claims: Mapping[str, Any]) -> str:
    """The statement of ``claims`` (the signing key's id is added as ``key``)."""
    signed = {**claims, "key": key_id(key.public_key())}
    payload = _canonical(signed)
    return f"{PREFIX}.{_b64(payload)}.{_b64(key.sign(_TAG + payload))}"


def find_statement(text: str) -> str:
    """The statement in ``text``: the statement itself, a ``/verify?c=`` link, or the text
    of a certificate PDF (which carries it in its metadata and its footer)."""
    found = STATEMENT_PATTERN.search(text)
    if found is None:
        raise StatementError(
            "no certificate statement (VLC1.…) found in the text",
            "未找到证明的签名声明（以 VLC1. 开头的一串字符）",
        )
    return found.group()


def read_statement(statement: str) -> tuple[dict[str, Any], bytes, bytes]:
    """The claims, the signed payload and the signature (unchecked)."""
    parts = statement.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise StatementError(
            "a statement is VLC1.<claims>.<signature>",
            "声明格式不对：应为 VLC1.<内容>.<签名>",
        )
    try:
        payload, signature = _unb64(parts[1]), _unb64(parts[2])
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        raise StatementError(
            "the statement's claims cannot be read (damaged or cut short)",
            "声明内容无法读取（已损坏或不完整）",
        ) from None
    if not isinstance(claims, dict):
        raise StatementError("the statement's claims are not an object", "声明内容格式不对")
    return claims, payload, signature


def check_statement(statement: str, keys: Mapping[str, Ed25519PublicKey]) -> Verdict:
    """Whether the statement was signed by one of ``keys`` (by key id) as it reads now."""
    claims, payload, signature = read_statement(statement)
    public = keys.get(str(claims.get("key", "")))
    if public is None:
        return Verdict(
            False,
            claims,
            f"signed by key {claims.get('key')!r}, which is not the office's seal key",
            "签名所用的密钥不是出具单位的印章密钥：此证明不是本系统出具的",
        )
    try:
        public.verify(signature, _TAG + payload)
    except InvalidSignature:
        return Verdict(
            False,
            claims,
            "the signature does not match the statement: a figure or the signature was changed",
            "签名与内容不符：证明上的数字或签名已被改动，不是原件",
        )
    return Verdict(True, claims)
