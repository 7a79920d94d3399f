"""Load and validate the rulebook file (TOML) into the domain's :class:`Rulebook`.

A bad file fails with a message naming the version and the field.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.rulebook import (
    DEFAULT_COMMENDATION,
    CategoryRule,
    CommendationRule,
    CourtesyBenefit,
    CourtesyTier,
    KeySupportRule,
    MissingInsurance,
    RankingWeights,
    RoundingStep,
    Rulebook,
    RulebookVersion,
    TeamCommendationBasis,
)
from domain.values import MediaLevel

DEFAULT_RULEBOOK = Path(__file__).parent / "rulebooks" / "default.toml"

NonNegative = Annotated[Decimal, Field(ge=0)]
Positive = Annotated[Decimal, Field(gt=0)]
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class RulebookError(ValueError):
    """The rulebook file is missing or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Rounding(_Strict):
    up_to_minutes: int = Field(ge=0, lt=60)
    hours: Annotated[Decimal, Field(ge=0, le=1)]


class _Category(_Strict):
    label_zh: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    multiplier: NonNegative = Decimal(1)
    insurance_required: bool = True
    on_missing_insurance: MissingInsurance = MissingInsurance.REJECT


class _Benefit(_Strict):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    name_zh: str = Field(min_length=1, max_length=100)
    points: NonNegative


class _Tier(_Strict):
    name: str = Field(min_length=1)
    min_points: NonNegative
    benefits: list[_Benefit] = []

    @field_validator("benefits")
    @classmethod
    def _distinct(cls, value: list[_Benefit]) -> list[_Benefit]:
        codes = [b.code for b in value]
        if len(codes) != len(set(codes)):
            raise ValueError("a tier lists each benefit code once")
        return value

    def to_domain(self) -> CourtesyTier:
        benefits = (CourtesyBenefit(b.code, b.name_zh, b.points, self.name) for b in self.benefits)
        return CourtesyTier(self.name, self.min_points, tuple(benefits))


class _KeySupport(_Strict):
    min_activities: int = Field(ge=0)
    min_mean_satisfaction: Annotated[Decimal, Field(ge=0, le=5)]
    top_n: int = Field(ge=1)


class _Commendation(_Strict):
    volunteer_min_hours: NonNegative = DEFAULT_COMMENDATION.volunteer_min_hours
    volunteer_min_activities: int = Field(
        default=DEFAULT_COMMENDATION.volunteer_min_activities, ge=0
    )
    volunteer_no_reversal: bool = DEFAULT_COMMENDATION.volunteer_no_reversal
    team_basis: TeamCommendationBasis = DEFAULT_COMMENDATION.team_basis

    def to_domain(self) -> CommendationRule:
        return CommendationRule(
            volunteer_min_hours=self.volunteer_min_hours,
            volunteer_min_activities=self.volunteer_min_activities,
            volunteer_no_reversal=self.volunteer_no_reversal,
            team_basis=self.team_basis,
        )


class _Ranking(_Strict):
    activities: NonNegative
    volunteer_hours: NonNegative
    distinct_volunteers: NonNegative
    mean_satisfaction: NonNegative
    media_points: NonNegative
    media_level_points: dict[MediaLevel, NonNegative]

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> _Ranking:
        total = (
            self.activities
            + self.volunteer_hours
            + self.distinct_volunteers
            + self.mean_satisfaction
            + self.media_points
        )
        if total != 1:
            raise ValueError(f"ranking weights must sum to 1, not {total}")
        return self

    @model_validator(mode="after")
    def _points_for_every_media_level(self) -> _Ranking:
        missing = set(MediaLevel) - set(self.media_level_points)
        if missing:
            raise ValueError(
                "media_level_points lacks " + ", ".join(sorted(m.value for m in missing))
            )
        return self


