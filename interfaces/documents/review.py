"""The annual report (年度报告): the replayed review as a PDF, a workbook, or a zip of CSVs.

Drawn from the review's JSON answer alone (``annual_review``): its figures, charts of its
breakdowns, and volunteers named with their township and teams (many share a name),
listed by township, then name. The same cut gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from interfaces.documents.charts import bar_chart_svg, bars, ranked
from interfaces.documents.pdf import render_pdf, render_template
from interfaces.documents.qr import qr_svg
from interfaces.documents.review_labels import (
    BREAKDOWNS_ZH,
    KIND_ZH,
    VOUCHER_STATUS_ZH,
    beijing,
    chain_and_seal,
    teams_text,
)
from interfaces.documents.review_tables import sections
from interfaces.documents.tabular import csv_bytes, csv_zip
from interfaces.documents.xlsx import Sheet, xlsx_bytes


def report_order(review: dict[str, Any]) -> dict[str, Any]:
    """The review as the report lists it: volunteers by township, then name (then id)."""
    people = sorted(
        review["volunteers"], key=lambda v: (v["township"], v["name"], v["volunteer_id"])
    )
    return {**review, "volunteers": people}


def _chain_line(review: dict[str, Any]) -> str:
    chain, seal = chain_and_seal(review)
    return (
        f"VL-REVIEW year={review['year']} position={review['position']} "
        f"head={chain.get('head_hash', '')} seal={seal.get('position', 'none')}"
    )


def _hours_chart(rows: list[dict[str, Any]], title: str) -> str:
    return bar_chart_svg(bars(rows, "name", "volunteer_hours"), title=title)


def review_pdf(review: dict[str, Any]) -> bytes:
    html = render_template(
        "review.html",
        title=f"{review['year']} 年度志愿服务报告",
        issued=None,
        r=review,
        kind_zh=KIND_ZH,
        breakdowns_zh=BREAKDOWNS_ZH,
        voucher_status_zh=VOUCHER_STATUS_ZH,
        beijing=beijing,
        teams_text=teams_text,
        **_charts(review),
        qr=qr_svg(_chain_line(review)),
    )
    return render_pdf(html)


def _charts(review: dict[str, Any]) -> dict[str, Any]:
    """The report's bar charts as inline SVG, keyed by the template's names for them."""
    breakdowns = review["breakdowns"]
    rankings = review["rankings"]
    return {
        "served_svg": bar_chart_svg(
            bars(review["served"]["by_type"].values(), "label_zh", "count"),
            title="各类服务对象（人次）",
        ),
        "breakdown_svgs": {
            grouping: _hours_chart(
                breakdowns[grouping], f"{BREAKDOWNS_ZH[grouping][1]}服务时长（小时）"
            )
            for grouping in BREAKDOWNS_ZH
        },
        "station_scores_svg": bar_chart_svg(
            bars(ranked(rankings["station"]), "name", "score"), title="各服务站得分"
        ),
        "team_scores_svg": bar_chart_svg(
            bars(ranked(rankings["team"]), "name", "score"), title="各团队得分"
        ),
    }


def review_xlsx(review: dict[str, Any]) -> bytes:
    return xlsx_bytes(
        [Sheet(title, cols, rows) for title, cols, rows in sections(review)],
        title=f"{review['year']} 年度志愿服务报告",
    )


def review_csv_zip(review: dict[str, Any]) -> bytes:
    """One CSV per section (UTF-8 BOM, CRLF, formula-like text neutralised), zipped."""
    return csv_zip(
        [
            (f"{i:02d}-{title}.csv", csv_bytes([c.label for c in cols], rows))
            for i, (title, cols, rows) in enumerate(sections(review), start=1)
        ]
    )
