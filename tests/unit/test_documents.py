"""The shared document machinery: same input, same bytes; Chinese text kept; no formula injection."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from interfaces.documents import (
    Bar,
    Column,
    Sheet,
    bar_chart_svg,
    csv_bytes,
    csv_zip,
    qr_svg,
    render_pdf,
    safe_text,
    xlsx_bytes,
)
from interfaces.documents.pdf import render_template

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1"]


def _sheet(names: list[str]) -> Sheet:
    return Sheet(
        "志愿者",
        [Column("姓名"), Column("服务时长", number_format="0.00"), Column("积分")],
        [[name, Decimal("12.5"), 3] for name in names],
    )


def _page(body: str) -> str:
    html = render_template("base.html", title="测试文档", issued="2023-01-15T00:00:00+08:00")
    return html.replace("<body>", "<body>" + body, 1)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    body = (
        "<h1>志愿服务监督通报</h1><p>嘎鲁图镇服务站 排名 积分</p>"
        + bar_chart_svg([Bar("图克镇", Decimal("12.5")), Bar("乌审召镇", Decimal(3))], title="得分")
        + qr_svg("position=42")
    )
    return render_pdf(_page(body))


def test_the_same_html_gives_byte_identical_pdfs(sample_pdf: bytes) -> None:
    body = (
        "<h1>志愿服务监督通报</h1><p>嘎鲁图镇服务站 排名 积分</p>"
        + bar_chart_svg([Bar("图克镇", Decimal("12.5")), Bar("乌审召镇", Decimal(3))], title="得分")
        + qr_svg("position=42")
    )
    assert render_pdf(_page(body)) == sample_pdf


def test_the_pdf_is_a4_with_its_chinese_text_extractable(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    text = reader.pages[0].extract_text()
    for label in ["志愿服务监督通报", "嘎鲁图镇服务站", "图克镇", "乌审召镇", "得分"]:
        assert label in text


def test_the_pdf_embeds_noto_sans_cjk_and_only_embedded_fonts(
    sample_pdf: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample_pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    rows = listing.splitlines()[2:]
    assert any("Noto-Sans-CJK-SC" in row for row in rows)
    # Column "emb" is the third from the right of the type columns: every font says yes.
    assert all(" yes " in row for row in rows), listing


def test_the_pdf_date_comes_from_the_template_not_the_clock(sample_pdf: bytes) -> None:
    info = PdfReader(io.BytesIO(sample_pdf)).metadata
    assert info is not None
    assert info["/CreationDate"].startswith("D:20230115")


def test_xlsx_is_byte_identical_for_the_same_sheets() -> None:
    assert xlsx_bytes([_sheet(["张三", "李四"])]) == xlsx_bytes([_sheet(["张三", "李四"])])


def test_xlsx_keeps_numbers_as_numbers_with_frozen_chinese_headings() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([_sheet(["张三"])])))
    ws = book["志愿者"]
    assert [c.value for c in ws[1]] == ["姓名", "服务时长", "积分"]
    assert ws.freeze_panes == "A2"
    assert ws["B2"].value == 12.5 and ws["B2"].data_type == "n"
    assert ws["C2"].value == 3 and ws["C2"].data_type == "n"


def test_xlsx_writes_one_sheet_per_section() -> None:
    second = Sheet("排名", [Column("名次")], [[1], [2]])
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([_sheet(["张三"]), second])))
    assert book.sheetnames == ["志愿者", "排名"]


@pytest.mark.parametrize("name", HOSTILE)
def test_xlsx_writes_formula_like_names_as_text(name: str) -> None:
    data = xlsx_bytes([_sheet([name])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    cell = openpyxl.load_workbook(io.BytesIO(data))["志愿者"]["A2"]
    # XlsxWriter escapes a carriage return as _x000D_ (Excel reads it back); openpyxl leaves it.
    assert cell.data_type == "s" and cell.value == name.replace("\r", "_x000D_")


@pytest.mark.parametrize("name", HOSTILE)
def test_csv_neutralises_formula_like_text(name: str) -> None:
    data = csv_bytes(["姓名", "积分"], [[name, 3]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + name


def test_csv_has_a_bom_crlf_and_leaves_numbers_alone() -> None:
    data = csv_bytes(["姓名", "积分", "时长"], [["张三", Decimal("-1.5"), "-3"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "姓名,积分,时长\r\n张三,-1.5,-3\r\n"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_csv_cell_can_start_a_formula(text: str) -> None:
    cell = safe_text(text)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        float(cell)  # only a plain number may keep such a lead


def test_a_zip_of_csvs_is_byte_identical_and_keeps_each_bom() -> None:
    files = [
        ("志愿者.csv", csv_bytes(["姓名"], [["张三"]])),
        ("排名.csv", csv_bytes(["名次"], [[1]])),
    ]
    first, second = csv_zip(files), csv_zip(files)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["志愿者.csv", "排名.csv"]
        assert all(archive.read(n).startswith(b"\xef\xbb\xbf") for n in archive.namelist())


def test_qr_svg_is_an_svg_element_and_stable() -> None:
    assert qr_svg("head=abc") == qr_svg("head=abc")
    assert qr_svg("head=abc").startswith("<svg") and qr_svg("head=abc") != qr_svg("head=abd")


def _bars(svg: str) -> list[tuple[int, int]]:
    """(x, width) of each bar of a chart."""
    return [(int(x), int(w)) for x, w in re.findall(r'<rect x="(\d+)" y="\d+" width="(\d+)"', svg)]


def test_bar_chart_scales_bars_to_the_largest_value() -> None:
    svg = bar_chart_svg([Bar("甲", Decimal(10)), Bar("乙", Decimal(5))], title="积分", width=570)
    (x, largest), (_, half) = _bars(svg)
    # The bars start after the labels' column; the largest takes all the room left
    # (70 px kept for the value written after it), half the value half of it.
    assert largest == 570 - x - 70 and half == largest // 2
    assert "甲" in svg and "乙" in svg


def test_bar_chart_labels_get_the_room_they_need_and_long_ones_are_shortened() -> None:
    village = "乌审召镇巴音敖包嘎查退役军人服务站"  # 17 characters: 170 px at 10 px
    short = bar_chart_svg([Bar("甲", Decimal(1))], title="t", width=640)
    wide = bar_chart_svg([Bar(village, Decimal(1))], title="t", width=640)
    [(short_x, _)] = _bars(short)
    [(wide_x, _)] = _bars(wide)
    assert short_x < 40 and wide_x >= 170 and village in wide
    narrow = bar_chart_svg([Bar(village, Decimal(1))], title="t", width=300)
    [(narrow_x, _)] = _bars(narrow)
    assert narrow_x <= 300 * 0.45 and village not in narrow
    # What is left of the label keeps its start and its end, and fits its column.
    label = re.findall(r'text-anchor="end">([^<]*)<', narrow)[0]
    head, tail = label.split("…")
    assert village.startswith(head) and village.endswith(tail) and head and tail
    assert len(label) * 10 <= narrow_x
