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


# ----------------------------------------------------------------- reads


class RaisedByOut(BaseModel):
    """Who raised a need; ``contact`` masked except for admins and the township's staff."""

    name: str
    contact: str


class NeedRow(BaseModel):
    """A need: ``age_days`` is how long it has waited (open) or waited until it was closed;
    once closed, the activity and ``outcome`` that met it, or the ``decline_reason``."""

    need_id: str
    township: str
    station_id: str
    beneficiary_type: str
    category: str
    description: str
    raised_by_name: str
    raised_by_contact: str
    status: NeedStatus
    raised_at: str
    closed_at: str | None
    activity_id: str | None
    project_id: str | None
    outcome: str | None
    decline_reason: str | None
    position: int
    category_zh: str | None
    raised_on: str
    age_days: int
    raised_by: RaisedByOut


class NeedPage(BaseModel):
    """A page of needs: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[NeedRow]
    next_cursor: str | None


class ProjectRow(BaseModel):
    """A project of the library, the needs it answers, and how many its activities met."""

    project_id: str
    title: str
    category: str
    description: str
    team_id: str
    township: str = Field(description="empty for a banner-level team's project")
    status: ProjectStatus
    drafted_at: str
    close_reason: str | None
    position: int
    category_zh: str | None
    need_ids: list[str]
    target_beneficiaries: list[str]
    needs_met: int
    activities: int


class ProjectPage(BaseModel):
    """A page of the project library: pass ``next_cursor`` back as ``cursor``."""

    items: list[ProjectRow]
    next_cursor: str | None


class ProjectActivity(BaseModel):
    activity_id: str
    title: str
    start_date: str


class ProjectDetail(ProjectRow):
    """One project with the needs its activities met and its activities."""

    met_need_ids: list[str]
    activity_list: list[ProjectActivity]


class StationNeeds(BaseModel):
    """A station's needs: raised, met (in the period asked for), declined and still open."""

    station_id: str
    name: str
    level: str
    township: str | None
    raised: int
    met: int
    declined: int
    open: int


class ProjectNeeds(BaseModel):
    project_id: str
    title: str
    status: ProjectStatus
    township: str
    needs_met: int
    activities: int


class NeedsMet(BaseModel):
    """Needs met per station and per project."""

    stations: list[StationNeeds]
    projects: list[ProjectNeeds]
