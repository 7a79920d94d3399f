"""The bulletin's and the annual review's JSON, as sent (same cut, same bytes), for the
OpenAPI; tests/integration/test_document_shapes.py checks real answers against them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from interfaces.http.need_schemas import StationNeeds
from interfaces.http.people_answers import TypeCount, Voucher
from interfaces.http.report_schemas import InsuranceGap, RankingRow, TeamEligibilityRow


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class Seal(_Part):
    """The first seal whose signed head covers the document's cut."""

    position: int
    sealed_position: int
    head_hash: str
    signature: str
    key_id: str
    algorithm: str


class ChainAt(_Part):
    """The hash chain's head at the document's cut, and the seal covering it (null if none)."""

    position: int
    head_hash: str
    seal: Seal | None


class ServedByStation(_Part):
    station_id: str
    name: str
    activities: int
    people: int
    by_type: dict[str, TypeCount]


class Served(_Part):
    """People served, by beneficiary type (veteran, military_family, …)."""

    total: int
    by_type: dict[str, TypeCount]


class BulletinServed(Served):
    stations: list[ServedByStation]


class MonthHours(_Part):
    month: str = Field(examples=["2026-03"])
    volunteer_hours: str


class KeySupportTeam(_Part):
    team_id: str
    name: str
    level: str | None
    activities: int
    mean_satisfaction: str
    score: str
    rank: int


class BulletinNeeds(_Part):
    """Needs raised at a station in the period, and how they ended (or stay open)."""

    station_id: str
    name: str
    raised: int
    met: int
    declined: int
    open: int


class StationGaps(_Part):
    """Participations no policy covered, on activities of one station."""

    station_id: str
    name: str
    participations: int
    volunteers: int


class StationMedia(_Part):
    station_id: str
    name: str
    media_points: str


class MediaReport(_Part):
    activity_id: str
    activity_title: str | None
    outlet: str
    level: str
    level_zh: str
    url: str | None
    published_on: str


class StationMediaReport(MediaReport):
    station_id: str
    name: str


class Bulletin(_Part):
    """The supervision bulletin (定期通报) of a period for the stations of one level."""

    period: str
    level: str
    level_zh: str
    office: str
    position: int
    ranking: list[RankingRow]
    unranked: list[str] = Field(description="names of the stations with no activity")
    hours_by_month: list[MonthHours]
    key_support_teams: list[KeySupportTeam]
    needs_met: list[BulletinNeeds]
    insurance_gaps: list[StationGaps]
    media: list[StationMedia]
    media_coverage: list[StationMediaReport]
    served: BulletinServed
    chain: ChainAt


class ReviewTotals(_Part):
    volunteers_serving: int
    hours: str
    points: str


class VolunteerYear(_Part):
    """A volunteer's year: hours, points, star level, township and teams (names repeat)."""

    volunteer_id: str
    name: str
    township: str
    teams: list[str]
    hours: str
    points: str
    training_points: str
    lifetime_points: str
    star_level: int


class Rankings(_Part):
    station: list[RankingRow]
    team: list[RankingRow]


class VolunteerFigures(_Part):
    """A volunteer's figures at a decision's basis position; the year's for commendations."""

    credited_hours: str
    lifetime_points: str
    star_level_reached: int
    courtesy_tier: str | None
    commendations_held: int
    year: int | None = None
    hours_in_year: str | None = None
    activities_in_year: int | None = None
    awards_withdrawn_in_year: int | None = None
    commended_in_year: bool | None = None
    rulebook_version: str | None = None


class Decision(_Part):
    """A commendation or star certification, re-checked at the position it recorded."""

    kind: str = Field(
        examples=["volunteer_commendation", "star_certification", "team_commendation"]
    )
    subject_id: str
    basis_position: int
    position: int
    title: str | None = None
    period: str | None = None
    level: int | None = None
    service_year: int | None = None
    eligible_at_basis: bool
    figures: VolunteerFigures | TeamEligibilityRow | None


class ReviewCorrection(_Part):
    """An attendance correction that touched the year's service."""

    activity_id: str
    volunteer_id: str
    interval: list[str] = Field(description="the corrected start and end")
    reason: str
    attendance_version: int
    position: int
    actor: str


class Reversal(_Part):
    """A reversed award of the year's service."""

    entry_id: str
    reverses: str
    volunteer_id: str
    points: str
    hours: str
    reason: str
    position: int
    actor: str


class Redemption(_Part):
    """A courtesy benefit redeemed in the year, and whether its voucher was used by the cut."""

    entry_id: str
    volunteer_id: str
    name: str
    benefit: str
    benefit_zh: str
    points: str
    voucher_code: str | None
    used: bool
    position: int


class Breakdown(_Part):
    key: str
    name: str
    activities: int
    volunteer_hours: str
    distinct_volunteers: int
    people_served: int


class Breakdowns(_Part):
    township: list[Breakdown]
    station: list[Breakdown]
    team: list[Breakdown]
    category: list[Breakdown]
    month: list[Breakdown]


class ReviewMedia(MediaReport):
    township: str | None
    station_id: str | None
    station: str | None
    team_id: str | None
    station_name: str | None
    team_name: str | None


class AnnualReview(_Part):
    """The annual review of a year, replayed from the log up to ``position``."""

    year: int
    position: int
    rulebook_hash: str
    totals: ReviewTotals
    volunteers: list[VolunteerYear]
    rankings: Rankings
    decisions: list[Decision]
    insurance_gaps: list[InsuranceGap]
    corrections: list[ReviewCorrection]
    reversals: list[Reversal]
    redemptions: list[Redemption]
    served: Served
    breakdowns: Breakdowns
    needs_met: list[StationNeeds]
    media: list[ReviewMedia]
    benefits: list[Voucher]
    chain: ChainAt
