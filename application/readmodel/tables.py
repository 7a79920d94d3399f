"""Read-model tables, described as data. Infrastructure turns them into SQL for either store.

Decimals are stored as text (exact on both stores); dates and times as ISO text in UTC.
Tables marked ``mirrored`` are small state tables a projection reads while applying
events: the runner keeps them in memory, so applying never waits on a round trip.
Tables marked ``created_once`` get each row from the one event that introduces its key (a
later event may update or delete it, never create it while it exists), so the runner can
copy new rows straight in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

INT_COLUMNS = {
    "position",
    "seq",
    "capacity",
    "signups",
    "participants",
    "feedback_n",
    "satisfaction_sum",
    "feedback_uncounted",
    "anonymous",
    "counted",
    "satisfaction",
    "attendance_version",
    "member_count",
    "dissolved",
    "entries",
    "star_certified",
    "star_reached",
    "commendations",
    "backfill",
    "reversed",
    "cancelled",
    "covered",
    "flagged",
    "verified_position",
    "aggregate_version",
    "signed_up",
    "closed",
    "used",
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    mirrored: bool = False
    indexes: tuple[tuple[str, ...], ...] = ()
    # Each row is created by the one event that introduces its key (a log position, a new
    # entry id, a sign-up) and never replaced while it exists (it may be deleted, and its
    # key introduced again: a withdrawn volunteer signs up anew): the runner may insert
    # without an upsert. Copied in (PostgreSQL, 64 rows or more), a key that exists fails
    # the batch; fewer rows, and SQLite, go through the upsert.
    created_once: bool = False
    # Rows are only ever added, each by the event at its ``position`` column, and never
    # changed or removed: the table at a cut is its rows up to the cut. Checkpoints of the
    # read models do not copy such a table (it would make each checkpoint as long as the
    # log); a read at a cut takes its rows up to the checkpoint from the live table.
    append_only: bool = False

    def is_int(self, column: str) -> bool:
        return column in INT_COLUMNS

    @cached_property
    def key_getter(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """The row's primary key as a tuple (hot path: built once per table)."""
        if len(self.key) == 1:
            (column,) = self.key
            return lambda row: (row[column],)
        return itemgetter(*self.key)


TEAM = Table(
    "rm_team",
    (
        "team_id",
        "name",
        "level",
        "township",
        "station",
        "station_id",
        "dissolved",
        "member_count",
        "leader_id",
        "formed_at",
        "position",
    ),
    ("team_id",),
    mirrored=True,
)
TEAM_MEMBER = Table(
    "rm_team_member", ("team_id", "volunteer_id", "role", "position"), ("team_id", "volunteer_id")
)
VOLUNTEER = Table(
    "rm_volunteer",
    (
        "volunteer_id",
        "name",
        "national_id",
        "phone",
        "person_type",
        "township",
        "skills",
        "status",
        "registered_at",
        "position",
    ),
    ("volunteer_id",),
    indexes=(("township",),),
)
ACTIVITY = Table(
    "rm_activity",
    (
        "activity_id",
        "title",
        "category",
        "team_id",
        "township",
        "station",
        "station_id",
        "location",
        "starts_at",
        "ends_at",
        "start_date",
        "status",
        "capacity",
        "signups",
        "participants",
        "beneficiaries",
        "feedback_n",
        "satisfaction_sum",
        "feedback_uncounted",
        "media_points",
        "verified_by",
        "verified_position",
        "position",
    ),
    ("activity_id",),
    mirrored=True,
    indexes=(("start_date",), ("team_id",)),
)
# Every rating, counted or not (out of the window: kept and shown, flagged, never counted).
FEEDBACK = Table(
    "rm_feedback",
    (
        "activity_id",
        "seq",
        "satisfaction",
        "comment",
        "rater_type",
        "rater_reference",
        "anonymous",
        "given_on",
        "counted",
        "recorded_by",
        "recorded_at",
        "position",
    ),
    ("activity_id", "seq"),
    created_once=True,
)
PARTICIPANT = Table(
    "rm_participant",
    (
        "activity_id",
        "volunteer_id",
        "signed_up",
        "started_at",
        "ended_at",
        "service_date",
        "source",
        "attendance_version",
        "recorded_by",
        "entry_id",
        "position",
    ),
    ("activity_id", "volunteer_id"),
    indexes=(("volunteer_id",),),
    created_once=True,
)
STATION = Table(
    "rm_station",
    (
        "station_id",
        "name",
        "level",
        "township",
        "parent_id",
        "closed",
        "close_reason",
        "registered_at",
        "position",
    ),
    ("station_id",),
    mirrored=True,
)
# Corrections proposed to verified participations (four eyes) and what became of them.
CORRECTION = Table(
    "rm_correction",
    (
        "activity_id",
        "correction_id",
        "volunteer_id",
        "started_at",
        "ended_at",
        "reason",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_reason",
        "position",
    ),
    ("activity_id", "correction_id"),
    created_once=True,
)
DIRECTORY_TABLES = (
    TEAM,
    TEAM_MEMBER,
    VOLUNTEER,
    ACTIVITY,
    PARTICIPANT,
    STATION,
    CORRECTION,
    FEEDBACK,
)

