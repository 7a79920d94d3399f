"""Request bodies of the people side: teams, volunteers, their training, insurance,
commendations, star levels and courtesy benefits. Each router builds its use case's command
(:mod:`application.commands.people`) from one of these."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from domain.values import LIST_MAX, InsuranceKind, MemberRole, PersonType, TeamLevel
from interfaces.http.inputs import Day
from interfaces.http.schemas import LongText, Skill, Text, _checked, _example

# ----------------------------------------------------------------- teams


class FormTeam(BaseModel):
    model_config = _example(
        name="绿色乌审·2781嘎鲁图镇志愿服务队",
        level="township",
        township="嘎鲁图镇",
        station_id="5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    )
    name: Text
    level: TeamLevel
    township: Text
    station_id: UUID = Field(description="a registered, open station (POST /stations)")


class EnrolMember(BaseModel):
    model_config = _example(volunteer_id="8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a", role="member")
    volunteer_id: UUID
    role: MemberRole = MemberRole.MEMBER


class LeaveTeam(BaseModel):
    model_config = _example(reason="外出务工")
    reason: LongText


class Commend(BaseModel):
    """A commendation decided on the eligibility read at ``basis_position`` (admin)."""

    model_config = _example(
        title="优秀志愿服务队", period="2022", basis_position=1042, reason="全年服务时长居全旗首位"
    )
    title: Text
    period: Annotated[str, Field(min_length=1, max_length=40), _checked(max_length=40)]
    basis_position: int = Field(ge=0)
    reason: LongText


# ----------------------------------------------------------------- volunteers


class RegisterVolunteer(BaseModel):
    model_config = _example(
        name="王建国",
        national_id="150102198001011234",
        phone="13800000000",
        person_type="veteran",
        township="巴彦镇",
        skills=["急救"],
    )
    name: Text
    national_id: Annotated[str, Field(min_length=1, max_length=40), _checked(max_length=40)]
    phone: Annotated[str, Field(max_length=40), _checked(required=False, max_length=40)] = ""
    person_type: PersonType
    township: Text
    skills: list[Skill] = Field(default_factory=list, max_length=LIST_MAX)


class RecordInsurance(BaseModel):
    model_config = _example(
        policy_number="PICC-2022-001",
        insurer="中国人保",
        kind="group",
        covers_from="2022-01-01",
        covers_to="2022-12-31",
        sum_insured="200000",
    )
    policy_number: Text
    insurer: Text
    kind: InsuranceKind
    covers_from: Day
    covers_to: Day
    sum_insured: Decimal


class CompleteTraining(BaseModel):
    model_config = _example(course="应急救护", hours="4", completed_on="2022-03-15")
    course: Text
    hours: Decimal = Field(gt=0)
    completed_on: Day


class CertifyStarLevel(BaseModel):
    model_config = _example(level=1, basis_position=1042, service_year=2022)
    level: int = Field(ge=1, le=10)
    basis_position: int = Field(ge=0)
    # The year the certification is about: the level is reached by service up to its end.
    service_year: int = Field(ge=2000, le=9999)


class RedeemPoints(BaseModel):
    """A courtesy benefit of the rulebook (``GET /benefits``) by its code; ``points``, when
    given, must be what it costs at the volunteer's tier (0 for one the tier grants free)."""

    model_config = _example(benefit="health_check", points="40")
    benefit: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    points: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=4)

    @field_validator("points", mode="before")
    @classmethod
    def _decimal_string(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError('points are a decimal string such as "12.5", never a float')
        return value


class ReverseAward(BaseModel):
    model_config = _example(reason="签到记录有误，奖励撤销")
    reason: LongText
