"""The annual report (年度报告): the replayed review as a PDF, a workbook, or a zip of CSVs.

Drawn from the review's JSON answer alone (``annual_review``): its figures, charts of its
breakdowns, and volunteers named with their township and teams (many share a name),
listed by township, then name. The same cut gives the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from interfaces.documents.charts import Bar, bar_chart_svg
from interfaces.documents.pdf import render_pdf, render_template
from interfaces.documents.qr import qr_svg
from interfaces.documents.review_labels import (
    BREAKDOWNS_ZH,
    KIND_ZH,
    VOUCHER_STATUS_ZH,
    beijing,
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
    chain = review.get("chain") or {}
    seal = chain.get("seal") or {}
    return (
        f"VL-REVIEW year={review['year']} position={review['position']} "
        f"head={chain.get('head_hash', '')} seal={seal.get('position', 'none')}"
    )


def _hours_chart(rows: list[dict[str, Any]], title: str) -> str:
    return bar_chart_svg([Bar(r["name"], Decimal(r["volunteer_hours"])) for r in rows], title=title)


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
    stations = [r for r in review["rankings"]["station"] if r["rank"] is not None]
    breakdowns = review["breakdowns"]
    return {
        "served_svg": bar_chart_svg(
            [Bar(t["label_zh"], Decimal(t["count"])) for t in review["served"]["by_type"].values()],
            title="各类服务对象（人次）",
        ),
        "breakdown_svgs": {
            grouping: _hours_chart(
                breakdowns[grouping], f"{BREAKDOWNS_ZH[grouping][1]}服务时长（小时）"
            )
            for grouping in BREAKDOWNS_ZH
        },
        "station_scores_svg": bar_chart_svg(
            [Bar(s["name"], Decimal(s["score"])) for s in stations], title="各服务站得分"
        ),
        "team_scores_svg": bar_chart_svg(
            [Bar(t["name"], Decimal(t["score"])) for t in review["rankings"]["team"] if t["rank"]],
            title="各团队得分",
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
