"""Request and response bodies. Decimals travel as strings; times are RFC 3339 with an offset.

Text fields are checked by the domain's own rules (``domain.values.check_text``), so the
edge refuses what the aggregates would, as a 422 naming the field."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from application.results import Recorded, Verification
from domain.errors import InvalidValue
from domain.values import (
    LONG_TEXT_MAX,
    TEXT_MAX,
    BeneficiaryType,
    HoursSource,
    MediaLevel,
    check_text,
)
from interfaces.http.inputs import Day, in_calendar_time


def _checked(
    *, multiline: bool = False, required: bool = True, max_length: int | None = None
) -> AfterValidator:
    """The domain's text rules as a pydantic validator, its message under the field's name."""

    def check(value: str, info: ValidationInfo) -> str:
        try:
            return check_text(
                info.field_name or "text",
                value,
                multiline=multiline,
                required=required,
                max_length=max_length,
            )
        except InvalidValue as e:
            raise PydanticCustomError(e.rule, e.message) from None

    return AfterValidator(check)


Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX), _checked()]
"""One line: a name, title, place or benefit."""
LongText = Annotated[str, Field(min_length=1, max_length=LONG_TEXT_MAX), _checked(multiline=True)]
"""A reason: line breaks allowed."""
Comment = Annotated[str, Field(max_length=LONG_TEXT_MAX), _checked(multiline=True, required=False)]
Code = Annotated[str, Field(min_length=1, max_length=60), _checked(max_length=60)]
Skill = Annotated[str, Field(min_length=1, max_length=100), _checked(max_length=100)]

# RFC 3339 date-time with a real offset: no epoch numbers or strings, no bare dates, no
# offsets beyond the ±14:00 that civil time uses (UTC−12 to UTC+14).
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
MAX_OFFSET = timedelta(hours=14)


def _rfc3339_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or _RFC3339.fullmatch(value) is None:
        raise PydanticCustomError(
            "rfc3339",
            "must be an RFC 3339 date-time with an offset, such as 2022-05-11T09:00:00+08:00",
        )
    return value


def _real_offset(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise PydanticCustomError(
            "utc-offset", "the UTC offset {offset} is beyond ±14:00", {"offset": str(offset)}
        )
    return value


Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_text),
    AfterValidator(_real_offset),
    AfterValidator(in_calendar_time),
]


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


def _after(start: str, value: datetime, info: ValidationInfo) -> datetime:
    """An interval's end must come after its ``start``: 422 naming the end field, as
    anything the request alone decides (rule ``interval-order``)."""
    begun = info.data.get(start)
    if begun is not None and value <= begun:
        raise PydanticCustomError(
            "interval_order",
            "{field} {end} must be after {start} {begun} (interval-order; 结束时间必须晚于开始时间)",
            {
                "field": info.field_name,
                "end": value.isoformat(),
                "start": start,
                "begun": begun.isoformat(),
            },
        )
    return value


# ----------------------------------------------------------------- results


class WriteResult(BaseModel):
    """What every write returns: the id, the version after the write and its log position."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a", "version": 2, "position": 1042}
            ]
        }
    )

    id: UUID
    version: int
    position: int
    created: dict[str, UUID] = Field(default_factory=dict)

    @classmethod
    def of(cls, recorded: Recorded) -> WriteResult:
        return cls(
            id=recorded.id,
            version=recorded.version,
            position=recorded.position,
            created=recorded.created,
        )


class Award(BaseModel):
    entry_id: UUID
    volunteer_id: UUID
    hours: str = Field(examples=["4.5"])
    points: str = Field(examples=["13.5"])
    rulebook_version: str


class VerifyResult(BaseModel):
    id: UUID
    awards: list[Award]
    version: int
    position: int

    @classmethod
    def of(cls, v: Verification) -> VerifyResult:
        return cls(
            id=v.id,
            version=v.version,
            position=v.position,
            awards=[
                Award(
                    entry_id=a.entry_id,
                    volunteer_id=a.volunteer_id,
                    hours=format(a.hours, "f"),
                    points=format(a.points, "f"),
                    rulebook_version=a.rulebook_version,
                )
                for a in v.awards
            ],
        )


class ApprovalResult(VerifyResult):
    """An approved correction: its award, and in ``created`` the new award's ``entry_id``
    and the ``reversal_id`` of the award it replaced."""

    created: dict[str, UUID] = Field(default_factory=dict)

    @classmethod
    def of(cls, v: Verification) -> ApprovalResult:
        return cls(**VerifyResult.of(v).model_dump(), created=v.created)


class Me(BaseModel):
    name: str
    role: str
    scope: str | None


# ----------------------------------------------------------------- activities


