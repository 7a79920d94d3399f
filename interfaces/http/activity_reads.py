"""What the reads of activities answer: an activity with its participants, the list, its
corrections, ratings and insurance cover (the read model's rows, as stored)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Participant(BaseModel):
    """A volunteer signed up for an activity, with the hours recorded (null until then)
    and the award of its verification (``entry_id``)."""

    activity_id: str
    volunteer_id: str
    signed_up: int
    started_at: str | None
    ended_at: str | None
    service_date: str | None
    source: str | None
    attendance_version: int
    recorded_by: str | None
    entry_id: str | None
    position: int


class _ActivityFields(BaseModel):
    activity_id: str
    title: str
    category: str
    team_id: str
    township: str
    station: str | None
    station_id: str | None
    location: str
    starts_at: str
    ends_at: str
    start_date: str = Field(description="the service date, Asia/Shanghai")
    status: str = Field(examples=["planned", "published", "completed", "cancelled", "verified"])
    capacity: int
    signups: int
    beneficiaries: dict[str, int] = Field(description="people served, by beneficiary type")
    feedback_n: int = Field(description="ratings counted")
    satisfaction_sum: int
    feedback_uncounted: int = Field(description="ratings given outside the feedback window")
    media_points: str
    verified_by: str | None
    verified_position: int | None
    position: int
    category_zh: str | None


class ActivitySummary(_ActivityFields):
    """An activity as listed: ``participants`` counts those with hours recorded."""

    participants: int


class ActivityPage(BaseModel):
    """A page of activities: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[ActivitySummary]
    next_cursor: str | None


class ActivityDetail(_ActivityFields):
    """One activity with its participants and the project of the library it serves."""

    participants: list[Participant]
    project_id: str | None


class Correction(BaseModel):
    """A correction proposed to verified hours, and what became of it."""

    activity_id: str
    correction_id: str
    volunteer_id: str
    started_at: str
    ended_at: str
    reason: str
    status: str = Field(examples=["proposed", "approved", "rejected"])
    proposed_by: str
    proposed_at: str
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None
    position: int


class Corrections(BaseModel):
    activity_id: str
    items: list[Correction]


class RaterOut(BaseModel):
    """Who gave a rating (``beneficiary_type`` null: recorded before raters were named)."""

    beneficiary_type: str | None
    reference: str | None
    anonymous: bool


class Rating(BaseModel):
    """A rating: ``counted`` false when given outside the feedback window."""

    satisfaction: int
    comment: str
    rater: RaterOut | None
    given_on: str | None
    counted: bool
    recorded_by: str
    recorded_at: str
    position: int


class Ratings(BaseModel):
    activity_id: str
    items: list[Rating]


class ParticipantCover(BaseModel):
    """A participant and the policy that covered them on the service date (if any), and the
    policy named when the award was made."""

    volunteer_id: str
    service_date: str
    covered: bool
    policy_number: str | None
    insurer: str | None
    policy_at_award: str | None
    flagged: bool


class ActivityCover(BaseModel):
    activity_id: str
    items: list[ParticipantCover]
