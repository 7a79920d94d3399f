"""The annual report for a demo year, on SQLite and PostgreSQL: the workbook, the CSVs and
the PDF carry the review JSON's figures for the same cut, the same cut gives the same
bytes, and volunteers are listed by township, then name."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import psycopg
import pytest
from pypdf import PdfReader

from application.demo import generate_year
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from interfaces.documents.review import review_csv_zip, review_pdf, review_xlsx, with_townships
from tests.conftest import _pg_url
from tests.integration.conftest import fixed_clock


@dataclass
class Made:
    container: Container
    review: dict[str, Any]
    report: dict[str, Any]
    pdf: bytes
    xlsx: bytes
    csvs: bytes


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def made(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Made]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("report") / "ledger.sqlite3"
        settings = Settings(database_url=f"sqlite:///{path}")
    else:
        dbname = request.getfixturevalue("pg_database")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_pg_url(dbname), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        settings = Settings(database_url=_pg_url(dbname), postgres_schema=schema)
    container = bootstrap(settings, clock=fixed_clock)
    try:
        generate_year(
            container.ledger, year=2022, seed=5, townships=3, volunteers=24, activities=16
        )
        container.catch_up()
        review = container.review(2022, upto=container.ledger.current_position() - 2)
        report = with_townships(review, container.store)
        yield Made(
            container,
            review,
            report,
            review_pdf(report),
            review_xlsx(report),
            review_csv_zip(report),
        )
    finally:
        container.close()


def test_volunteers_are_listed_by_township_then_name(made: Made) -> None:
    people = made.report["volunteers"]
    assert len({p["township"] for p in people}) == 3 and all(p["township"] for p in people)
    assert [(p["township"], p["name"]) for p in people] == sorted(
        (p["township"], p["name"]) for p in people
    )
    assert sorted(p["volunteer_id"] for p in people) == sorted(
        v["volunteer_id"] for v in made.review["volunteers"]
    )


def test_the_workbook_holds_the_review_figures_as_numbers(made: Made) -> None:
    book = openpyxl.load_workbook(io.BytesIO(made.xlsx))
    assert book.sheetnames == [
        "总体情况",
        "志愿者",
        "服务站排名",
        "团队排名",
        "表彰与认定复核",
        "保险缺口",
        "存证",
    ]
    totals = dict(book["总体情况"].iter_rows(min_row=2, values_only=True))
    assert totals["服务志愿者人数"] == made.review["totals"]["volunteers_serving"]
    assert Decimal(str(totals["服务时长（小时）"])) == Decimal(made.review["totals"]["hours"])
    assert Decimal(str(totals["积分"])) == Decimal(made.review["totals"]["points"])
    rows = list(book["志愿者"].iter_rows(min_row=2, values_only=True))
    by_id = {v["volunteer_id"]: v for v in made.review["volunteers"]}
    assert len(rows) == len(by_id)
    for row in rows:
        assert isinstance(row[2], int | float)
        assert Decimal(str(row[2])) == Decimal(by_id[row[7]]["hours"])
        assert row[1] == by_id[row[7]]["name"]
    ranked = list(book["服务站排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in ranked] == [
        (s["rank"], s["name"]) for s in made.review["rankings"]["station"]
    ]


def test_each_csv_section_has_a_bom_and_the_same_rows(made: Made) -> None:
    with zipfile.ZipFile(io.BytesIO(made.csvs)) as archive:
        names = archive.namelist()
        assert len(names) == 7 and all(n.endswith(".csv") for n in names)
        for name in names:
            assert archive.read(name).startswith(b"\xef\xbb\xbf"), name
        people = list(csv.reader(io.StringIO(archive.read("02-志愿者.csv").decode("utf-8-sig"))))
    assert people[0][:2] == ["乡镇（苏木）", "姓名"]
    assert [r[1] for r in people[1:]] == [v["name"] for v in made.report["volunteers"]]


def test_the_pdf_carries_the_totals_and_names(made: Made) -> None:
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(made.pdf)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "2022年度志愿服务报告" in flat
    assert made.review["totals"]["hours"] in flat and made.review["totals"]["points"] in flat
    for person in made.report["volunteers"]:
        assert person["name"] in flat
    assert made.review["chain"]["head_hash"] in flat


def test_the_same_cut_gives_the_same_bytes(made: Made) -> None:
    again = with_townships(
        made.container.review(2022, upto=made.review["position"]), made.container.store
    )
    assert again == made.report
    assert review_xlsx(again) == made.xlsx
    assert review_csv_zip(again) == made.csvs
    assert review_pdf(again) == made.pdf