class PlanActivity(BaseModel):
    model_config = _example(
        title="健康知识进社区",
        category="health_education",
        team_id="8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a",
        township="嘎鲁图镇",
        station_id="5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
        location="嘎鲁图镇文化广场",
        starts_at="2022-05-11T08:00:00+08:00",
        ends_at="2022-05-11T18:00:00+08:00",
        beneficiary_types=["veteran", "public"],
        capacity=10,
    )
    title: Text
    category: Code
    team_id: UUID
    township: Text
    station_id: UUID = Field(description="a registered, open station (POST /stations)")
    location: Text
    starts_at: Moment
    ends_at: Moment
    beneficiary_types: list[BeneficiaryType] = Field(default_factory=list)
    capacity: int = Field(ge=1, le=100_000)
    project_id: UUID | None = Field(
        None, description="the active project of the library it serves (POST /projects)"
    )

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _after("starts_at", value, info)


class SignUp(BaseModel):
    model_config = _example(volunteer_id="8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a")
    volunteer_id: UUID


class RecordHours(BaseModel):
    model_config = _example(
        volunteer_id="8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a",
        started_at="2022-05-11T09:00:00+08:00",
        ended_at="2022-05-11T12:30:00+08:00",
        source="checkin",
    )
    volunteer_id: UUID
    started_at: Moment
    ended_at: Moment
    source: HoursSource = HoursSource.CHECKIN

    @field_validator("ended_at")
    @classmethod
    def _ended_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _after("started_at", value, info)


class WithdrawSignup(BaseModel):
    model_config = _example(reason="临时有事")
    reason: LongText


class CorrectHours(BaseModel):
    model_config = _example(
        started_at="2022-05-11T09:00:00+08:00",
        ended_at="2022-05-11T11:30:00+08:00",
        reason="签退时间登记错误",
    )
    started_at: Moment
    ended_at: Moment
    reason: LongText

    @field_validator("ended_at")
    @classmethod
    def _ended_after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _after("started_at", value, info)


class CorrectionResult(WriteResult):
    """A correction: ``applied`` before verification (200); after it ``proposed`` (202),
    with the ``correction_id`` another person approves or rejects."""

    status: Literal["applied", "proposed"]
    correction_id: UUID | None = None


class RejectCorrection(BaseModel):
    model_config = _example(reason="签退时间与签到表一致，无需更正")
    reason: Text


class RecordBeneficiaries(BaseModel):
    model_config = _example(counts={"veteran": 12, "public": 30})
    counts: dict[BeneficiaryType, Annotated[int, Field(ge=0, le=10_000_000)]]


class RecordMedia(BaseModel):
    model_config = _example(
        outlet="内蒙古日报",
        level="provincial",
        url="https://example.cn/news/2022/05/12.html",
        published_on="2022-05-12",
    )
    outlet: Text
    level: MediaLevel
    url: Annotated[str, Field(min_length=1, max_length=2000), _checked(max_length=2000)]
    published_on: Day


class CancelActivity(BaseModel):
    model_config = _example(reason="天气原因取消")
    reason: LongText


class RaterIn(BaseModel):
    """Who gave a rating: a beneficiary type and a household or person reference, or
    ``anonymous: true`` (no reference; allowed, and marked)."""

    model_config = ConfigDict(extra="forbid")
    beneficiary_type: BeneficiaryType
    reference: (
        Annotated[str, Field(min_length=1, max_length=100), _checked(max_length=100)] | None
    ) = None
    anonymous: bool = False

    @model_validator(mode="after")
    def _named_or_anonymous(self) -> RaterIn:
        if self.anonymous and self.reference is not None:
            raise PydanticCustomError(
                "rater_reference", "an anonymous rater has no reference (匿名评价不填写服务对象)"
            )
        if not self.anonymous and self.reference is None:
            raise PydanticCustomError(
                "rater_reference",
                "name the rater's household or person reference, or set anonymous "
                "(须填写服务对象的户或人员编号，或注明匿名)",
            )
        return self


class RecordFeedback(BaseModel):
    model_config = _example(
        satisfaction=5,
        comment="讲得很清楚，谢谢！",
        rater={"beneficiary_type": "veteran", "reference": "嘎鲁图镇-0031户"},
        given_on="2022-05-13",
    )
    satisfaction: int = Field(ge=1, le=5)
    comment: Comment = ""
    # None: an anonymous rating of the public, marked anonymous.
    rater: RaterIn | None = None
    # None: today (Asia/Shanghai).
    given_on: Day | None = None


class FeedbackWritten(WriteResult):
    """A recorded rating: ``counted`` is false when it was given outside the feedback window
    (it is kept and shown, flagged, and never counted in rankings or eligibility)."""

    counted: bool
    given_on: date


class Page(BaseModel):
    """A page of a list: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[dict[str, Any]]
    next_cursor: str | None
