"""JSON transcodings for every value object, date and enum that events carry.

Names are stable strings: renaming a Python class never breaks stored events.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding

from domain.awards import AwardRef
from domain.points import AwardFigures
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    InsuranceKind,
    InsurancePolicy,
    Interval,
    MediaCoverage,
    MediaLevel,
    MemberRole,
    PersonType,
    Rater,
    Role,
    StationLevel,
    TeamLevel,
)


def plain_json(mapper: Mapper[Any]) -> bool:
    """Whether ``mapper`` writes states as plain JSON with the library's own transcoder (no
    cipher, no compressor): what the fast encoder and decoder take on themselves."""
    return (
        mapper.cipher is None
        and mapper.compressor is None
        and type(mapper.transcoder) is JSONTranscoder
    )


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """An enum member as its value string, under a stable name per enum."""

    def __init__(self, enum_type: type[Enum], name: str) -> None:
        self.type = enum_type
        self.name = name

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


class DataclassAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields; nested values are transcoded by the encoder."""

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = [f.name for f in fields(cls)]

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class CategoryAsCode(Transcoding):
    type = Category
    name = "category"

    def encode(self, obj: Category) -> str:
        return obj.code

    def decode(self, data: str) -> Category:
        return Category(data)


class IntervalAsPair(Transcoding):
    type = Interval
    name = "interval"

    def encode(self, obj: Interval) -> list[str]:
        return [obj.start.isoformat(), obj.end.isoformat()]

    def decode(self, data: list[str]) -> Interval:
        return Interval(datetime.fromisoformat(data[0]), datetime.fromisoformat(data[1]))


ENUMS: dict[str, type[Enum]] = {
    "role": Role,
    "team_level": TeamLevel,
    "member_role": MemberRole,
    "person_type": PersonType,
    "beneficiary_type": BeneficiaryType,
    "hours_source": HoursSource,
    "media_level": MediaLevel,
    "insurance_kind": InsuranceKind,
    "station_level": StationLevel,
}

DATACLASSES: dict[str, type[Any]] = {
    "actor": Actor,
    "insurance_policy": InsurancePolicy,
    "media_coverage": MediaCoverage,
    "award_figures": AwardFigures,
    "award_ref": AwardRef,
    "rater": Rater,
}


def ledger_transcodings() -> list[Transcoding]:
    """Everything our events need beyond the library's UUID, Decimal and datetime."""
    result: list[Transcoding] = [DateAsISO(), CategoryAsCode(), IntervalAsPair()]
    result += [EnumAsValue(enum_type, name) for name, enum_type in ENUMS.items()]
    result += [DataclassAsDict(cls, name) for name, cls in DATACLASSES.items()]
    return result


__all__ = ["ledger_transcodings"]
