"""The console's words: Chinese labels of codes and fields, and rule violations in Chinese.

A rule this table does not word is named by the API's Chinese rule names (``RULE_ZH``); the
API's detail follows in brackets, so nothing it says is hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from interfaces.http.rule_text import RULE_ZH

LABELS: dict[str, str] = {
    # roles
    "admin": "管理员",
    "station_staff": "服务站工作人员",
    "team_leader": "队长",
    "auditor": "审计员",
    # activity status
    "planned": "计划中",
    "published": "已发布",
    "completed": "已完成（待核验）",
    "verified": "已核验",
    "cancelled": "已取消",
    # volunteer status
    "active": "在册",
    "suspended": "暂停",
    "withdrawn": "已退出",
    # hours source
    "checkin": "现场签到",
    "organiser": "组织者登记",
    "backfill": "补录",
    # person and beneficiary types
    "veteran": "退役军人",
    "demobilized_veteran": "复员军人",
    "disabled_veteran": "伤残军人",
    "military_family": "军属",
    "martyr_family": "烈属",
    "public": "社会公众",
    # team levels, units, ledger entry kinds
    "banner": "旗级",
    "township": "苏木镇级",
    "station": "服务站",
    "team": "队伍",
    "award": "服务积分",
    "reversal": "冲正",
    "redemption": "兑换",
    "training": "培训",
    "member": "队员",
    "leader": "队长",
    "deputy": "副队长",
}

FIELDS: dict[str, str] = {
    "title": "活动名称",
    "category": "服务类别",
    "team_id": "队伍",
    "township": "苏木镇",
    "station": "服务站",
    "station_id": "服务站",
    "location": "地点",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "beneficiary_types": "服务对象",
    "capacity": "人数上限",
    "volunteer_id": "志愿者编号",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "source": "来源",
    "name": "姓名",
    "national_id": "身份证号",
    "phone": "手机号",
    "person_type": "人员类别",
    "skills": "技能",
    "sheet": "签到表",
    "row": "整行",
    "entry_id": "积分条目编号",
    "period": "期间",
    "known_at": "截至时间",
    "reason": "原因",
    "level": "层级",
    "parent_id": "上级服务站",
    "policy_number": "保单号",
    "insurer": "保险公司",
    "covers_from": "保障起期",
    "covers_to": "保障止期",
    "sum_insured": "保额",
    "members": "参保人员名单",
}

RULES: dict[str, str] = {
    "four-eyes": "四眼原则：登记服务时长的人不能核验同一活动，须由另一位工作人员核验。",
    "verify-after-completion": "活动须先标记为“已完成”才能核验。",
    "verify-once": "该活动已核验过，不能重复核验。",
    "signup-once": "该志愿者已报名此活动。",
    "signup-required": "该志愿者尚未报名此活动，请先报名再登记时长。",
    "hours-once": "该志愿者在此活动的时长已登记；如需更改请提交更正。",
    "hours-in-window": "服务时长须在活动时间范围内。",
    "interval-order": "结束时间须晚于开始时间。",
    "interval-timezone": "时间须带时区。",
    "insurance-required": "该志愿者在服务日期没有有效保险，不能登记时长。",
    "overlapping-service": "该志愿者同一时间已在其他活动登记服务时长。",
    "volunteer-not-active": "该志愿者不在册（暂停或已退出），不能报名或登记。",
    "volunteer-withdrawn": "该志愿者已退出。",
    "national-id-format": "身份证号格式不正确（18 位）。",
    "national-id-check": "身份证号校验位不正确。",
    "unknown-category": "服务类别不在规则手册中。",
    "category-code": "服务类别代码不正确。",
    "capacity-positive": "人数上限须为正整数。",
    "activity-window": "活动结束时间须晚于开始时间。",
    "required-field": "必填项不能为空。",
    "reason-required": "请填写原因。",
    "team-dissolved": "该队伍已解散。",
    "township-team": "队伍不属于该苏木镇。",
    "satisfaction-range": "满意度须在 1 到 5 之间。",
    "redemption-within-balance": "积分余额不足。",
    "duplicate-national-id": "该身份证号已登记。",
}


def label(code: Any) -> str:
    """The Chinese label of a code, or the code itself."""
    text = "" if code is None else str(code)
    return LABELS.get(text, text)


def field_label(name: str) -> str:
    base = name.split(".")[0].split("[")[0]
    return FIELDS.get(base, name)


def rule_sentence(rule: str) -> str:
    """The Chinese sentence of a rule: this table's, else the API's; nothing for a rule
    neither words."""
    return RULES.get(rule) or RULE_ZH.get(rule, "")


def rule_message(rule: str, detail: str) -> str:
    """A rule violation in Chinese; unknown rules keep the API's detail after a Chinese lead."""
    known = rule_sentence(rule)
    if known:
        return f"{known}（规则 {rule}：{detail}）"
    return f"操作被拒绝：{detail}" if not rule else f"操作被拒绝（规则 {rule}）：{detail}"


def pydantic_message(error: Any) -> str:
    """A request schema's refusal of one field, in Chinese: by the error's kind, then by
    the rule a validator wrote, then by the kind's family."""
    kind, message = str(error.get("type", "")), str(error.get("msg", ""))
    for test, told in _BY_KIND:
        if test(kind):
            return told
    for part, told in _BY_VALIDATOR:
        if part in message:
            return told
    for prefixes, told in _BY_FAMILY:
        if kind.startswith(prefixes):
            return told
    return f"无效：{message}"


_BY_KIND: list[tuple[Callable[[str], bool], str]] = [
    (lambda k: k == "interval_order", RULES["interval-order"]),  # the schema's interval-order
    (lambda k: k in ("missing", "string_too_short"), "必填，不能为空"),
    (lambda k: k == "string_too_long", "太长"),
    (lambda k: k.startswith("date"), "须为有效的日期，例如 2023-01-01"),
    (lambda k: k.startswith("decimal"), "须为正数，最多两位小数"),
]
_BY_VALIDATOR: list[tuple[str, str]] = [
    ("RFC 3339", "须填写日期和时间（北京时间），如 2022-05-11 09:00"),
    ("village station names its township station", "嘎查村服务站须选择上级苏木镇服务站"),
    ("station names its township", "苏木镇级和嘎查村级服务站须填写所属苏木镇"),
    ("only a village station has a parent", "只有嘎查村服务站才有上级服务站，请选“（无）”"),
]
_BY_FAMILY: list[tuple[tuple[str, ...], str]] = [
    (("uuid",), "须为有效的编号（UUID）"),
    (("datetime", "timezone"), "须为带时区的日期时间，例如 2022-05-11T09:00+08:00"),
    (("int", "greater_than"), "须为正整数"),
    (("enum", "literal_error"), "不是可选的值"),
]
