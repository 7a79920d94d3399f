"""Request bodies of the registers: stations and the everyday operations on volunteers and teams."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from interfaces.http.schemas import Text, _example


class RegisterStation(BaseModel):
    """A station: the banner's service centre, a township's station, or a village's station
    (which names its township station as ``parent_id``)."""

    model_config = _example(
        name="嘎鲁图镇退役军人服务站", level="township", township="嘎鲁图镇", parent_id=None
    )
    name: Text
    level: Literal["banner_centre", "township", "village"]
    township: Annotated[str, Field(max_length=500)] = ""
    parent_id: UUID | None = None


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
