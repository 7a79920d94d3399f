"""The supervision bulletin for the demo year, on SQLite and PostgreSQL: the PDF and the
workbook carry the JSON's figures for the same cut (people served and the media list
too), text that looks like a formula stays text, and the same cut gives the same bytes."""

from __future__ import annotations

import io
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest
from pypdf import PdfReader

from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import replay
from demo import generate_year
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from interfaces.documents.bulletin import bulletin_at, bulletin_pdf, bulletin_xlsx
from tests.integration.document_records import (
    FORMULA_OUTLET,
    LATE_OUTLET,
    pdf_text,
    record_formula_text,
    record_late_media,
    row_on_a_line,
)
from tests.support.clock import fixed_clock
from tests.support.postgres import pg_url


@dataclass
class Made:
    container: Container
    cut: int
    answer: dict[str, Any]
    pdf: bytes
    xlsx: bytes


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def made(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Made]:
    """A demo year (with a media outlet that looks like a formula), a cut before the
    log's head (a media report recorded after it), and the bulletin at that cut."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("bulletin") / "ledger.sqlite3"
        settings = Settings(database_url=f"sqlite:///{path}")
    else:
        dbname = request.getfixturevalue("pg_database")
        schema = f"t_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        settings = Settings(database_url=pg_url(dbname), postgres_schema=schema)
    container = bootstrap(settings, clock=fixed_clock)
    try:
        generate_year(
            container.ledger, year=2022, seed=7, townships=6, volunteers=60, activities=50
        )
        aid = record_formula_text(container)
        cut = container.ledger.current_position()
        record_late_media(container, aid)
        container.catch_up()
        answer = bulletin_at(container, "2022", "township", cut)
        yield Made(container, cut, answer, bulletin_pdf(answer), bulletin_xlsx(answer))
    finally:
        container.close()


def test_the_bulletin_ranks_as_the_rankings_do_at_the_same_cut(made: Made) -> None:
    memory, _ = replay(
        made.container.ledger, all_projections(made.container.rulebook), upto=made.cut
    )
    replayed = ReadModels(memory, made.container.rulebook)
    assert made.answer["ranking"] == replayed.rankings("station", "2022", "township")
    assert made.answer["position"] == made.cut
    assert made.answer["office"] == made.container.settings.issuing_office
    assert made.answer["chain"]["position"] == made.cut
    assert len([r for r in made.answer["ranking"] if r["rank"] is not None]) == 6


def test_hours_by_month_add_up_to_the_ranked_stations_hours(made: Made) -> None:
    monthly = sum(Decimal(m["volunteer_hours"]) for m in made.answer["hours_by_month"])
    ranked = sum(Decimal(r["volunteer_hours"]) for r in made.answer["ranking"])
    assert len(made.answer["hours_by_month"]) == 12
    assert monthly == ranked > 0


def test_the_workbook_holds_the_json_figures_as_numbers(made: Made) -> None:
    book = openpyxl.load_workbook(io.BytesIO(made.xlsx))
    assert book.sheetnames[:2] == ["排名", "各月服务时长"]
    ws = book["排名"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["名次", "服务站", "活动数"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(made.answer["ranking"])
    for row, expected in zip(rows, made.answer["ranking"], strict=True):
        assert row[0] == expected["rank"]
        assert row[1] == expected["name"]
        assert row[2] == expected["activities"]
        assert isinstance(row[3], int | float) and isinstance(row[7], int | float)
        assert Decimal(str(row[3])) == Decimal(expected["volunteer_hours"])
        assert Decimal(str(row[7])) == Decimal(expected["score"])
    evidence = dict(book["存证"].iter_rows(min_row=2, values_only=True))
    assert evidence["日志位置"] == made.cut
    assert evidence["哈希链头"] == made.answer["chain"]["head_hash"]


def test_the_pdf_text_carries_the_labels_and_the_figures(made: Made) -> None:
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(made.pdf)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert made.answer["office"] in flat
    for label in ["志愿服务监督通报", "服务站排名", "重点支持团队", "保险保障缺口", "哈希链头"]:
        assert label in flat
    for row in made.answer["ranking"]:
        assert row["name"] in flat
        assert row["score"] in flat
    assert made.answer["chain"]["head_hash"] in flat
    assert f"第{made.cut}条" in flat


def test_the_pdf_embeds_its_fonts_and_is_a4(made: Made, tmp_path: Path) -> None:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(made.pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert any("Noto-Sans-CJK-SC" in r for r in rows) and all(" yes " in r for r in rows)
    box = PdfReader(io.BytesIO(made.pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_the_same_cut_gives_the_same_bytes(made: Made) -> None:
    again = bulletin_at(made.container, "2022", "township", made.cut)
    assert again == made.answer
    assert bulletin_xlsx(again) == made.xlsx
    assert bulletin_pdf(again) == made.pdf


def test_people_served_in_the_workbook_equal_the_json(made: Made) -> None:
    served = made.answer["served"]
    assert served["total"] > 0 and len(served["stations"]) == 6
    ws = openpyxl.load_workbook(io.BytesIO(made.xlsx))["服务对象"]
    assert ws.freeze_panes == "A2"
    labels = [t["label_zh"] for t in served["by_type"].values()]
    assert [c.value for c in ws[1]] == ["服务站", "活动数", *labels, "合计"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    expected = [
        [s["name"], s["activities"], *(t["count"] for t in s["by_type"].values()), s["people"]]
        for s in served["stations"]
    ]
    assert [list(r) for r in rows[:-1]] == expected
    assert list(rows[-1])[2:] == [
        *(t["count"] for t in served["by_type"].values()),
        served["total"],
    ]
    assert all(isinstance(v, int) for r in rows for v in r[1:])


def test_people_served_add_up_over_stations_and_types(made: Made) -> None:
    served = made.answer["served"]
    for s in served["stations"]:
        assert s["people"] == sum(t["count"] for t in s["by_type"].values())
    for kind, t in served["by_type"].items():
        assert t["count"] == sum(s["by_type"][kind]["count"] for s in served["stations"])
    assert served["total"] == sum(s["people"] for s in served["stations"])
    ranked = {r["unit_id"] for r in made.answer["ranking"]}
    assert {s["station_id"] for s in served["stations"]} <= ranked


def test_the_media_list_in_the_workbook_equals_the_json(made: Made) -> None:
    coverage = made.answer["media_coverage"]
    assert [m["outlet"] for m in coverage].count(FORMULA_OUTLET) == 1
    ws = openpyxl.load_workbook(io.BytesIO(made.xlsx))["宣传报道清单"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:5] == [
        "服务站",
        "发布日期",
        "媒体级别",
        "报道媒体",
        "报道活动",
    ]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows == [
        [m["name"], m["published_on"], m["level_zh"], m["outlet"], m["activity_title"], m["url"]]
        for m in coverage
    ]
    assert [(m["name"], m["published_on"]) for m in coverage] == sorted(
        (m["name"], m["published_on"]) for m in coverage
    )


def test_a_media_report_recorded_after_the_cut_is_left_out(made: Made) -> None:
    assert LATE_OUTLET not in [m["outlet"] for m in made.answer["media_coverage"]]
    live = bulletin_at(made.container, "2022", "township")
    assert LATE_OUTLET in [m["outlet"] for m in live["media_coverage"]]


def test_an_outlet_that_looks_like_a_formula_is_a_text_cell(made: Made) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(made.xlsx))["宣传报道清单"]
    [cell] = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == FORMULA_OUTLET]
    assert cell.data_type == "s"


def test_the_pdf_shows_people_served_and_the_media_list(made: Made, tmp_path: Path) -> None:
    text = pdf_text(made.pdf, tmp_path, layout=True)
    flat = re.sub(r"\s+", "", pdf_text(made.pdf, tmp_path, layout=False))
    served = made.answer["served"]
    assert "服务对象（按类别统计人次）" in flat and "宣传报道" in flat
    for label in (t["label_zh"] for t in served["by_type"].values()):
        assert label in flat
    for s in served["stations"]:
        counts = [t["count"] for t in s["by_type"].values()]
        assert row_on_a_line(text, [s["name"], *counts, s["people"]]), s["name"]
    assert row_on_a_line(text, ["合计", *(t["count"] for t in served["by_type"].values())])
    for m in made.answer["media_coverage"]:
        assert row_on_a_line(text, [m["name"], m["published_on"], m["level_zh"]]), m
        assert re.sub(r"\s+", "", m["outlet"]) in flat
