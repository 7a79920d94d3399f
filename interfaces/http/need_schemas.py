"""Request bodies of needs and the project library."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from domain.values import BeneficiaryType
from interfaces.http.schemas import Code, LongText, Text, _example


class RaisedBy(BaseModel):
    """Who raised the need and how to reach them (masked on reads, as national ids are)."""

    model_config = _example(name="王桂兰", contact="13947700123")
    name: Text
    contact: Text


class RaiseNeed(BaseModel):
    """A need raised at a station of its township: a difficulty of the plan
    (``life_difficulty``, ``education_difficulty``, ``employment_difficulty``) or a service
    category of the rulebook."""

    model_config = _example(
        township="嘎鲁图镇",
        station_id="5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
        beneficiary_type="martyr_family",
        category="life_difficulty",
        description="烈属独居老人，冬季取暖煤需要帮助搬运",
        raised_by={"name": "王桂兰", "contact": "13947700123"},
    )
    township: Text
    station_id: UUID = Field(description="a registered, open station of the need's township")
    beneficiary_type: BeneficiaryType
    category: Code
    description: LongText
    raised_by: RaisedBy


class CloseNeed(BaseModel):
    """The need was met: the verified activity that met it, and what came of it."""

    model_config = _example(
        activity_id="8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a", outcome="已送煤两吨并搬运入户"
    )
    activity_id: UUID
    outcome: LongText


class DraftProject(BaseModel):
    """A project of the library, owned by a team; entered as a draft."""

    model_config = _example(
        title="烈属冬季送温暖",
        category="condolence_visit",
        description="为烈属、困难退役军人家庭送煤、送米面油，帮助解决冬季取暖",
        team_id="8f0c6a1e-4b5d-4c1e-9a0b-2f6e1d3c4b5a",
        need_ids=["5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"],
        target_beneficiaries=["martyr_family", "veteran"],
    )
    title: Text
    category: Code
    description: LongText
    team_id: UUID
    need_ids: list[UUID] = Field(default_factory=list, max_length=500)
    target_beneficiaries: list[BeneficiaryType] = Field(min_length=1, max_length=10)


NeedStatus = Literal["open", "met", "declined"]
ProjectStatus = Literal["draft", "active", "closed"]
