"""Request and response bodies. Decimals travel as strings; times are RFC 3339 with an offset.

Text fields are checked by the domain's own rules (``domain.values.check_text``), so the
edge refuses what the aggregates would, as a 422 naming the field."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from application.results import Recorded
from domain.errors import InvalidValue
from domain.values import (
    LONG_TEXT_MAX,
    TEXT_MAX,
    check_text,
)
from interfaces.http.inputs import in_calendar_time


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


class Me(BaseModel):
    name: str
    role: str
    scope: str | None


class Page(BaseModel):
    """A page of a list: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[dict[str, Any]]
    next_cursor: str | None
