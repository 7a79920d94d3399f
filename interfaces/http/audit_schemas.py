"""Response bodies of the audit explanations: an award's events and recomputation, a decision's re-check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from application.readmodel.audit.decisions import DecisionRecheck
from application.readmodel.audit.explain import AwardExplanation
from application.readmodel.audit.explain_events import ExplainedEvent
from application.readmodel.base import num

_VOLUNTEER = "b2a88eb2-d54e-485c-a337-45d63d099a03"
_ACTIVITY = "5b0e3f52-7f0a-4c1e-9d51-0f7c2a1b9e44"
_ENTRY = "450d1218-8a57-5bd4-9494-2e70b43b08d3"


def _event(
    role: str, position: int, kind: str, version: int, actor: str, figures: dict[str, Any]
) -> dict[str, Any]:
    aggregate_type, _, event_type = kind.partition(".")
    return {
        "role": role,
        "position": position,
        "aggregate_id": _VOLUNTEER if aggregate_type == "Volunteer" else _ACTIVITY,
        "aggregate_type": aggregate_type,
        "version": version,
        "type": event_type,
        "recorded_at": "2022-07-06T04:10:00+00:00",
        "actor": actor,
        "actor_role": "admin" if actor == "bureau-verifier" else "station_staff",
        "correlation_id": "3f1c9a0e6b7d4e2f8a5c1b9d0e7f6a43",
        "request_id": None,
        "figures": figures,
    }


_INTERVAL = {"started_at": "2022-07-06T09:30:00+08:00", "ended_at": "2022-07-06T12:00:00+08:00"}
_EXAMPLE: dict[str, Any] = {
    "entry_id": _ENTRY,
    "volunteer_id": _VOLUNTEER,
    "activity_id": _ACTIVITY,
    "position": 1025,
    "points": "2.5",
    "hours": "2.5",
    "recomputed_points": "2.5",
    "recomputed_hours": "2.5",
    "matches": True,
    "rulebook_version": "2022.1",
    "rulebook_sha256": "944826e7f02c990f968f1239526f464b30b6a55385024b298f3a108280437e54",
    "loaded_rulebook_sha256": "944826e7f02c990f968f1239526f464b30b6a55385024b298f3a108280437e54",
    "insurance_policy": "PICC-2022-TT02-GRP",
    "recomputed_insurance_policy": "PICC-2022-TT02-GRP",
    "uninsured_flag": False,
    "reversed_by": None,
    "inputs": {
        "category": "health_education",
        **_INTERVAL,
        "source": "checkin",
        "attendance_version": 1,
        "service_date": "2022-07-06",
        "minutes": "150",
        "rounded_hours": "2.5",
        "already_credited_that_day": "0",
        "daily_cap_hours": "12",
        "credited_hours": "2.5",
        "multiplier": "1",
        "points_per_hour": "1",
        "earns_points": True,
    },
    "checks": {
        "points_equal": True,
        "hours_equal": True,
        "interval_matches_attendance": True,
        "category_matches_activity": True,
        "source_matches_attendance": True,
        "service_date_matches": True,
        "rulebook_version_in_force": True,
        "rulebook_file_unchanged": True,
        "insurance_matches": True,
    },
    "events": [
        _event(
            "insurance",
            15,
            "Volunteer.InsuranceRecorded",
            2,
            "bureau-office",
            {
                "policy_number": "PICC-2022-TT02-GRP",
                "insurer": "中国人民财产保险股份有限公司",
                "kind": "group",
                "covers_from": "2022-01-01",
                "covers_to": "2022-12-31",
                "sum_insured": "100000",
            },
        ),
        _event(
            "planned",
            999,
            "ServiceActivity.Planned",
            1,
            "staff-wulan",
            {
                "title": "老年人慢性病防治知识讲座",
                "category": "health_education",
                "team_id": "8842c807-a50e-47ee-8ef0-5eaed58eef6f",
                "window_start": "2022-07-06T09:30:00+08:00",
                "window_end": "2022-07-06T12:00:00+08:00",
            },
        ),
        _event(
            "signed_up",
            1003,
            "ServiceActivity.VolunteerSignedUp",
            3,
            "staff-wulan",
            {"volunteer_id": _VOLUNTEER},
        ),
        _event(
            "hours_recorded",
            1015,
            "ServiceActivity.HoursRecorded",
            9,
            "staff-wulan",
            {**_INTERVAL, "source": "checkin", "attendance_version": 1},
        ),
        _event(
            "verified",
            1022,
            "ServiceActivity.Verified",
            14,
            "bureau-verifier",
            {"verified_by": "bureau-verifier", "awards": 7},
        ),
        _event(
            "award",
            1025,
            "Volunteer.PointsAwarded",
            7,
            "bureau-verifier",
            {
                "entry_id": _ENTRY,
                **_INTERVAL,
                "service_date": "2022-07-06",
                "hours": "2.5",
                "points": "2.5",
                "rulebook_version": "2022.1",
            },
        ),
    ],
}


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

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "star_certification",
                    "aggregate_id": _VOLUNTEER,
                    "version": 31,
                    "position": 1503,
                    "decided_at": "2022-12-28T02:00:00+00:00",
                    "decided_by": "bureau-office",
                    "title": None,
                    "level": 1,
                    "period": None,
                    "basis_position": 1502,
                    "replayed_to": 1502,
                    "eligible_at_basis": True,
                    "figures": {
                        "credited_hours": "104.5",
                        "lifetime_points": "131",
                        "star_level_reached": 1,
                        "courtesy_tier": "bronze",
                        "commendations_held": 0,
                    },
                }
            ]
        }
    )

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
