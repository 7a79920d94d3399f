"""Request and response bodies of activities: planning, sign-ups, hours, corrections,
outcomes and verification."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from application.results import Verification
from domain.values import BeneficiaryType, HoursSource, MediaLevel
from interfaces.http.inputs import Day
from interfaces.http.schemas import (
    Code,
    Comment,
    LongText,
    Moment,
    Text,
    WriteResult,
    _after,
    _checked,
    _example,
)


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
        if self.anonymous == (self.reference is not None):  # one or the other, not both
            raise PydanticCustomError("rater_reference", _RATER_REFERENCE[self.anonymous])
        return self


# Why a rater is refused, by whether it says it is anonymous.
_RATER_REFERENCE = {
    True: "an anonymous rater has no reference (匿名评价不填写服务对象)",
    False: "name the rater's household or person reference, or set anonymous "
    "(须填写服务对象的户或人员编号，或注明匿名)",
}


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


# ----------------------------------------------------------------- results


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
