"""The console's sheet upload is held to VL_MAX_SHEET_BYTES, as the API's bulk route is, not
to the 1 MiB body limit of every other request (on a real SQLite file, through the app
`serve` runs). And the console's pages use only the public names of the other layers."""

from __future__ import annotations

import ast
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from infrastructure.accounts import Accounts
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from infrastructure.users import UserStore
from interfaces.http.app import create_app

BODY_LIMIT = 4096
SHEET_LIMIT = 64 * 1024
PASSWORD = "limits-password-1"
WEB = Path(__file__).resolve().parents[2] / "interfaces" / "web"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        max_body_bytes=BODY_LIMIT,
        max_sheet_bytes=SHEET_LIMIT,
    )
    container = bootstrap(settings)
    UserStore(container.store).add("office", "admin")
    Accounts(container.store).set_password("office", PASSWORD)
    with TestClient(create_app(container, close_container=True)) as signed_in:
        login = signed_in.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', login)
        assert csrf is not None
        answer = signed_in.post(
            "/login",
            data={"name": "office", "password": PASSWORD, "csrf": csrf.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        yield signed_in


def _upload(client: TestClient, size: int) -> tuple[int, str]:
    form = client.get("/volunteers/new").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    row = "00000000-0000-0000-0000-000000000000,2022-05-11T09:00:00+08:00,2022-05-11T10:00:00+08:00,organiser\n"
    sheet = ("volunteer_id,started_at,ended_at,source\n" + row * (size // len(row) + 1))[:size]
    answer = client.post(
        f"/activities/{uuid.uuid4()}/sheet",
        data={"csrf": csrf.group(1), "form_key": uuid.uuid4().hex},
        files={"sheet": ("sheet.csv", sheet.encode(), "text/csv")},
    )
    return answer.status_code, answer.headers.get("content-type", "")


def test_a_sheet_larger_than_the_body_limit_but_within_the_sheet_limit_reaches_the_page(
    client: TestClient,
) -> None:
    status, kind = _upload(client, BODY_LIMIT * 5)
    assert status != 413
    assert kind.startswith("text/html")  # the console's own page, in Chinese


def test_a_sheet_over_the_sheet_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    status, _ = _upload(client, SHEET_LIMIT + 1024)
    assert status == 413


def test_a_sheet_over_the_sheet_limit_is_refused_with_a_page_in_chinese(
    client: TestClient,
) -> None:
    status, kind = _upload(client, SHEET_LIMIT + 1024)
    assert (status, kind.split(";")[0]) == (413, "text/html")


def test_a_console_form_over_the_body_limit_is_refused_with_a_page_in_chinese(
    client: TestClient,
) -> None:
    answer = client.post(
        "/volunteers/new", data={"csrf": "x", "form_key": "k", "name": "名" * BODY_LIMIT}
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert f"超过 {BODY_LIMIT:,} 字节的上限，未记录任何内容" in answer.text


def test_a_console_form_sent_without_a_length_is_counted_and_refused_with_the_same_page(
    client: TestClient,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"csrf=x&form_key=k&name="
        for _ in range(BODY_LIMIT // 512 + 1):
            yield b"a" * 512

    answer = client.post(
        "/volunteers/new",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "未记录任何内容" in answer.text


def test_an_api_request_over_the_body_limit_is_still_a_problem_document(
    client: TestClient,
) -> None:
    answer = client.post(
        "/api/v1/volunteers",
        content=b"{" + b" " * BODY_LIMIT + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")


def _private_names_from_other_modules(source: str) -> list[str]:
    tree = ast.parse(source)
    modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    } | {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    found = [
        f"from {node.module} import {alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__future__"
    ]
    found += [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    return found


def test_the_console_pages_use_no_private_name_of_another_module() -> None:
    found = {
        path.name: names
        for path in sorted(WEB.glob("*.py"))
        if (names := _private_names_from_other_modules(path.read_text("utf-8")))
    }
    assert found == {}