class _Version(_Strict):
    version: str = Field(min_length=1)
    effective_from: date
    utc_offset: str = "+08:00"
    window_tolerance_minutes: int = Field(default=30, ge=0, le=24 * 60)
    rounding: list[_Rounding]
    daily_cap_hours: Annotated[Decimal, Field(gt=0, le=24)]
    points_per_hour: NonNegative
    backfill_earns_points: bool = False
    training_points_per_hour: NonNegative
    star_thresholds_hours: list[Positive] = Field(min_length=1)
    courtesy_tiers: list[_Tier]
    key_support: _KeySupport
    ranking: _Ranking
    feedback_window_days: int = Field(default=30, ge=0, le=366)
    commendation: _Commendation = _Commendation()
    categories: dict[str, _Category] = Field(min_length=1)

    @field_validator("utc_offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        if not _OFFSET.match(value):
            raise ValueError(f"utc_offset {value!r} must look like +08:00")
        return value

    @field_validator("star_thresholds_hours")
    @classmethod
    def _ascending(cls, value: list[Decimal]) -> list[Decimal]:
        if value != sorted(set(value)):
            raise ValueError("star thresholds must be strictly increasing")
        return value

    @field_validator("categories")
    @classmethod
    def _codes(cls, value: dict[str, _Category]) -> dict[str, _Category]:
        for code in value:
            if not code.replace("_", "").isalnum():
                raise ValueError(f"category code {code!r} must be letters, digits and _")
        return value

    def to_domain(self) -> RulebookVersion:
        return RulebookVersion(
            version=self.version,
            effective_from=self.effective_from,
            utc_offset=_utc_offset(self.utc_offset),
            window_tolerance_minutes=self.window_tolerance_minutes,
            rounding=tuple(RoundingStep(r.up_to_minutes, r.hours) for r in self.rounding),
            daily_cap_hours=self.daily_cap_hours,
            points_per_hour=self.points_per_hour,
            backfill_earns_points=self.backfill_earns_points,
            training_points_per_hour=self.training_points_per_hour,
            categories={
                code: CategoryRule(
                    code=code,
                    label_zh=c.label_zh,
                    label_en=c.label_en,
                    multiplier=c.multiplier,
                    insurance_required=c.insurance_required,
                    on_missing_insurance=c.on_missing_insurance,
                )
                for code, c in self.categories.items()
            },
            star_thresholds_hours=tuple(self.star_thresholds_hours),
            courtesy_tiers=tuple(t.to_domain() for t in self.courtesy_tiers),
            key_support=KeySupportRule(
                self.key_support.min_activities,
                self.key_support.min_mean_satisfaction,
                self.key_support.top_n,
            ),
            ranking=RankingWeights(
                activities=self.ranking.activities,
                volunteer_hours=self.ranking.volunteer_hours,
                distinct_volunteers=self.ranking.distinct_volunteers,
                mean_satisfaction=self.ranking.mean_satisfaction,
                media_points=self.ranking.media_points,
                media_level_points=dict(self.ranking.media_level_points),
            ),
            feedback_window_days=self.feedback_window_days,
            commendation=self.commendation.to_domain(),
        )


def _utc_offset(text: str) -> timedelta:
    """``+08:00`` as a time difference (its form was checked when the file was read)."""
    sign, hours, minutes = _OFFSET.match(text).groups()  # type: ignore[union-attr]
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return -offset if sign == "-" else offset


def _describe(error: ValidationError, name: str) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        lines.append(f"rulebook version {name}: field {where}: {item['msg']}")
    return "; ".join(lines)


def parse_rulebook(text: str, *, source: str = "<rulebook>") -> Rulebook:
    """Parse and validate rulebook TOML text. Errors name the version and the field."""
    versions = [
        _version(raw, index, source) for index, raw in enumerate(_raw_versions(text, source))
    ]
    _check_distinct(versions, source)
    file_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Rulebook(versions=tuple(versions), file_hash=file_hash)


def _raw_versions(text: str, source: str) -> list[Any]:
    """The ``[[versions]]`` tables of the TOML text, the only top-level key."""
    data = _toml(text, source)
    unknown = set(data) - {"versions"}
    if unknown:
        raise RulebookError(f"{source}: unknown top-level keys: {', '.join(sorted(unknown))}")
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise RulebookError(f"{source}: needs at least one [[versions]] table")
    return raw_versions


def _toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RulebookError(f"{source}: not valid TOML: {e}") from None


def _version(raw: Any, index: int, source: str) -> RulebookVersion:
    name = str(raw.get("version", f"#{index + 1}")) if isinstance(raw, dict) else f"#{index}"
    try:
        return _Version.model_validate(raw).to_domain()
    except ValidationError as e:
        raise RulebookError(f"{source}: {_describe(e, name)}") from None


def _check_distinct(versions: list[RulebookVersion], source: str) -> None:
    """No two versions share a name or an effective date."""
    names = [v.version for v in versions]
    if len(set(names)) != len(names):
        raise RulebookError(f"{source}: version names repeat: {names}")
    dates = [v.effective_from for v in versions]
    if len(set(dates)) != len(dates):
        raise RulebookError(f"{source}: two versions share an effective_from date")


def rulebook_file(path: Path | None) -> Path:
    """The rulebook file in use: ``path``, or the shipped default when None."""
    return path or DEFAULT_RULEBOOK


def load_rulebook(path: Path | None = None) -> Rulebook:
    """Read the rulebook file at ``path`` (the shipped default when None)."""
    target = rulebook_file(path)
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as e:
        raise RulebookError(f"cannot read rulebook {target}: {e.strerror}") from None
    return parse_rulebook(text, source=str(target))
