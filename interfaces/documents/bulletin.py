"""The supervision bulletin as a document: its figures at a cut, then PDF or XLSX of them.

``bulletin_at`` pins the figures to one log position (``as_of_position``, or the head the
read models have reached) with the chain head and covering seal there; ``bulletin_pdf``
and ``bulletin_xlsx`` draw only from that answer, so the JSON, the PDF and the workbook of
one cut carry the same numbers, and the same cut gives the same bytes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from application.readmodel.queries.bulletin import bulletin
from infrastructure.audit import chain_at
from infrastructure.bootstrap import Container
from interfaces.documents.charts import bar_chart_svg, bars, ranked
from interfaces.documents.pdf import render_pdf, render_template
from interfaces.documents.qr import qr_svg
from interfaces.documents.xlsx import Column, Sheet, xlsx_bytes


def bulletin_at(
    container: Container, period: str, level: str, as_of_position: int | None = None
) -> dict[str, Any]:
    """The bulletin of ``period`` for stations of ``level`` at a cut of the log.

    With ``as_of_position`` the read models are those at that position (replayed from a
    checkpoint, kept for the next request); without, the live read models once they have
    reached the log's current head, and the cut is that head."""
    if as_of_position is None:
        cut = container.ledger.current_position()
        container.wait_for(cut, timeout=30.0)
        reads = container.read_models()
    else:
        cut = as_of_position
        reads = container.as_of.read_models_at(cut)
    answer = bulletin(reads, period, level, chain=chain_at(container.ledger, cut))
    answer["office"] = container.settings.issuing_office  # VL_ISSUING_OFFICE, as certificates
    answer["position"] = cut
    return answer


