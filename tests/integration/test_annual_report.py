"""The annual report for a demo year, on SQLite and PostgreSQL: the workbook, the CSVs and
the PDF carry the review JSON's figures for the same cut (people served, the breakdowns,
needs met, media and vouchers too), the same cut gives the same bytes, volunteers are
listed by township, then name, with their teams, and text that looks like a formula
stays text."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest
from pypdf import PdfReader

from application.readmodel.queries.served import media_coverage, voucher
from application.readmodel.tables import TEAM, TEAM_MEMBER, VOLUNTEER, VOUCHER
from demo import generate_year
from domain.ranking import Period
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from interfaces.documents.review import report_order, review_csv_zip, review_pdf, review_xlsx
from interfaces.documents.tabular import safe_text
from tests.integration.document_records import (
    FORMULA_NAME,
    FORMULA_OUTLET,
    LATE_OUTLET,
    pdf_text,
    record_formula_text,
    record_late_media,
    redeem_a_free_benefit,
    row_on_a_line,
)
from tests.support.clock import fixed_clock
from tests.support.postgres import pg_url

NEW_SHEETS = [
    "服务对象",
    "按乡镇",
    "按服务站",
    "按团队",
    "按服务类别",
    "按月份",
    "需求满足",
    "宣传报道",
    "礼遇兑换",
]
BREAKDOWN_SHEETS = {
    "township": "按乡镇",
    "station": "按服务站",
    "team": "按团队",
    "category": "按服务类别",
    "month": "按月份",
}


@dataclass
class Made:
    container: Container
    review: dict[str, Any]
    report: dict[str, Any]
    pdf: bytes
    xlsx: bytes
    csvs: bytes
    benefit: str


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
        with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        settings = Settings(database_url=pg_url(dbname), postgres_schema=schema)
    container = bootstrap(settings, clock=fixed_clock)
    try:
        generate_year(
            container.ledger, year=2022, seed=5, townships=3, volunteers=24, activities=16
        )
        aid = record_formula_text(container)
        benefit = redeem_a_free_benefit(container)
        cut = container.ledger.current_position()
        record_late_media(container, aid)  # after the cut: not in the report
        container.catch_up()
        review = container.review(2022, upto=cut)
        report = report_order(review)
        yield Made(
            container,
            review,
            report,
            review_pdf(report),
            review_xlsx(report),
            review_csv_zip(report),
            benefit,
        )
    finally:
        container.close()


def test_volunteers_are_listed_by_township_then_name(made: Made) -> None:
    people = made.report["volunteers"]
    assert len({p["township"] for p in people}) == 4 and all(p["township"] for p in people)
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
        *NEW_SHEETS,
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
        assert isinstance(row[3], int | float)
        assert Decimal(str(row[3])) == Decimal(by_id[row[8]]["hours"])
        assert row[1] == by_id[row[8]]["name"]
    ranked = list(book["服务站排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in ranked] == [
        (s["rank"], s["name"]) for s in made.review["rankings"]["station"]
    ]


def test_each_csv_section_has_a_bom_and_the_same_rows(made: Made) -> None:
    with zipfile.ZipFile(io.BytesIO(made.csvs)) as archive:
        names = archive.namelist()
        assert len(names) == 7 + len(NEW_SHEETS) and all(n.endswith(".csv") for n in names)
        for name in names:
            assert archive.read(name).startswith(b"\xef\xbb\xbf"), name
        people = list(csv.reader(io.StringIO(archive.read("02-志愿者.csv").decode("utf-8-sig"))))
    assert people[0][:2] == ["乡镇（苏木）", "姓名"]
    assert [r[1] for r in people[1:]] == [safe_text(v["name"]) for v in made.report["volunteers"]]


def test_the_pdf_carries_the_totals_and_names(made: Made) -> None:
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(made.pdf)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "2022年度志愿服务报告" in flat
    assert made.review["totals"]["hours"] in flat and made.review["totals"]["points"] in flat
    for person in made.report["volunteers"]:
        assert person["name"] in flat
    assert made.review["chain"]["head_hash"] in flat


def test_the_same_cut_gives_the_same_bytes(made: Made) -> None:
    again = report_order(made.container.review(2022, upto=made.review["position"]))
    assert again == made.report
    assert review_xlsx(again) == made.xlsx
    assert review_csv_zip(again) == made.csvs
    assert review_pdf(again) == made.pdf


def _sheet(made: Made, title: str) -> list[list[Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(made.xlsx))[title]
    assert ws.freeze_panes == "A2", title
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def _csv(made: Made, title: str) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(made.csvs)) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(f"-{title}.csv")]
        data = archive.read(name)
    assert data.startswith(b"\xef\xbb\xbf"), name
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]


def vouchers_of_all(container: Container) -> list[dict[str, Any]]:
    """Every voucher of the live read models, with its position."""
    container.catch_up()
    return [
        {**voucher(container.store, row["voucher_code"]), "position": row["position"]}
        for row in container.store.select(VOUCHER)
    ]


def _number(value: Any) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value))


def test_volunteers_carry_their_township_and_teams_from_the_register(made: Made) -> None:
    store = made.container.store
    teams = {t["team_id"]: t["name"] for t in store.select(TEAM)}
    member_of: dict[str, list[str]] = {}
    for m in store.select(TEAM_MEMBER):
        member_of.setdefault(m["volunteer_id"], []).append(teams[m["team_id"]])
    township = {v["volunteer_id"]: v["township"] for v in store.select(VOLUNTEER)}
    people = made.review["volunteers"]
    assert sum(1 for p in people if p["teams"]) >= len(people) - 1  # all but the one added
    for p in people:
        assert p["township"] == township[p["volunteer_id"]]
        assert p["teams"] == sorted(member_of.get(p["volunteer_id"], []))
    rows = _sheet(made, "志愿者")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (p["township"], p["name"], "、".join(p["teams"])) for p in made.report["volunteers"]
    ]


def test_people_served_by_type_in_the_workbook_and_csv_equal_the_json(made: Made) -> None:
    served = made.review["served"]
    assert served["total"] > 0 and served["total"] == sum(
        t["count"] for t in served["by_type"].values()
    )
    expected = [[t["label_zh"], t["count"]] for t in served["by_type"].values()]
    expected.append(["合计", served["total"]])
    assert _sheet(made, "服务对象") == expected
    assert _csv(made, "服务对象") == [[label, str(n)] for label, n in expected]
    totals = dict(_sheet(made, "总体情况"))
    assert totals["服务对象（人次）"] == served["total"]


def test_each_breakdown_sheet_and_csv_equals_the_json(made: Made) -> None:
    for grouping, title in BREAKDOWN_SHEETS.items():
        rows = made.review["breakdowns"][grouping]
        assert rows, grouping
        sheet = _sheet(made, title)
        assert [r[0] for r in sheet] == [b["name"] for b in rows]
        for got, b in zip(sheet, rows, strict=True):
            assert got[1] == b["activities"] and got[3] == b["distinct_volunteers"]
            assert _number(got[2]) == Decimal(b["volunteer_hours"])
            assert got[4] == b["people_served"]
        assert _csv(made, title) == [
            [
                b["name"],
                str(b["activities"]),
                b["volunteer_hours"],
                str(b["distinct_volunteers"]),
                str(b["people_served"]),
            ]
            for b in rows
        ]
    months = [b["key"] for b in made.review["breakdowns"]["month"]]
    assert months == [f"2022-{m:02d}" for m in range(1, 13)]


def test_the_breakdowns_add_up_and_agree_with_the_team_ranking(made: Made) -> None:
    breakdowns = made.review["breakdowns"]
    sums = {
        grouping: (
            sum(b["activities"] for b in rows),
            sum(Decimal(b["volunteer_hours"]) for b in rows),
            sum(b["people_served"] for b in rows),
        )
        for grouping, rows in breakdowns.items()
    }
    assert len(set(sums.values())) == 1, sums
    assert sums["township"][2] == made.review["served"]["total"]
    ranked = {t["name"]: t for t in made.review["rankings"]["team"]}
    for b in breakdowns["team"]:
        team = ranked[b["name"]]
        assert Decimal(b["volunteer_hours"]) == Decimal(team["volunteer_hours"])
        assert (b["activities"], b["distinct_volunteers"]) == (
            team["activities"],
            team["distinct_volunteers"],
        )


def test_needs_and_media_in_the_workbook_equal_the_json(made: Made) -> None:
    needs = made.review["needs_met"]
    assert needs and _sheet(made, "需求满足") == [
        [n["name"], n["township"], n["raised"], n["met"], n["declined"], n["open"]] for n in needs
    ]
    media = made.review["media"]
    assert [r[:4] for r in _sheet(made, "宣传报道")] == [
        [m["published_on"], m["level_zh"], m["outlet"], m["activity_title"]] for m in media
    ]


def test_the_media_are_those_published_in_the_year_and_recorded_by_the_cut(made: Made) -> None:
    live = media_coverage(made.container.store, Period.parse("2022"))
    outlets = [m["outlet"] for m in made.review["media"]]
    assert FORMULA_OUTLET in outlets and LATE_OUTLET not in outlets
    assert outlets == [m["outlet"] for m in live if m["outlet"] != LATE_OUTLET]


def test_a_voucher_is_listed_in_the_report_of_the_year_it_was_issued(
    made: Made, tmp_path: Path
) -> None:
    [issued] = [
        v
        for v in vouchers_of_all(made.container)
        if v["benefit"] == made.benefit and v["position"] <= made.review["position"]
    ]
    year = int(issued["issued_at"][:4])  # recorded now: the store stamps the time
    assert all(v["issued_at"].startswith("2022") for v in made.review["benefits"])
    report = report_order(made.container.review(year, upto=made.review["position"]))
    [listed] = [v for v in report["benefits"] if v["voucher_code"] == issued["voucher_code"]]
    assert (listed["volunteer_name"], listed["township"]) == (
        issued["volunteer_name"],
        issued["township"],
    )
    rows = [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(review_xlsx(report)))["礼遇兑换"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in rows] == [
        (
            v["voucher_code"],
            v["township"],
            v["volunteer_name"],
            v["benefit_zh"],
            "未使用" if v["status"] == "issued" else "已使用",
        )
        for v in report["benefits"]
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r[0]) for r in rows)
    text = pdf_text(review_pdf(report), tmp_path, layout=True)
    assert row_on_a_line(
        text, [listed["voucher_code"], listed["township"], listed["volunteer_name"]]
    )


def test_formula_like_text_is_text_in_the_workbook_and_the_csvs(made: Made) -> None:
    book = openpyxl.load_workbook(io.BytesIO(made.xlsx))
    found = {
        c.value: c.data_type
        for title in ("宣传报道", "志愿者")
        for row in book[title].iter_rows(min_row=2)
        for c in row
        if c.value in (FORMULA_OUTLET, FORMULA_NAME)
    }
    assert found == {FORMULA_OUTLET: "s", FORMULA_NAME: "s"}
    assert "'" + FORMULA_OUTLET in [r[2] for r in _csv(made, "宣传报道")]
    assert "'" + FORMULA_NAME in [r[1] for r in _csv(made, "志愿者")]


def test_the_pdf_shows_the_new_sections_with_the_json_figures(made: Made, tmp_path: Path) -> None:
    text = pdf_text(made.pdf, tmp_path, layout=True)
    flat = re.sub(r"\s+", "", pdf_text(made.pdf, tmp_path, layout=False))
    for label in [
        "服务对象（按类别统计人次）",
        "按乡镇统计",
        "按服务站统计",
        "按团队统计",
        "按服务类别统计",
        "按月份统计",
        "群众需求满足情况",
        "宣传报道",
        "礼遇兑换",
        "志愿者名册",
    ]:
        assert label in flat, label
    review = made.review
    for t in review["served"]["by_type"].values():
        assert row_on_a_line(text, [t["label_zh"], t["count"]]), t
    assert row_on_a_line(text, ["合计", review["served"]["total"]])
    for grouping in ("township", "category", "month"):
        for b in review["breakdowns"][grouping]:
            cells = [b["name"], b["activities"], b["volunteer_hours"], b["distinct_volunteers"]]
            assert row_on_a_line(text, [*cells, b["people_served"]]), b
    for m in review["media"]:
        assert re.sub(r"\s+", "", m["outlet"]) in flat and m["published_on"] in flat
    for p in made.report["volunteers"]:
        assert row_on_a_line(text, [p["township"], p["name"]]), p
        assert p["township"] + p["name"] + "、".join(p["teams"]) in flat, p
