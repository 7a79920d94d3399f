"""The supervision bulletin over a real server, on SQLite and PostgreSQL: JSON, PDF and XLSX
of one cut carry the same figures and the same bytes each time; bad input is a 422 naming
the field; the command line writes what the API serves."""

from __future__ import annotations

import io
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from pypdf import PdfReader

from tests.e2e.api_support import ok, problem
from tests.e2e.http_support import CLI, Api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def office(api: Api) -> tuple[httpx.Client, int]:
    """A demo year recorded through the command line; a reader; a cut below the head."""
    # Run here rather than through api.cli: recording a year can outlast its 60 s on a busy machine.
    done = subprocess.run(
        [CLI, "demo", "--townships", "4", "--volunteers", "24", "--activities", "16"],
        env=api.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    client = httpx.Client(
        base_url=f"{api.base_url}/api/v1",
        headers={"Authorization": f"Bearer {api.tokens['auditor']}"},
        timeout=180,
    )
    head = ok(client.get("/audit/verify"))["head"]
    return client, head - 2


def _get(client: httpx.Client, cut: int, fmt: str, **params: Any) -> httpx.Response:
    response = client.get(
        "/bulletins/2022", params={"format": fmt, "as_of_position": cut, **params}
    )
    assert response.status_code == 200, response.text
    return response


def test_json_pdf_and_xlsx_of_one_cut_carry_the_same_figures(
    office: tuple[httpx.Client, int],
) -> None:
    client, cut = office
    answer = _get(client, cut, "json").json()
    assert answer["position"] == cut and answer["chain"]["position"] == cut
    ranked = [r for r in answer["ranking"] if r["rank"] is not None]
    assert len(ranked) == 4

    xlsx = _get(client, cut, "xlsx")
    assert xlsx.headers["content-type"] == XLSX
    rows = list(
        openpyxl.load_workbook(io.BytesIO(xlsx.content))["排名"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert [(r[0], r[1], Decimal(str(r[7]))) for r in rows] == [
        (r["rank"], r["name"], Decimal(r["score"])) for r in answer["ranking"]
    ]

    pdf = _get(client, cut, "pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert f"bulletin-2022-township-{cut}.pdf" in pdf.headers["content-disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    for row in ranked:
        assert row["name"] in flat and row["score"] in flat
    assert answer["chain"]["head_hash"] in flat


def test_the_same_cut_is_served_byte_for_byte(office: tuple[httpx.Client, int]) -> None:
    client, cut = office
    for fmt in ("json", "xlsx", "pdf"):
        assert _get(client, cut, fmt).content == _get(client, cut, fmt).content, fmt


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "banner_centre"}, "level"),
        ({"format": "docx"}, "format"),
        ({"as_of_position": 10**12}, "as_of_position"),
        ({"as_of_position": -1}, "as_of_position"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    office: tuple[httpx.Client, int], params: dict[str, Any], field: str
) -> None:
    client, _ = office
    body = problem(client.get("/bulletins/2022", params=params), 422)
    assert [e["field"] for e in body["errors"]] == [field]


def test_a_cut_beyond_the_head_is_explained_in_chinese(office: tuple[httpx.Client, int]) -> None:
    client, _ = office
    body = problem(client.get("/bulletins/2022", params={"as_of_position": 10**12}), 422)
    assert "超出日志末尾" in body["detail_zh"]


def test_a_period_the_calendar_cannot_hold_is_a_422(office: tuple[httpx.Client, int]) -> None:
    client, _ = office
    body = problem(client.get("/bulletins/2022-13"), 422)
    assert "period" in str(body["errors"])


def test_the_command_line_writes_the_bytes_the_api_serves(
    api: Api, office: tuple[httpx.Client, int], tmp_path: Path
) -> None:
    client, cut = office
    out = tmp_path / "bulletin.xlsx"
    done = api.cli(
        "bulletin", "2022", "--format", "xlsx", "--output", str(out), "--as-of-position", str(cut)
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == _get(client, cut, "xlsx").content


def test_the_annual_report_workbook_and_csvs_carry_the_review_totals(
    office: tuple[httpx.Client, int],
) -> None:
    client, _ = office
    review = client.get("/reviews/2022").json()
    xlsx = client.get("/reviews/2022", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
    totals = dict(
        openpyxl.load_workbook(io.BytesIO(xlsx.content))["总体情况"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert Decimal(str(totals["服务时长（小时）"])) == Decimal(review["totals"]["hours"])
    zipped = client.get("/reviews/2022", params={"format": "csv"})
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert all(archive.read(n).startswith(b"\xef\xbb\xbf") for n in archive.namelist())
    body = problem(client.get("/reviews/2022", params={"format": "docx"}), 422)
    assert [e["field"] for e in body["errors"]] == ["format"]