def bulletin_json(answer: dict[str, Any]) -> str:
    return json.dumps(answer, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _change(value: int | None) -> str:
    if value is None:
        return "—"
    return f"↑{value}" if value > 0 else f"↓{-value}" if value < 0 else "持平"


def footer_text(answer: dict[str, Any]) -> str:
    """What the QR code carries: the cut, the chain head and the covering seal."""
    seal = _seal(answer)
    return (
        f"VL-BULLETIN period={answer['period']} level={answer['level']} "
        f"position={answer['position']} head={answer['chain']['head_hash']} "
        f"seal={seal.get('position', 'none')}"
    )


def _seal(answer: dict[str, Any]) -> dict[str, Any]:
    """The seal covering the cut; empty when the log has none yet."""
    return answer["chain"].get("seal") or {}


def bulletin_pdf(answer: dict[str, Any]) -> bytes:
    scores = bar_chart_svg(bars(ranked(answer["ranking"]), "name", "score"), title="各服务站得分")
    hours = bar_chart_svg(
        bars(answer["hours_by_month"], "month", "volunteer_hours"),
        title="各月志愿服务时长（小时）",
    )
    html = render_template(
        "bulletin.html",
        title=f"志愿服务监督通报（{answer['period']}）",
        office=answer["office"],
        b=answer,
        change=_change,
        scores_svg=scores,
        hours_svg=hours,
        qr=qr_svg(footer_text(answer)),
    )
    return render_pdf(html)


RANKING_COLUMNS = [
    ("rank", Column("名次", 8)),
    ("name", Column("服务站", 26)),
    ("activities", Column("活动数", 10)),
    ("volunteer_hours", Column("服务时长（小时）", 16, "0.00")),
    ("distinct_volunteers", Column("参与人数", 10)),
    ("mean_satisfaction", Column("平均满意度", 12, "0.00")),
    ("media_points", Column("宣传积分", 10, "0.00")),
    ("score", Column("得分", 10, "0.00")),
    ("rank_change", Column("名次变化（较上期）", 18)),
]
NUMERIC = {"volunteer_hours", "mean_satisfaction", "media_points", "score"}


def _value(key: str, value: Any) -> Any:
    if key in NUMERIC and value is not None:
        return Decimal(value)
    return value


def bulletin_xlsx(answer: dict[str, Any]) -> bytes:
    sheets = [
        _ranking_sheet(answer["ranking"]),
        _hours_by_month_sheet(answer["hours_by_month"]),
        _unranked_sheet(answer["unranked"]),
        _key_support_sheet(answer["key_support_teams"]),
        _needs_met_sheet(answer["needs_met"]),
        _insurance_gaps_sheet(answer["insurance_gaps"]),
        _media_sheet(answer["media"]),
        _served_sheet(answer["served"]),
        _media_coverage_sheet(answer["media_coverage"]),
        _provenance_sheet(answer),
    ]
    return xlsx_bytes(
        sheets, title=f"志愿服务监督通报（{answer['period']}）", author=answer["office"]
    )


def _ranking_sheet(ranking: list[dict[str, Any]]) -> Sheet:
    return Sheet(
        "排名",
        [c for _, c in RANKING_COLUMNS],
        [[_value(k, row[k]) for k, _ in RANKING_COLUMNS] for row in ranking],
    )


def _hours_by_month_sheet(months: list[dict[str, Any]]) -> Sheet:
    return Sheet(
        "各月服务时长",
        [Column("月份", 12), Column("服务时长（小时）", 16, "0.00")],
        [[m["month"], Decimal(m["volunteer_hours"])] for m in months],
    )


def _unranked_sheet(names: list[str]) -> Sheet:
    """The stations that held no activity in the period."""
    return Sheet("无活动服务站", [Column("服务站", 30)], [[name] for name in names])


KEY_SUPPORT_COLUMNS = [
    Column("名次", 8),
    Column("团队", 30),
    Column("活动数", 10),
    Column("平均满意度", 12, "0.00"),
    Column("得分", 10, "0.00"),
]


def _key_support_sheet(teams: list[dict[str, Any]]) -> Sheet:
    rows = [
        [
            t["rank"],
            t["name"],
            t["activities"],
            Decimal(t["mean_satisfaction"]),
            Decimal(t["score"]),
        ]
        for t in teams
    ]
    return Sheet("重点支持团队", KEY_SUPPORT_COLUMNS, rows)


NEEDS_MET_COLUMNS = [
    Column("服务站", 26),
    Column("提出", 8),
    Column("已满足", 8),
    Column("已婉拒", 8),
    Column("待办", 8),
]


def _needs_met_sheet(needs_met: list[dict[str, Any]]) -> Sheet:
    rows = [[s["name"], s["raised"], s["met"], s["declined"], s["open"]] for s in needs_met]
    return Sheet("需求满足", NEEDS_MET_COLUMNS, rows)


def _insurance_gaps_sheet(gaps: list[dict[str, Any]]) -> Sheet:
    return Sheet(
        "保险缺口",
        [Column("服务站", 26), Column("未保障人次", 12), Column("未保障人数", 12)],
        [[g["name"], g["participations"], g["volunteers"]] for g in gaps],
    )


def _media_sheet(media: list[dict[str, Any]]) -> Sheet:
    """The stations' media points."""
    return Sheet(
        "宣传报道",
        [Column("服务站", 26), Column("宣传积分", 10, "0.00")],
        [[m["name"], Decimal(m["media_points"])] for m in media],
    )


MEDIA_COVERAGE_COLUMNS = [
    Column("服务站", 26),
    Column("发布日期", 12),
    Column("媒体级别", 10),
    Column("报道媒体", 30),
    Column("报道活动", 30),
    Column("链接", 40),
]


def _media_coverage_sheet(coverage: list[dict[str, Any]]) -> Sheet:
    rows = [
        [m["name"], m["published_on"], m["level_zh"], m["outlet"], m["activity_title"], m["url"]]
        for m in coverage
    ]
    return Sheet("宣传报道清单", MEDIA_COVERAGE_COLUMNS, rows)


def _provenance_sheet(answer: dict[str, Any]) -> Sheet:
    seal = _seal(answer)
    return Sheet(
        "存证",
        [Column("项目", 16), Column("内容", 70)],
        [
            ["通报期间", answer["period"]],
            ["服务站级别", answer["level_zh"]],
            ["日志位置", answer["position"]],
            ["哈希链头", answer["chain"]["head_hash"]],
            ["覆盖签章位置", seal.get("position")],
            ["签章密钥", seal.get("key_id")],
        ],
    )


def _served_sheet(served: dict[str, Any]) -> Sheet:
    """People served per station, a column per beneficiary type, and the total row."""
    types = served["by_type"].values()
    return Sheet(
        "服务对象",
        [Column("服务站", 26), Column("活动数", 8)]
        + [Column(t["label_zh"], 10) for t in types]
        + [Column("合计", 10)],
        [*(_served_row(s) for s in served["stations"]), _served_total_row(served)],
    )


def _served_row(station: dict[str, Any]) -> list[Any]:
    return [station["name"], station["activities"], *_counts(station), station["people"]]


def _served_total_row(served: dict[str, Any]) -> list[Any]:
    activities = sum(s["activities"] for s in served["stations"])
    return ["合计", activities, *_counts(served), served["total"]]


def _counts(served: dict[str, Any]) -> list[int]:
    """The people served of each beneficiary type, in the columns' order."""
    return [t["count"] for t in served["by_type"].values()]
