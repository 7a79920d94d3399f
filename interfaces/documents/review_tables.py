"""The annual report's sections as tables: one sheet of the workbook, one CSV of the zip each.

Every figure comes from the review's JSON answer; numbers stay numbers (``Decimal`` from
the JSON's exact text), labels are Chinese, times are Beijing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interfaces.documents.review_labels import (
    BREAKDOWNS_ZH,
    KIND_ZH,
    VOUCHER_STATUS_ZH,
    beijing,
    chain_and_seal,
    n,
    teams_text,
)
from interfaces.documents.tabular import YES_NO
from interfaces.documents.xlsx import Column

Section = tuple[str, Sequence[Column], list[list[Any]]]


def _ranking(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["rank"],
            r["name"],
            r["activities"],
            n(r["volunteer_hours"]),
            r["distinct_volunteers"],
            n(r["mean_satisfaction"]),
            n(r["score"]),
        ]
        for r in rows
    ]


RANKING_COLUMNS = [
    Column("名次", 8),
    Column("名称", 30),
    Column("活动数", 10),
    Column("服务时长（小时）", 16, "0.00"),
    Column("参与人数", 10),
    Column("平均满意度", 12, "0.00"),
    Column("得分", 10, "0.00"),
]


def sections(review: dict[str, Any]) -> list[Section]:
    """Every section of the report, in the order of the workbook's sheets."""
    return [
        _overview(review),
        _volunteers(review),
        ("服务站排名", RANKING_COLUMNS, _ranking(review["rankings"]["station"])),
        ("团队排名", RANKING_COLUMNS, _ranking(review["rankings"]["team"])),
        _decisions(review),
        _insurance_gaps(review),
        _served(review),
        *(_breakdown(review, grouping) for grouping in BREAKDOWNS_ZH),
        _needs_met(review),
        _media(review),
        _benefits(review),
        _provenance(review),
    ]


def _overview(review: dict[str, Any]) -> Section:
    totals = review["totals"]
    return (
        "总体情况",
        [Column("项目", 20), Column("数值", 16, "0.00")],
        [
            ["服务志愿者人数", totals["volunteers_serving"]],
            ["服务时长（小时）", n(totals["hours"])],
            ["积分", n(totals["points"])],
            ["保险缺口（人次）", len(review["insurance_gaps"])],
            ["更正", len(review["corrections"])],
            ["撤销", len(review["reversals"])],
            ["服务对象（人次）", review["served"]["total"]],
        ],
    )


VOLUNTEER_COLUMNS = [
    Column("乡镇（苏木）", 16),
    Column("姓名", 12),
    Column("团队", 36),
    Column("服务时长（小时）", 16, "0.00"),
    Column("积分", 10, "0.00"),
    Column("培训积分", 10, "0.00"),
    Column("累计积分", 10, "0.00"),
    Column("星级", 8),
    Column("志愿者编号", 38),
]


def _volunteers(review: dict[str, Any]) -> Section:
    rows = [
        [
            v["township"],
            v["name"],
            teams_text(v["teams"]),
            n(v["hours"]),
            n(v["points"]),
            n(v["training_points"]),
            n(v["lifetime_points"]),
            v["star_level"],
            v["volunteer_id"],
        ]
        for v in review["volunteers"]
    ]
    return ("志愿者", VOLUNTEER_COLUMNS, rows)


DECISION_COLUMNS = [
    Column("类别", 20),
    Column("对象编号", 38),
    Column("称号或星级", 20),
    Column("依据位置", 12),
    Column("记录位置", 12),
    Column("依据时是否符合条件", 18),
]


def _decisions(review: dict[str, Any]) -> Section:
    rows = [
        [
            KIND_ZH.get(d["kind"], d["kind"]),
            d["subject_id"],
            d.get("title") or d.get("level"),
            d["basis_position"],
            d["position"],
            YES_NO[d["eligible_at_basis"]],
        ]
        for d in review["decisions"]
    ]
    return ("表彰与认定复核", DECISION_COLUMNS, rows)


