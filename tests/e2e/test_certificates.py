"""Service record certificates against a real `serve` on the demo year: the PDF over HTTP,
`certificate verify` offline with only the public key (the PDF, the statement, each
tampering), and the public /verify page in a real Chromium with the internet cut off."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Route, expect

from infrastructure.certificates import find_statement, sign_statement
from interfaces.cli.certificate import pdf_text
from tests.clusters import free_port
from tests.e2e.console_support import CHROMIUM, Console, start
from tests.e2e.http_support import CLI, stop

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)",
)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start(tmp_path_factory.mktemp("certificates"), free_port())
    try:
        found.api.add_users({"api-admin": ["--role", "admin"]})
        yield found
    finally:
        stop(found.process, found.log)


@pytest.fixture(scope="module")
def issued(console: Console, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The certificate of the demo volunteer with the most points, and the public key."""
    volunteer_id = str(
        console.query(
            "SELECT volunteer_id FROM rm_ledger_account ORDER BY lifetime_points DESC, "
            "volunteer_id LIMIT 1"
        )[0][0]
    )
    admin = console.api.client("api-admin")
    # A document, not an interactive read: the CJK font is subset into the PDF (seconds).
    response = admin.get(
        f"/volunteers/{volunteer_id}/certificate", params={"format": "pdf"}, timeout=180
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    folder = tmp_path_factory.mktemp("issued")
    pdf = folder / "certificate.pdf"
    pdf.write_bytes(response.content)
    key = subprocess.run(
        [CLI, "audit", "public-key"], env=console.api.env, capture_output=True, check=True
    ).stdout
    public = folder / "office-public.pem"
    public.write_bytes(key)
    return {"id": volunteer_id, "pdf": pdf, "public": public, "admin": admin}


def _verify(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VL_")}
    env["VL_DATABASE_URL"] = "sqlite:////nonexistent/never-opened.sqlite3"  # offline: unused
    env["VL_SEAL_KEY_PATH"] = "/nonexistent/seal-key.pem"
    return subprocess.run(
        [CLI, "certificate", "verify", *args], env=env, capture_output=True, text=True, timeout=60
    )


def _forged(statement: str, **changed: object) -> str:
    prefix, payload, signature = statement.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changed)
    body = json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    encoded = base64.urlsafe_b64encode(body.encode()).rstrip(b"=").decode()
    return f"{prefix}.{encoded}.{signature}"


def _claims(statement: str) -> dict[str, object]:
    payload = statement.split(".")[1]
    loaded: dict[str, object] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return loaded


def test_the_certificate_pdf_carries_the_ledgers_figures_and_no_full_id(
    console: Console, issued: dict[str, object]
) -> None:
    pdf, admin = Path(str(issued["pdf"])), issued["admin"]
    assert isinstance(admin, httpx.Client)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for label in ("志愿服务记录证明", "服务日期", "服务类别", "培训记录", "表彰", "出具单位"):
        assert label in text
    full_id = str(
        console.query(
            "SELECT national_id FROM rm_volunteer WHERE volunteer_id = ?", (issued["id"],)
        )[0][0]
    )
    statement = find_statement(pdf_text(pdf.read_bytes()))
    claims = _claims(statement)
    assert full_id not in text and full_id not in pdf_text(pdf.read_bytes())
    assert claims["id"] == full_id[:6] + "*" * 8 + full_id[-4:]
    ledger = admin.get(f"/volunteers/{issued['id']}/ledger").json()
    awards = [e for e in ledger["entries"] if e["kind"] == "award" and not e["reversed"]]
    assert Decimal(str(claims["hours"])) == sum(Decimal(str(e["hours"])) for e in awards)
    assert Decimal(str(claims["points"])) == Decimal(str(ledger["lifetime_points"]))
    assert claims["activities"] == len(awards)
    assert f"{claims['hours']}" in text  # the figure signed is the figure printed
    head = httpx.get(f"{console.base_url}/readyz").json()["head"]
    assert 0 < int(str(claims["position"])) <= int(head)


def test_a_year_without_service_gives_a_certificate_of_zeros(issued: dict[str, object]) -> None:
    """A volunteer may ask for a year they did not serve: the office still gets a
    certificate, saying 0, not an error (the page's sum over no rows once gave a 500)."""
    admin = issued["admin"]
    assert isinstance(admin, httpx.Client)
    response = admin.get(
        f"/volunteers/{issued['id']}/certificate",
        params={"format": "pdf", "year": 2001},
        timeout=180,
    )
    assert response.status_code == 200, response.text
    claims = _claims(find_statement(pdf_text(response.content)))
    assert (claims["hours"], claims["points"], claims["activities"]) == ("0", "0", 0)
    assert claims["year"] == 2001


def test_the_certificate_verifies_offline_and_each_tampering_fails(
    issued: dict[str, object],
) -> None:
    pdf, public = str(issued["pdf"]), str(issued["public"])
    checked = _verify(pdf, "--public-key", public)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "核验通过" in checked.stdout
    statement = find_statement(pdf_text(Path(pdf).read_bytes()))
    assert _verify(statement, "--public-key", public).returncode == 0
    claims = _claims(statement)
    hours = Decimal(str(claims["hours"]))
    for forged in (
        _forged(statement, hours=str(hours + 10)),
        _forged(statement, position=int(str(claims["position"])) + 1),
    ):
        refused = _verify(forged, "--public-key", public)
        assert refused.returncode == 1 and "核验未通过" in refused.stdout
    prefix, payload, signature = statement.split(".")
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    assert _verify(f"{prefix}.{payload}.{flipped}", "--public-key", public).returncode == 1
    foreign = sign_statement(Ed25519PrivateKey.generate(), {**claims})
    refused = _verify(foreign, "--public-key", public)
    assert refused.returncode == 1 and "不是出具单位" in refused.stdout


def test_the_public_verify_page_says_genuine_or_not_in_a_browser_offline(
    console: Console, browser: Browser, issued: dict[str, object]
) -> None:
    statement = find_statement(pdf_text(Path(str(issued["pdf"])).read_bytes()))
    claims = _claims(statement)
    context = browser.new_context(locale="zh-CN")  # no sign-in
    page = context.new_page()
    outside: list[str] = []

    def cut_off(route: Route) -> None:
        if route.request.url.startswith(console.base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", cut_off)
    try:
        page.goto(f"{console.base_url}/verify?c={statement}")
        expect(page.locator("#verdict")).to_contain_text("真实有效")
        expect(page.locator("#claims")).to_contain_text(str(claims["hours"]))
        expect(page.locator("#claims")).to_contain_text(str(claims["id"]))
        forged = _forged(statement, hours=str(Decimal(str(claims["hours"])) + 1))
        page.goto(f"{console.base_url}/verify?c={forged}")
        expect(page.locator("#verdict")).to_contain_text("核验未通过")
        page.goto(f"{console.base_url}/verify")
        page.fill("#f-c", "VLC1.not-a-statement")
        page.click("form[action='/verify'] button")
        expect(page.locator("#verdict")).to_contain_text("无法核验")
        assert outside == []
    finally:
        context.close()
