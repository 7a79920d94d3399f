"""Response bodies of the audit explanations: an award's events and recomputation, a decision's re-check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.readmodel.audit.decisions import DecisionRecheck
from application.readmodel.audit.explain import AwardExplanation
from application.readmodel.audit.explain_events import ExplainedEvent
from application.readmodel.values import num
from interfaces.http.audit_examples import AWARD_EXPLANATION_EXAMPLE, DECISION_RECHECK_EXAMPLE


class ExplainedEventOut(BaseModel):
    """One stored event behind the award."""

    role: str = Field(
        description="Why it is listed: planned, signed_up, signup_withdrawn, hours_recorded, "
        "hours_corrected, verified, insurance, same_day_award (credited the same day "
        "before, so counts against the daily cap), award, later_correction, reversal."
    )
    position: int = Field(description="Global log position, confirmed by the event store.")
    aggregate_id: UUID
    aggregate_type: str
    version: int
    type: str
    recorded_at: datetime
    actor: str | None
    actor_role: str | None
    correlation_id: str | None = Field(
        description="The server's id of the request that recorded it (for an idempotent "
        "request, derived from the caller, the Idempotency-Key and the body)."
    )
    request_id: str | None = Field(
        default=None, description="The client's `X-Request-ID`, if it sent one."
    )
    figures: dict[str, str | int | bool | None]

    @classmethod
    def of(cls, e: ExplainedEvent) -> ExplainedEventOut:
        return cls(**vars(e))


class AwardInputsOut(BaseModel):
    """The inputs of the points formula, taken from the stored events, and its working."""

    category: str
    started_at: datetime
    ended_at: datetime
    source: str
    attendance_version: int
    service_date: date
    minutes: str
    rounded_hours: str
    already_credited_that_day: str
    daily_cap_hours: str
    credited_hours: str
    multiplier: str
    points_per_hour: str
    earns_points: bool


class AwardExplanationOut(BaseModel):
    """The events behind an award and its recomputation under the rulebook version it recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [AWARD_EXPLANATION_EXAMPLE]})

    entry_id: UUID
    volunteer_id: UUID
    activity_id: UUID
    position: int = Field(description="Log position of the award event.")
    points: str = Field(description="Points the award recorded.")
    hours: str = Field(description="Credited hours the award recorded.")
    recomputed_points: str = Field(description="Points recomputed now; must equal `points`.")
    recomputed_hours: str
    matches: bool = Field(description="Every entry of `checks` holds.")
    rulebook_version: str
    rulebook_sha256: str = Field(description="SHA-256 of the rulebook file the award recorded.")
    loaded_rulebook_sha256: str = Field(description="SHA-256 of the rulebook file loaded now.")
    insurance_policy: str | None = Field(description="The policy the award recorded as cover.")
    recomputed_insurance_policy: str | None
    uninsured_flag: bool
    reversed_by: UUID | None = Field(description="The reversal's entry id, if reversed.")
    inputs: AwardInputsOut
    checks: dict[str, bool]
    events: list[ExplainedEventOut]

    @classmethod
    def of(cls, x: AwardExplanation) -> AwardExplanationOut:
        i = x.inputs
        return cls(
            entry_id=x.entry_id,
            volunteer_id=x.volunteer_id,
            activity_id=x.activity_id,
            position=x.position,
            points=num(x.points),
            hours=num(x.hours),
            recomputed_points=num(x.recomputed_points),
            recomputed_hours=num(x.recomputed_hours),
            matches=x.matches,
            rulebook_version=x.rulebook_version,
            rulebook_sha256=x.rulebook_sha256,
            loaded_rulebook_sha256=x.loaded_rulebook_sha256,
            insurance_policy=x.insurance_policy,
            recomputed_insurance_policy=x.recomputed_insurance_policy,
            uninsured_flag=x.uninsured_flag,
            reversed_by=x.reversed_by,
            inputs=AwardInputsOut(
                category=i.category,
                started_at=i.interval_start,
                ended_at=i.interval_end,
                source=i.source,
                attendance_version=i.attendance_version,
                service_date=i.service_date,
                minutes=num(i.minutes),
                rounded_hours=num(i.rounded_hours),
                already_credited_that_day=num(i.already_credited_that_day),
                daily_cap_hours=num(i.daily_cap_hours),
                credited_hours=num(i.credited_hours),
                multiplier=num(i.multiplier),
                points_per_hour=num(i.points_per_hour),
                earns_points=i.earns_points,
            ),
            checks=x.checks,
            events=[ExplainedEventOut.of(e) for e in x.events],
        )


class DecisionRecheckOut(BaseModel):
    """A decision re-checked against eligibility replayed to the position it recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [DECISION_RECHECK_EXAMPLE]})

    kind: str = Field(
        description="volunteer_commendation, star_certification or team_commendation."
    )
    aggregate_id: UUID = Field(description="The volunteer or team the decision is about.")
    version: int = Field(description="The decision event's version in that aggregate.")
    position: int | None = Field(description="The decision event's log position.")
    decided_at: datetime
    decided_by: str
    title: str | None
    level: int | None = Field(description="The star level certified (certifications only).")
    period: str | None
    basis_position: int = Field(description="The position the decision's eligibility was read at.")
    replayed_to: int = Field(description="The last log position replayed (≤ basis_position).")
    eligible_at_basis: bool = Field(
        description="Eligibility then supported the decision: the star level was reached; a "
        "volunteer was a commendation candidate for the commendation's year by the rulebook "
        "version in force for it (credited hours and verified activities in the year, no "
        "award of the year withdrawn, no commendation for the year held); a team met the "
        "rulebook's team criteria (key support) in that year. The same re-check as the "
        "annual review's `decisions`."
    )
    figures: dict[str, Any] | None = Field(description="The figures the re-check used.")

    @classmethod
    def of(cls, d: DecisionRecheck) -> DecisionRecheckOut:
        return cls(**vars(d))