INSURANCE_GAP_COLUMNS = [
    Column("服务日期", 12),
    Column("志愿者", 12),
    Column("乡镇（苏木）", 16),
    Column("活动", 30),
    Column("类别", 16),
]


def _insurance_gaps(review: dict[str, Any]) -> Section:
    rows = [
        [g["service_date"], g["volunteer_name"], g["township"], g["title"], g["category_zh"]]
        for g in review["insurance_gaps"]
    ]
    return ("保险缺口", INSURANCE_GAP_COLUMNS, rows)


def _served(review: dict[str, Any]) -> Section:
    served = review["served"]
    rows = [[t["label_zh"], t["count"]] for t in served["by_type"].values()]
    return (
        "服务对象",
        [Column("服务对象类别", 16), Column("人次", 10)],
        [*rows, ["合计", served["total"]]],
    )


NEEDS_MET_COLUMNS = [
    Column("服务站", 36),
    Column("乡镇（苏木）", 16),
    Column("提出", 8),
    Column("本年已满足", 12),
    Column("已婉拒", 8),
    Column("待办", 8),
]


def _needs_met(review: dict[str, Any]) -> Section:
    rows = [
        [r["name"], r["township"], r["raised"], r["met"], r["declined"], r["open"]]
        for r in review["needs_met"]
    ]
    return ("需求满足", NEEDS_MET_COLUMNS, rows)


MEDIA_COLUMNS = [
    Column("发布日期", 12),
    Column("媒体级别", 10),
    Column("报道媒体", 30),
    Column("报道活动", 30),
    Column("乡镇（苏木）", 14),
    Column("服务站", 30),
    Column("团队", 36),
    Column("链接", 40),
]


def _media(review: dict[str, Any]) -> Section:
    rows = [
        [
            m["published_on"],
            m["level_zh"],
            m["outlet"],
            m["activity_title"],
            m["township"],
            m["station_name"],
            m["team_name"],
            m["url"],
        ]
        for m in review["media"]
    ]
    return ("宣传报道", MEDIA_COLUMNS, rows)


BENEFIT_COLUMNS = [
    Column("发放时间（北京时间）", 20),
    Column("凭证号", 18),
    Column("乡镇（苏木）", 14),
    Column("志愿者", 12),
    Column("礼遇", 24),
    Column("积分", 8, "0.00"),
    Column("凭证状态", 10),
    Column("志愿者编号", 38),
]


def _benefits(review: dict[str, Any]) -> Section:
    rows = [
        [
            beijing(v["issued_at"]),
            v["voucher_code"],
            v["township"],
            v["volunteer_name"],
            v["benefit_zh"],
            n(v["points"]),
            VOUCHER_STATUS_ZH.get(v["status"], v["status"]),
            v["volunteer_id"],
        ]
        for v in review["benefits"]
    ]
    return ("礼遇兑换", BENEFIT_COLUMNS, rows)


def _provenance(review: dict[str, Any]) -> Section:
    chain, seal = chain_and_seal(review)
    return (
        "存证",
        [Column("项目", 16), Column("内容", 70)],
        [
            ["年度", review["year"]],
            ["日志位置", review["position"]],
            ["规则文件哈希", review["rulebook_hash"]],
            ["哈希链头", chain.get("head_hash")],
            ["覆盖签章位置", seal.get("position")],
        ],
    )


def _breakdown(review: dict[str, Any], grouping: str) -> Section:
    title, label = BREAKDOWNS_ZH[grouping]
    return (
        title,
        [
            Column(label, 36 if grouping in ("station", "team") else 16),
            Column("活动数", 10),
            Column("服务时长（小时）", 16, "0.00"),
            Column("参与人数", 10),
            Column("服务对象（人次）", 16),
        ],
        [
            [
                r["name"],
                r["activities"],
                n(r["volunteer_hours"]),
                r["distinct_volunteers"],
                r["people_served"],
            ]
            for r in review["breakdowns"][grouping]
        ],
    )
