"""The shapes of the reports' answers (rankings, team eligibility, insurance gaps), so the
OpenAPI shows their fields. Figures are exact decimals as text ("12.5"), as in the ledger.

Extra fields are allowed: a row shows what its read model gives, these name what a client
may rely on."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class RankingRow(_Answer):
    """One station or team in a ranking; ``rank`` null for a unit with no activity."""

    unit_id: str
    name: str
    activities: int
    volunteer_hours: str
    distinct_volunteers: int
    mean_satisfaction: str
    media_points: str
    score: str
    rank: int | None
    rank_change: int | None


class Ranking(_Answer):
    """The supervision ranking of a period; ``level`` for stations only."""

    unit: str
    period: str
    level: str | None = None
    items: list[RankingRow]


class KeySupportRules(_Answer):
    min_activities: int
    min_mean_satisfaction: str
    top_n: int
    commendation_basis: str
    rulebook_version: str


class TeamEligibilityRow(_Answer):
    """A team's key-support eligibility for the year, with the figures behind it."""

    team_id: str
    name: str
    level: str | None
    year: int
    key_support_eligible: bool
    commendation_candidate: bool
    activities: int
    mean_satisfaction: str
    score: str
    rank: int
    rules: KeySupportRules


class TeamEligibility(_Answer):
    year: int
    items: list[TeamEligibilityRow]


class InsuranceGap(_Answer):
    """A participation no policy covered on its service date."""

    activity_id: str
    title: str | None
    category: str
    category_zh: str | None
    volunteer_id: str
    volunteer_name: str | None
    township: str | None
    service_date: str
    flagged: bool


class InsuranceGaps(_Answer):
    items: list[InsuranceGap]
