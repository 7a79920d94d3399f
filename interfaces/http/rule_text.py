"""Each rule's name in Chinese, for problem details a Chinese office can read (``detail_zh``),
and which rules the request and the rulebook alone decide (422, naming the field).

A refusal that carries its own Chinese sentence (``DomainError.message_zh``, with the
figures) is shown as it is; any other is shown as the rule's Chinese name followed by the
English detail, which holds the figures.
"""

from __future__ import annotations

RULE_ZH: dict[str, str] = {
    "activity-window": "活动时间跨度不得超过31天",
    "actor-required": "必须注明操作人",
    "award-once": "同一次服务只能奖励一次",
    "basis-position": "依据位置必须在日志范围内",
    "benefit-not-in-tier": "志愿者的礼遇等级不含该项礼遇",
    "beneficiaries-counts": "服务对象人数必须为非负数",
    "capacity": "报名人数已满",
    "capacity-positive": "活动容量至少为1",
    "category-code": "服务类别代码无效",
    "commendation-once": "同一期间只能表彰一次",
    "commendation-unknown": "没有该表彰",
    "correction-changes": "更正必须改变时间",
    "correction-decided": "该更正已处理",
    "correction-names-hours": "没有可更正的服务时长",
    "correction-needs-approval": "已审核的服务时长须经他人批准方可更正",
    "correction-pending": "已有待批准的更正",
    "correction-unknown": "没有该更正",
    "duplicate-national-id": "一人一档：身份证号已登记",
    "duplicate-rating": "每位服务对象对同一活动只能评价一次",
    "feedback-before-activity": "评价日期不得早于活动开始",
    "feedback-date-future": "评价日期不得晚于今天",
    "four-eyes": "双人复核：登记人不得审核、批准或撤销本人登记的时长",
    "hours-in-window": "服务时长须在活动时间范围内",
    "hours-once": "服务时长已登记，请提交更正",
    "insurance-required": "服务当日须有意外保险",
    "interval-order": "结束时间必须晚于开始时间",
    "invalid-value": "取值无效",
    "interval-timezone": "时间必须带时区",
    "leader-is-member": "队长须为队员",
    "media-after-activity": "媒体报道不得早于活动",
    "member-once": "已是队员",
    "member-unknown": "不是队员",
    "national-id-check": "身份证号校验位错误",
    "national-id-format": "身份证号须为18位",
    "need-activity-township": "满足需求的活动须服务于需求所在的苏木镇",
    "need-activity-verified": "只有已审核的活动才能满足需求",
    "need-closed": "该需求已办结",
    "need-declined": "该需求已不予受理",
    "need-station-township": "需求须在本苏木镇的服务站登记",
    "one-leader": "一支队伍只有一名队长",
    "overlapping-service": "服务时间不得重叠",
    "period-format": "期间格式错误",
    "policy-once": "保单已登记",
    "policy-period": "保单起止日期错误",
    "policy-sum": "保额必须为正数",
    "policy-unknown": "没有该保单",
    "project-beneficiaries": "项目须至少注明一类服务对象",
    "project-not-active": "项目未在服务清单中",
    "project-status": "项目状态不允许该操作",
    "reason-required": "必须说明理由",
    "rater-reference": "须填写服务对象的户或人员编号，或注明匿名",
    "rater-required": "评价须注明服务对象类型",
    "redemption-positive": "兑换积分必须为正数",
    "redemption-cost": "兑换积分须等于该礼遇在本等级的所需积分",
    "redemption-within-balance": "兑换积分不得超过余额",
    "reinstate-suspended": "只有暂停或已退出的志愿者可以恢复",
    "required-field": "必填项不能为空",
    "reversal-names-award": "没有可撤销的奖励",
    "reversal-once": "奖励已撤销",
    "rulebook-not-in-force": "该日期没有生效的规则版本",
    "satisfaction-range": "满意度须为1至5分",
    "service-year": "服务年度须在2000年至今年之间",
    "signup-has-hours": "已登记时长，请提交更正而非退出",
    "signup-once": "已报名",
    "signup-required": "未报名",
    "signup-unknown": "未报名",
    "star-level-certified": "该星级已认定",
    "star-level-not-reached": "尚未达到该星级",
    "star-level-range": "星级超出范围",
    "list-length": "条目过多",
    "text-characters": "文字含有不允许的字符（控制字符、换行、双向控制符或孤立代理项）",
    "text-length": "文字过长",
    "text-type": "须为文字",
    "team-dissolved": "队伍已解散",
    "training-hours": "培训时长须大于0且不超过24小时",
    "training-once": "培训已登记",
    "unknown-benefit": "规则中没有该礼遇",
    "unknown-category": "规则中没有该服务类别",
    "verify-after-completion": "活动完成后方可审核",
    "verify-once": "活动已审核",
    "volunteer-not-active": "志愿者不在服务状态",
    "volunteer-withdrawn": "志愿者已退出",
    "voucher-unknown": "没有该礼遇凭证",
    "voucher-used": "礼遇凭证已核销，不能重复核销",
}

