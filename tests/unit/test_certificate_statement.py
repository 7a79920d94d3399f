"""A certificate's signed statement: it verifies with the office's public key alone, and
any change — a figure, the log position, the signature — or another key makes it fail."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from infrastructure.certificates import check_statement, find_statement, sign_statement
from infrastructure.sealing import key_id

OFFICE_KEY = Ed25519PrivateKey.generate()
OFFICE = {key_id(OFFICE_KEY.public_key()): OFFICE_KEY.public_key()}
CLAIMS = {
    "v": 1,
    "name": "阿拉坦仓",
    "id": "150626********0172",
    "hours": "80.5",
    "points": "96",
    "training_hours": "4",
    "activities": 19,
    "year": "全部",
    "office": "乌审旗退役军人事务局",
    "issued": "2026-12-05",
    "position": 2335,
    "head": "edeee11211ea66406012e689dc441cc85f97c040b954a848964d425003ac1839",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _with_claims(statement: str, **changed: object) -> str:
    """The statement with its claims changed and its signature kept (a forgery)."""
    prefix, payload, signature = statement.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changed)
    body = json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"{prefix}.{_b64(body.encode())}.{signature}"


def test_a_statement_verifies_with_the_public_key_alone_and_says_what_it_claims() -> None:
    statement = sign_statement(OFFICE_KEY, CLAIMS)
    verdict = check_statement(statement, OFFICE)
    assert verdict.genuine and verdict.problem is None
    assert verdict.claims["hours"] == "80.5" and verdict.claims["position"] == 2335
    assert "*" in verdict.claims["id"]
    assert len(statement) < 700  # fits a QR code a phone reads off paper
    # Found inside a link or the text of a PDF as well.
    assert find_statement(f"https://office.example/verify?c={statement}&x=1") == statement


def test_each_tampering_fails() -> None:
    statement = sign_statement(OFFICE_KEY, CLAIMS)
    for forged in (
        _with_claims(statement, hours="180.5"),
        _with_claims(statement, points="960"),
        _with_claims(statement, position=2336),
        _with_claims(statement, head="0" * 64),
        _with_claims(statement, id="150626198001010172"),
    ):
        verdict = check_statement(forged, OFFICE)
        assert not verdict.genuine and "改动" in (verdict.problem_zh or "")
    prefix, payload, signature = statement.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert not check_statement(f"{prefix}.{payload}.{flipped}", OFFICE).genuine


def test_a_statement_signed_with_another_key_fails_even_naming_the_offices_key() -> None:
    other = Ed25519PrivateKey.generate()
    foreign = sign_statement(other, CLAIMS)
    verdict = check_statement(foreign, OFFICE)
    assert not verdict.genuine and "不是出具单位" in (verdict.problem_zh or "")
    posing = _with_claims(foreign, key=next(iter(OFFICE)))  # claims the office's key id
    assert not check_statement(posing, OFFICE).genuine


@given(
    hours=st.decimals(min_value=0, max_value=10_000, places=1, allow_nan=False),
    delta=st.integers(min_value=1, max_value=1000),
)
def test_any_changed_figure_fails(hours: object, delta: int) -> None:
    statement = sign_statement(OFFICE_KEY, {**CLAIMS, "hours": str(hours)})
    assert check_statement(statement, OFFICE).genuine
    changed = _with_claims(statement, position=CLAIMS["position"] + delta)  # type: ignore[operator]
    assert not check_statement(changed, OFFICE).genuine