ACCOUNT = Table(
    "rm_ledger_account",
    (
        "volunteer_id",
        "balance",
        "lifetime_points",
        "credited_hours",
        "backfilled_hours",
        "training_hours",
        "redeemed",
        "entries",
        "position",
    ),
    ("volunteer_id",),
    mirrored=True,
)
ENTRY = Table(
    "rm_ledger_entry",
    (
        "entry_id",
        "volunteer_id",
        "seq",
        "kind",
        "points",
        "hours",
        "backfill",
        "activity_id",
        "category",
        "service_date",
        "rulebook_version",
        "reverses",
        "reversed",
        "detail",
        "balance_after",
        "recorded_at",
        "position",
    ),
    ("entry_id",),
    indexes=(("volunteer_id", "seq"), ("activity_id",)),
    created_once=True,
)
LEDGER_TABLES = (ACCOUNT, ENTRY)

ELIGIBILITY = Table(
    "rm_eligibility",
    (
        "volunteer_id",
        "name",
        "township",
        "credited_hours",
        "lifetime_points",
        "star_reached",
        "star_certified",
        "courtesy_tier",
        "commendations",
        "position",
        # JSON {commendation id: period} of the commendations held (one per period).
        "commendation_periods",
    ),
    ("volunteer_id",),
    mirrored=True,
)
ELIGIBILITY_TABLES = (ELIGIBILITY,)

# ``level``: a station's (banner_centre, township, village); a team's is empty. Stations
# named by free text before the register (events of class version 1) rank as township ones.
RANK_UNIT = Table(
    "rk_unit",
    ("unit_kind", "unit_id", "name", "level", "position"),
    ("unit_kind", "unit_id"),
    mirrored=True,
)
RANK_ACTIVITY = Table(
    "rk_activity",
    (
        "activity_id",
        "team_id",
        "station",
        "start_date",
        "ends_at",
        "status",
        "feedback_n",
        "satisfaction_sum",
        "media_points",
        "position",
    ),
    ("activity_id",),
    mirrored=True,
    indexes=(("start_date",),),
)
RANK_AWARD = Table(
    "rk_award",
    ("entry_id", "activity_id", "volunteer_id", "hours", "reversed", "position"),
    ("entry_id",),
    indexes=(("activity_id",),),
    created_once=True,
)
RANKING_TABLES = (RANK_UNIT, RANK_ACTIVITY, RANK_AWARD)

POLICY = Table(
    "in_policy",
    (
        "volunteer_id",
        "policy_number",
        "insurer",
        "kind",
        "covers_from",
        "covers_to",
        "sum_insured",
        "cancelled",
        "position",
    ),
    ("volunteer_id", "policy_number"),
)
PARTICIPATION = Table(
    "in_participation",
    (
        "activity_id",
        "volunteer_id",
        "service_date",
        "category",
        "award_policy",
        "flagged",
        "position",
    ),
    ("activity_id", "volunteer_id"),
    indexes=(("volunteer_id",), ("service_date",)),
    created_once=True,
)
INSURED_ACTIVITY = Table(
    "in_activity",
    ("activity_id", "title", "category", "status", "position"),
    ("activity_id",),
    mirrored=True,
)
INSURANCE_TABLES = (POLICY, PARTICIPATION, INSURED_ACTIVITY)

AUDIT_EVENT = Table(
    "au_event",
    (
        "position",
        "aggregate_id",
        "aggregate_version",
        "aggregate_type",
        "event_type",
        "actor_id",
        "actor_role",
        "correlation_id",
        "recorded_at",
        "request_id",  # added later: a store's table gets the column at start (add_columns)
    ),
    ("position",),
    indexes=(("aggregate_id",), ("actor_id",), ("event_type",), ("recorded_at",)),
    created_once=True,
    append_only=True,
)
AUDIT_TABLES = (AUDIT_EVENT,)

# Needs raised at stations and what became of them; the project library; the activities
# that name a project. Dates and times in UTC ISO text; lists as JSON text.
NEED = Table(
    "rm_need",
    (
        "need_id",
        "township",
        "station_id",
        "beneficiary_type",
        "category",
        "description",
        "raised_by_name",
        "raised_by_contact",
        "status",
        "raised_at",
        "closed_at",
        "activity_id",
        "project_id",
        "outcome",
        "decline_reason",
        "position",
    ),
    ("need_id",),
    indexes=(("status", "township"), ("station_id",), ("project_id",)),
)
PROJECT = Table(
    "rm_project",
    (
        "project_id",
        "title",
        "category",
        "description",
        "team_id",
        "township",
        "need_ids",
        "target_beneficiaries",
        "status",
        "drafted_at",
        "close_reason",
        "position",
    ),
    ("project_id",),
    indexes=(("status",),),
)
PROJECT_ACTIVITY = Table(
    "rm_project_activity",
    ("activity_id", "project_id", "title", "start_date", "position"),
    ("activity_id",),
    indexes=(("project_id",),),
    created_once=True,
)
NEED_TABLES = (NEED, PROJECT, PROJECT_ACTIVITY)
# Courtesy vouchers: one per redemption of a rulebook benefit, and whether it was used.
VOUCHER = Table(
    "rm_voucher",
    (
        "voucher_code",
        "entry_id",
        "volunteer_id",
        "benefit_code",
        "benefit",
        "points",
        "issued_at",
        "issued_by",
        "used",
        "used_at",
        "used_by",
        "position",
    ),
    ("voucher_code",),
    indexes=(("volunteer_id",),),
)
# Media coverage, one row per report, in the order recorded on each activity.
MEDIA = Table(
    "rm_media",
    ("activity_id", "seq", "outlet", "level", "url", "published_on", "recorded_at", "position"),
    ("activity_id", "seq"),
    indexes=(("published_on",),),
)