# Rules the request and the rulebook alone decide, and the field each names: answered 422.
# Every other rule is a conflict with recorded state: 409.
REQUEST_RULES: dict[str, str] = {
    "activity-window": "ends_at",
    "beneficiaries-counts": "counts",
    "capacity-positive": "capacity",
    "category-code": "category",
    "interval-order": "ended_at",
    "interval-timezone": "started_at",
    "national-id-check": "national_id",
    "national-id-format": "national_id",
    "period-format": "period",
    "policy-period": "covers_to",
    "policy-sum": "sum_insured",
    "reason-required": "reason",
    "redemption-positive": "points",
    "rulebook-not-in-force": "started_at",
    "satisfaction-range": "satisfaction",
    "service-year": "service_year",
    "star-level-range": "level",
    "training-hours": "hours",
    "unknown-benefit": "benefit",
    "unknown-category": "category",
}


def detail_zh(rule: str, detail: str, message_zh: str | None = None) -> str:
    """The refusal in Chinese: its own sentence if it has one, else the rule's name and
    the detail's figures."""
    if message_zh:
        return message_zh
    return f"{RULE_ZH.get(rule, rule)}（{detail}）"


# What a full per-process gate (``infrastructure.asof.Busy.what``) holds, in Chinese.
BUSY_ZH: dict[str, str] = {
    "time-travel replays": "历史时点回放在运行",
    "reads waiting for the read models": "请求在等待数据更新",
}

# Pydantic's error types a request can meet, in Chinese (the domain's text rules, raised
# through the schemas under their rule names, are in RULE_ZH).
SCHEMA_ERRORS_ZH: dict[str, str] = {
    "missing": "缺少必填项",
    "string_too_short": "不能为空",
    "string_too_long": "文字过长",
    "string_type": "须为文字",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "decimal_parsing": "须为数字",
    "float_parsing": "须为数字",
    "bool_parsing": "须为是或否",
    "greater_than": "超出允许范围（过小）",
    "greater_than_equal": "超出允许范围（过小）",
    "less_than": "超出允许范围（过大）",
    "less_than_equal": "超出允许范围（过大）",
    "uuid_parsing": "须为有效的编号（UUID）",
    "uuid_type": "须为有效的编号（UUID）",
    "date_from_datetime_parsing": "须为日期（如 2024-05-01）",
    "date_parsing": "须为日期（如 2024-05-01）",
    "datetime_parsing": "须为带时区的 RFC 3339 时间（如 2024-05-01T09:00:00+08:00）",
    "datetime_from_date_parsing": "须为带时区的 RFC 3339 时间（如 2024-05-01T09:00:00+08:00）",
    "timezone_aware": "时间必须带时区",
    "enum": "不是允许的取值之一",
    "literal_error": "不是允许的取值之一",
    "json_invalid": "请求体不是有效的 JSON",
    "extra_forbidden": "不接受此字段",
    "model_attributes_type": "须为对象",
    "dict_type": "须为对象",
    "list_type": "须为列表",
}


def validation_zh(errors: list[tuple[str, str, str]]) -> str:
    """A schema's refusal in Chinese: each (field, error type, English message) as the
    field and what is wrong with it (the English message where the type has no name)."""
    parts = []
    for field, kind, message in errors:
        named = RULE_ZH.get(kind) or SCHEMA_ERRORS_ZH.get(kind)
        parts.append(f"{field}：{named}" if named else f"{field}：取值无效（{message}）")
    return "请求有无效或缺失的字段：" + "；".join(dict.fromkeys(parts))
