"""Request bodies of the registers: stations and the everyday operations on volunteers and teams."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from domain.values import StationLevel
from interfaces.http.schemas import Text, _example


class RegisterStation(BaseModel):
    """A station: the banner's service centre, a township's station, or a village's station
    (which names its township station as ``parent_id``)."""

    model_config = _example(
        name="嘎鲁图镇退役军人服务站", level="township", township="嘎鲁图镇", parent_id=None
    )
    name: Text
    level: StationLevel
    township: Annotated[str, Field(max_length=500, validate_default=True)] = ""
    parent_id: UUID | None = Field(None, validate_default=True)

    @field_validator("parent_id", mode="after")
    @classmethod
    def _village_has_parent(cls, parent_id: UUID | None, info: ValidationInfo) -> UUID | None:
        # Decidable from the request alone: 422 naming the field, not a rule's 409.
        level = info.data.get("level")
        if level is StationLevel.VILLAGE and parent_id is None:
            raise ValueError("a village station names its township station as parent_id")
        if level in (StationLevel.BANNER_CENTRE, StationLevel.TOWNSHIP) and parent_id is not None:
            raise ValueError(f"only a village station has a parent, not a {level.value} one")
        return parent_id

    @field_validator("township", mode="after")
    @classmethod
    def _township_named(cls, township: str, info: ValidationInfo) -> str:
        level = info.data.get("level")
        if level in (StationLevel.TOWNSHIP, StationLevel.VILLAGE) and not township.strip():
            raise ValueError(f"a {level.value} station names its township")
        return township


class RenameStation(BaseModel):
    model_config = _example(name="嘎鲁图镇退役军人服务站（新址）")
    name: Text


class Reason(BaseModel):
    """Why: kept in the event and shown in the audit trail."""

    model_config = _example(reason="经核实，按程序办理")
    reason: Text


class UpdateProfile(BaseModel):
    """Any of phone, skills and township; those left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"phone": "13947700001", "skills": ["急救", "驾驶"]}]},
    )
    phone: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    skills: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, max_length=50
    )
    township: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateProfile:
        if self.phone is None and self.skills is None and self.township is None:
            raise ValueError("name at least one of phone, skills and township to change")
        return self


class GroupPolicy(BaseModel):
    """A group accident policy and everyone it covers (volunteer ids or national ids)."""

    model_config = _example(
        policy_number="PICC-2023-150626-GRP",
        insurer="中国人民财产保险股份有限公司鄂尔多斯市分公司",
        covers_from="2023-01-01",
        covers_to="2023-12-31",
        sum_insured="100000",
        members=["8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a", "150626198501010011"],
    )
    policy_number: Text
    insurer: Text
    covers_from: date
    covers_to: date
    sum_insured: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    members: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=10_000
    )
