"""Examples the OpenAPI document shows for the audit explanations: one award of 2.5 hours
at a health-education talk, traced to its events, and one star certification re-checked."""

from __future__ import annotations

from typing import Any

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
AWARD_EXPLANATION_EXAMPLE: dict[str, Any] = {
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


DECISION_RECHECK_EXAMPLE: dict[str, Any] = {
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
