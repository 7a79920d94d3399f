"""Directory projection: teams and members, volunteers, activities and their participants."""

from __future__ import annotations

import json
from typing import Any

from application.readmodel.base import handles
from application.readmodel.events import (
    AUDIT_EVENTS,
    DECISION_EVENTS,
    INSURANCE_EVENTS,
    NEED_EVENTS,
    VOUCHER_EVENTS,
)
from application.readmodel.projections.activities import ActivityRegister
from application.readmodel.store import RowStore
from application.readmodel.tables import (
    ACTIVITY,
    CORRECTION,
    FEEDBACK,
    PARTICIPANT,
    STATION,
    TEAM,
    TEAM_MEMBER,
    VOLUNTEER,
)
from application.readmodel.values import (
    enum,
    ident,
    iso,
    text,
)
from domain.station import Station
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer


class DirectoryProjection(ActivityRegister):
    name = "directory"
    weight = 6
    tables = (TEAM, TEAM_MEMBER, VOLUNTEER, ACTIVITY, PARTICIPANT, STATION, CORRECTION, FEEDBACK)
    ignored = (
        AUDIT_EVENTS
        | NEED_EVENTS
        | VOUCHER_EVENTS
        | DECISION_EVENTS
        | INSURANCE_EVENTS
        | {
            Volunteer.TrainingCompleted,
            Volunteer.PointsRedeemed,
            Volunteer.PointsReversed,
            VolunteerTeam.Commended,
        }
    )

    # ---------------------------------------------------------------- stations

    @handles
    def _station_registered(self, store: RowStore, e: Station.Registered, position: int) -> None:
        store.upsert(
            STATION,
            {
                "station_id": text(e.originator_id),
                "name": e.name,
                "level": enum(e.level),
                "township": e.township,
                "parent_id": ident(e.parent_id),
                "closed": 0,
                "close_reason": None,
                "registered_at": iso(e.timestamp),
                "position": position,
            },
        )

    @handles
    def _station_renamed(self, store: RowStore, e: Station.Renamed, position: int) -> None:
        store.update(STATION, (text(e.originator_id),), {"name": e.name, "position": position})

    @handles
    def _station_closed(self, store: RowStore, e: Station.Closed, position: int) -> None:
        store.update(
            STATION,
            (text(e.originator_id),),
            {"closed": 1, "close_reason": e.reason, "position": position},
        )

    # ---------------------------------------------------------------- teams

    @handles
    def _formed(self, store: RowStore, e: VolunteerTeam.Formed, position: int) -> None:
        store.upsert(
            TEAM,
            {
                "team_id": text(e.originator_id),
                "name": e.name,
                "level": enum(e.level),
                "township": e.township,
                "station": e.station,
                "station_id": ident(e.station_id),
                "dissolved": 0,
                "member_count": 0,
                "leader_id": None,
                "formed_at": iso(e.timestamp),
                "position": position,
            },
        )

    def _team_changed(self, store: RowStore, team_id: str, position: int, **changes: Any) -> None:
        store.update(TEAM, (team_id,), {**changes, "position": position})

    @handles
    def _enrolled(self, store: RowStore, e: VolunteerTeam.MemberEnrolled, position: int) -> None:
        team_id = text(e.originator_id)
        store.upsert(
            TEAM_MEMBER,
            {
                "team_id": team_id,
                "volunteer_id": text(e.volunteer_id),
                "role": enum(e.role),
                "position": position,
            },
        )
        team = store.get(TEAM, (team_id,)) or {}
        changes: dict[str, Any] = {"member_count": int(team.get("member_count", 0)) + 1}
        if e.role.value == "leader":
            changes["leader_id"] = text(e.volunteer_id)
        self._team_changed(store, team_id, position, **changes)

    @handles
    def _left(self, store: RowStore, e: VolunteerTeam.MemberLeft, position: int) -> None:
        team_id, member = text(e.originator_id), text(e.volunteer_id)
        store.delete(TEAM_MEMBER, (team_id, member))
        team = store.get(TEAM, (team_id,)) or {}
        changes: dict[str, Any] = {"member_count": int(team.get("member_count", 1)) - 1}
        if team.get("leader_id") == member:
            changes["leader_id"] = None
        self._team_changed(store, team_id, position, **changes)

    @handles
    def _leader(self, store: RowStore, e: VolunteerTeam.LeaderAppointed, position: int) -> None:
        team_id = text(e.originator_id)
        if e.previous is not None:
            store.update(
                TEAM_MEMBER, (team_id, text(e.previous)), {"role": "member", "position": position}
            )
        store.update(
            TEAM_MEMBER, (team_id, text(e.volunteer_id)), {"role": "leader", "position": position}
        )
        self._team_changed(store, team_id, position, leader_id=text(e.volunteer_id))

    @handles
    def _dissolved(self, store: RowStore, e: VolunteerTeam.Dissolved, position: int) -> None:
        self._team_changed(store, text(e.originator_id), position, dissolved=1)

    # ---------------------------------------------------------------- volunteers

    @handles
    def _registered(self, store: RowStore, e: Volunteer.Registered, position: int) -> None:
        store.upsert(
            VOLUNTEER,
            {
                "volunteer_id": text(e.originator_id),
                "name": e.name,
                "national_id": e.national_id,
                "phone": e.phone,
                "person_type": enum(e.person_type),
                "township": e.township,
                "skills": json.dumps(list(e.skills), ensure_ascii=False),
                "status": "active",
                "registered_at": iso(e.timestamp),
                "position": position,
            },
        )

    @handles
    def _profile(self, store: RowStore, e: Volunteer.ProfileUpdated, position: int) -> None:
        store.update(
            VOLUNTEER,
            (text(e.originator_id),),
            {
                "phone": e.phone,
                "township": e.township,
                "skills": json.dumps(list(e.skills), ensure_ascii=False),
                "position": position,
            },
        )

    def _status(self, store: RowStore, e: Any, position: int, status: str) -> None:
        store.update(VOLUNTEER, (text(e.originator_id),), {"status": status, "position": position})

    @handles
    def _suspended(self, store: RowStore, e: Volunteer.Suspended, position: int) -> None:
        self._status(store, e, position, "suspended")

    @handles
    def _reinstated(self, store: RowStore, e: Volunteer.Reinstated, position: int) -> None:
        self._status(store, e, position, "active")

    @handles
    def _withdrawn(self, store: RowStore, e: Volunteer.Withdrawn, position: int) -> None:
        self._status(store, e, position, "withdrawn")

    @handles
    def _awarded(self, store: RowStore, e: Volunteer.PointsAwarded, position: int) -> None:
        store.update(
            PARTICIPANT,
            (text(e.activity_id), text(e.originator_id)),
            {"entry_id": text(e.entry_id), "position": position},
        )
