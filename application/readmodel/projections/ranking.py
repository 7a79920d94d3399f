"""Ranking facts projection: units, activities and the awards standing on them.

Scores are computed from these facts per period at query time, by the pure formula
in ``domain.ranking``.
"""

from __future__ import annotations

from typing import Any

from application.readmodel.base import Projection, handles
from application.readmodel.events import (
    ACTIVITY_EVENTS,
    AUDIT_EVENTS,
    DECISION_EVENTS,
    INSURANCE_EVENTS,
    NEED_EVENTS,
    STATION_EVENTS,
    TEAM_EVENTS,
    VOLUNTEER_STATUS_EVENTS,
    VOUCHER_EVENTS,
)
from application.readmodel.store import RowStore
from application.readmodel.tables import RANK_ACTIVITY, RANK_AWARD, RANK_UNIT
from application.readmodel.values import dec, enum, media_points, num, rating_counts, text
from domain.activity import ServiceActivity
from domain.station import Station
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer

_RANKED_ACTIVITY_EVENTS = frozenset(
    {
        ServiceActivity.Planned,
        ServiceActivity.Completed,
        ServiceActivity.Verified,
        ServiceActivity.Cancelled,
        ServiceActivity.FeedbackRecorded,
        ServiceActivity.MediaCoverageRecorded,
    }
)


class RankingProjection(Projection):
    name = "ranking"
    weight = 2
    tables = (RANK_UNIT, RANK_ACTIVITY, RANK_AWARD)
    ignored = (
        AUDIT_EVENTS
        | NEED_EVENTS
        | VOUCHER_EVENTS
        | (STATION_EVENTS - {Station.Registered, Station.Renamed})
        | (TEAM_EVENTS - {VolunteerTeam.Formed})
        | (ACTIVITY_EVENTS - _RANKED_ACTIVITY_EVENTS)
        | VOLUNTEER_STATUS_EVENTS
        | DECISION_EVENTS
        | INSURANCE_EVENTS
        | {
            Volunteer.Registered,
            Volunteer.ProfileUpdated,
            Volunteer.TrainingCompleted,
            Volunteer.PointsRedeemed,
        }
    )

    def _unit(
        self, store: RowStore, kind: str, unit_id: str, name: str, level: str, position: int
    ) -> None:
        if store.get(RANK_UNIT, (kind, unit_id)) is None:
            store.upsert(
                RANK_UNIT,
                {
                    "unit_kind": kind,
                    "unit_id": unit_id,
                    "name": name,
                    "level": level,
                    "position": position,
                },
            )

    @handles
    def _station(self, store: RowStore, e: Station.Registered, position: int) -> None:
        self._unit(store, "station", text(e.originator_id), e.name, enum(e.level), position)

    @handles
    def _station_renamed(self, store: RowStore, e: Station.Renamed, position: int) -> None:
        store.update(
            RANK_UNIT, ("station", text(e.originator_id)), {"name": e.name, "position": position}
        )

    @handles
    def _formed(self, store: RowStore, e: VolunteerTeam.Formed, position: int) -> None:
        self._unit(store, "team", text(e.originator_id), e.name, "", position)
        if e.station_id is None and e.station:
            # Before the register (class version 1): a free-text station, ranked as a
            # township station under its name.
            self._unit(store, "station", e.station, e.station, "township", position)

    @handles
    def _planned(self, store: RowStore, e: ServiceActivity.Planned, position: int) -> None:
        if e.station_id is None:
            station = e.station
            self._unit(store, "station", station, station, "township", position)
        else:
            station = text(e.station_id)
        store.upsert(
            RANK_ACTIVITY,
            {
                "activity_id": text(e.originator_id),
                "team_id": text(e.team_id),
                "station": station,
                "start_date": e.window.local_date(self.latest.utc_offset).isoformat(),
                "ends_at": e.window.end.isoformat(),
                "status": "planned",
                "feedback_n": 0,
                "satisfaction_sum": 0,
                "media_points": "0",
                "position": position,
            },
        )

    def _status(self, store: RowStore, e: Any, position: int, status: str) -> None:
        store.update(
            RANK_ACTIVITY, (text(e.originator_id),), {"status": status, "position": position}
        )

    @handles
    def _completed(self, store: RowStore, e: ServiceActivity.Completed, position: int) -> None:
        self._status(store, e, position, "completed")

    @handles
    def _verified(self, store: RowStore, e: ServiceActivity.Verified, position: int) -> None:
        self._status(store, e, position, "verified")

    @handles
    def _cancelled(self, store: RowStore, e: ServiceActivity.Cancelled, position: int) -> None:
        self._status(store, e, position, "cancelled")

    @handles
    def _feedback(
        self, store: RowStore, e: ServiceActivity.FeedbackRecorded, position: int
    ) -> None:
        """A counted rating enters its activity's mean, in the activity's period whenever it
        was given; one out of the feedback window (or a version 1 rating recorded after it)
        never does."""
        key = (text(e.originator_id),)
        row = store.get(RANK_ACTIVITY, key) or {}
        if not rating_counts(self.rulebook, e, row.get("start_date"), row.get("ends_at")):
            return
        store.update(
            RANK_ACTIVITY,
            key,
            {
                "feedback_n": int(row.get("feedback_n", 0)) + 1,
                "satisfaction_sum": int(row.get("satisfaction_sum", 0)) + e.satisfaction,
                "position": position,
            },
        )

    @handles
    def _media(
        self, store: RowStore, e: ServiceActivity.MediaCoverageRecorded, position: int
    ) -> None:
        key = (text(e.originator_id),)
        row = store.get(RANK_ACTIVITY, key) or {}
        total = dec(row.get("media_points")) + media_points(
            self.rulebook, row.get("start_date"), e.coverage.level
        )
        store.update(RANK_ACTIVITY, key, {"media_points": num(total), "position": position})

    @handles
    def _awarded(self, store: RowStore, e: Volunteer.PointsAwarded, position: int) -> None:
        store.upsert(
            RANK_AWARD,
            {
                "entry_id": text(e.entry_id),
                "activity_id": text(e.activity_id),
                "volunteer_id": text(e.originator_id),
                "hours": num(e.hours),
                "reversed": 0,
                "position": position,
            },
        )

    @handles
    def _reversed(self, store: RowStore, e: Volunteer.PointsReversed, position: int) -> None:
        store.update(RANK_AWARD, (text(e.reverses),), {"reversed": 1, "position": position})
