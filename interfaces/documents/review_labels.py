"""The annual report's Chinese labels and value formats, shared by its PDF and its tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

KIND_ZH = {
    "volunteer_commendation": "志愿者表彰",
    "star_certification": "星级认定",
    "team_commendation": "团队表彰（重点支持）",
}
VOUCHER_STATUS_ZH = {"used": "已使用", "issued": "未使用"}
BREAKDOWNS_ZH = {
    "township": ("按乡镇", "乡镇（苏木）"),
    "station": ("按服务站", "服务站"),
    "team": ("按团队", "团队"),
    "category": ("按服务类别", "服务类别"),
    "month": ("按月份", "月份"),
}


def n(value: Any) -> Any:
    """The JSON's exact decimal text as a number (None and numbers as they are)."""
    return Decimal(value) if isinstance(value, str) and value else value


def beijing(utc_text: str | None) -> str:
    """A UTC ISO timestamp as Beijing time, to the minute."""
    if not utc_text:
        return ""
    return datetime.fromisoformat(utc_text).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def chain_and_seal(review: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The hash chain's head at the review's cut and the seal covering it (each empty when
    the review was made without the chain, or the log has no seal yet)."""
    chain = review.get("chain") or {}
    return chain, chain.get("seal") or {}


def teams_text(teams: Sequence[str]) -> str:
    return "、".join(teams)
