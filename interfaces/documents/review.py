"""The annual report (年度报告): the replayed review as a PDF, a workbook, or a zip of CSVs.

Drawn from the review's JSON answer alone (``annual_review``), plus each volunteer's
township from the volunteer register, so that people who share a name can be told apart;
volunteers are listed by township, then name. The same cut gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from application.readmodel.store import RowReader
from application.readmodel.tables import VOLUNTEER
from interfaces.documents.charts import Bar, bar_chart_svg
from interfaces.documents.pdf import render_pdf, render_template
from interfaces.documents.qr import qr_svg
from interfaces.documents.tabular import csv_bytes, csv_zip
from interfaces.documents.xlsx import Column, Sheet, xlsx_bytes

KIND_ZH = {
    "volunteer_commendation": "志愿者表彰",
    "star_certification": "星级认定",
    "team_commendation": "团队表彰（重点支持）",
}


def with_townships(review: dict[str, Any], store: RowReader) -> dict[str, Any]:
    """The review with each volunteer's township, volunteers sorted by township then name."""
    ids = [v["volunteer_id"] for v in review["volunteers"]]
    township = {
        r["volunteer_id"]: r["township"]
        for r in store.select(VOLUNTEER, within=("volunteer_id", ids))
    }
    people = [
        {**v, "township": township.get(v["volunteer_id"]) or ""} for v in review["volunteers"]
    ]
    people.sort(key=lambda v: (v["township"], v["name"], v["volunteer_id"]))
    return {**review, "volunteers": people}


def _chain_line(review: dict[str, Any]) -> str:
    chain = review.get("chain") or {}
    seal = chain.get("seal") or {}
    return (
        f"VL-REVIEW year={review['year']} position={review['position']} "
        f"head={chain.get('head_hash', '')} seal={seal.get('position', 'none')}"
    )


def review_pdf(review: dict[str, Any]) -> bytes:
    stations = [r for r in review["rankings"]["station"] if r["rank"] is not None]
    html = render_template(
        "review.html",
        title=f"{review['year']} 年度志愿服务报告",
        issued=None,
        r=review,
        kind_zh=KIND_ZH,
        station_hours_svg=bar_chart_svg(
            [Bar(s["name"], Decimal(s["volunteer_hours"])) for s in stations],
            title="各服务站服务时长（小时）",
        ),
        team_scores_svg=bar_chart_svg(
            [Bar(t["name"], Decimal(t["score"])) for t in review["rankings"]["team"] if t["rank"]],
            title="各团队得分",
        ),
        qr=qr_svg(_chain_line(review)),
    )
    return render_pdf(html)


def _n(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) and value else value


Section = tuple[str, Sequence[Column], list[list[Any]]]


def _sections(review: dict[str, Any]) -> list[Section]:
    totals = review["totals"]
    chain = review.get("chain") or {}
    seal = chain.get("seal") or {}
    ranking_cols = [
        Column("名次", 8),
        Column("名称", 30),
        Column("活动数", 10),
        Column("服务时长（小时）", 16, "0.00"),
        Column("参与人数", 10),
        Column("平均满意度", 12, "0.00"),
        Column("得分", 10, "0.00"),
    ]

    def ranking(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [
                r["rank"],
                r["name"],
                r["activities"],
                _n(r["volunteer_hours"]),
                r["distinct_volunteers"],
                _n(r["mean_satisfaction"]),
                _n(r["score"]),
            ]
            for r in rows
        ]

    return [
        (
            "总体情况",
            [Column("项目", 20), Column("数值", 16, "0.00")],
            [
                ["服务志愿者人数", totals["volunteers_serving"]],
                ["服务时长（小时）", _n(totals["hours"])],
                ["积分", _n(totals["points"])],
                ["保险缺口（人次）", len(review["insurance_gaps"])],
                ["更正", len(review["corrections"])],
                ["撤销", len(review["reversals"])],
            ],
        ),
        (
            "志愿者",
            [
                Column("乡镇（苏木）", 16),
                Column("姓名", 12),
                Column("服务时长（小时）", 16, "0.00"),
                Column("积分", 10, "0.00"),
                Column("培训积分", 10, "0.00"),
                Column("累计积分", 10, "0.00"),
                Column("星级", 8),
                Column("志愿者编号", 38),
            ],
            [
                [
                    v["township"],
                    v["name"],
                    _n(v["hours"]),
                    _n(v["points"]),
                    _n(v["training_points"]),
                    _n(v["lifetime_points"]),
                    v["star_level"],
                    v["volunteer_id"],
                ]
                for v in review["volunteers"]
            ],
        ),
        ("服务站排名", ranking_cols, ranking(review["rankings"]["station"])),
        ("团队排名", ranking_cols, ranking(review["rankings"]["team"])),
        (
            "表彰与认定复核",
            [
                Column("类别", 20),
                Column("对象编号", 38),
                Column("称号或星级", 20),
                Column("依据位置", 12),
                Column("记录位置", 12),
                Column("依据时是否符合条件", 18),
            ],
            [
                [
                    KIND_ZH.get(d["kind"], d["kind"]),
                    d["subject_id"],
                    d.get("title") or d.get("level"),
                    d["basis_position"],
                    d["position"],
                    "是" if d["eligible_at_basis"] else "否",
                ]
                for d in review["decisions"]
            ],
        ),
        (
            "保险缺口",
            [
                Column("服务日期", 12),
                Column("志愿者", 12),
                Column("乡镇（苏木）", 16),
                Column("活动", 30),
                Column("类别", 16),
            ],
            [
                [
                    g["service_date"],
                    g["volunteer_name"],
                    g["township"],
                    g["title"],
                    g["category_zh"],
                ]
                for g in review["insurance_gaps"]
            ],
        ),
        (
            "存证",
            [Column("项目", 16), Column("内容", 70)],
            [
                ["年度", review["year"]],
                ["日志位置", review["position"]],
                ["规则文件哈希", review["rulebook_hash"]],
                ["哈希链头", chain.get("head_hash")],
                ["覆盖签章位置", seal.get("position")],
            ],
        ),
    ]


def review_xlsx(review: dict[str, Any]) -> bytes:
    return xlsx_bytes(
        [Sheet(title, cols, rows) for title, cols, rows in _sections(review)],
        title=f"{review['year']} 年度志愿服务报告",
    )


def review_csv_zip(review: dict[str, Any]) -> bytes:
    """One CSV per section (UTF-8 BOM, CRLF, formula-like text neutralised), zipped."""
    return csv_zip(
        [
            (f"{i:02d}-{title}.csv", csv_bytes([c.label for c in cols], rows))
            for i, (title, cols, rows) in enumerate(_sections(review), start=1)
        ]
    )
