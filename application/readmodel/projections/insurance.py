"""Insurance coverage projection: policies, each participation and the award's recorded cover."""

from __future__ import annotations

from typing import Any

from application.readmodel.base import Projection, handles
from application.readmodel.events import (
    ACTIVITY_EVENTS,
    AUDIT_EVENTS,
    DECISION_EVENTS,
    NEED_EVENTS,
    STATION_EVENTS,
    TEAM_EVENTS,
    VOLUNTEER_STATUS_EVENTS,
    VOUCHER_EVENTS,
)
from application.readmodel.store import RowStore
from application.readmodel.tables import INSURED_ACTIVITY, PARTICIPATION, POLICY
from application.readmodel.values import enum, interval_texts, num, text
from domain.activity import ServiceActivity
from domain.volunteer import Volunteer

_INSURED_ACTIVITY_EVENTS = frozenset(
    {
        ServiceActivity.Planned,
        ServiceActivity.Completed,
        ServiceActivity.Cancelled,
        ServiceActivity.HoursRecorded,
        ServiceActivity.AttendanceCorrected,
    }
)


class InsuranceProjection(Projection):
    name = "insurance"
    weight = 3
    tables = (POLICY, PARTICIPATION, INSURED_ACTIVITY)
    ignored = (
        AUDIT_EVENTS
        | NEED_EVENTS
        | VOUCHER_EVENTS
        | STATION_EVENTS
        | TEAM_EVENTS
        | (ACTIVITY_EVENTS - _INSURED_ACTIVITY_EVENTS)
        | VOLUNTEER_STATUS_EVENTS
        | DECISION_EVENTS
        | {
            Volunteer.Registered,
            Volunteer.ProfileUpdated,
            Volunteer.TrainingCompleted,
            Volunteer.PointsRedeemed,
            Volunteer.PointsReversed,
        }
    )

    @handles
    def _recorded(self, store: RowStore, e: Volunteer.InsuranceRecorded, position: int) -> None:
        p = e.policy
        store.upsert(
            POLICY,
            {
                "volunteer_id": text(e.originator_id),
                "policy_number": p.policy_number,
                "insurer": p.insurer,
                "kind": enum(p.kind),
                "covers_from": p.covers_from.isoformat(),
                "covers_to": p.covers_to.isoformat(),
                "sum_insured": num(p.sum_insured),
                "cancelled": 0,
                "position": position,
            },
        )

    @handles
    def _cancelled_policy(
        self, store: RowStore, e: Volunteer.InsuranceCancelled, position: int
    ) -> None:
        store.update(
            POLICY,
            (text(e.originator_id), e.policy_number),
            {"cancelled": 1, "position": position},
        )

    @handles
    def _planned(self, store: RowStore, e: ServiceActivity.Planned, position: int) -> None:
        store.upsert(
            INSURED_ACTIVITY,
            {
                "activity_id": text(e.originator_id),
                "title": e.title,
                "category": e.category.code,
                "status": "planned",
                "position": position,
            },
        )

    def _status(self, store: RowStore, e: Any, position: int, status: str) -> None:
        store.update(
            INSURED_ACTIVITY, (text(e.originator_id),), {"status": status, "position": position}
        )

    @handles
    def _completed(self, store: RowStore, e: ServiceActivity.Completed, position: int) -> None:
        self._status(store, e, position, "completed")

    @handles
    def _cancelled(self, store: RowStore, e: ServiceActivity.Cancelled, position: int) -> None:
        self._status(store, e, position, "cancelled")

    def _participation(self, store: RowStore, e: Any, position: int) -> None:
        activity_id = text(e.originator_id)
        activity = store.get(INSURED_ACTIVITY, (activity_id,)) or {}
        offset = self.latest.utc_offset
        store.upsert(
            PARTICIPATION,
            {
                "activity_id": activity_id,
                "volunteer_id": text(e.volunteer_id),
                "service_date": interval_texts(e.interval, offset)[2],
                "category": activity.get("category"),
                "award_policy": None,
                "flagged": 0,
                "position": position,
            },
        )

    @handles
    def _hours(self, store: RowStore, e: ServiceActivity.HoursRecorded, position: int) -> None:
        self._participation(store, e, position)

    @handles
    def _corrected(
        self, store: RowStore, e: ServiceActivity.AttendanceCorrected, position: int
    ) -> None:
        offset = self.latest.utc_offset
        store.update(
            PARTICIPATION,
            (text(e.originator_id), text(e.volunteer_id)),
            {"service_date": interval_texts(e.interval, offset)[2], "position": position},
        )

    @handles
    def _awarded(self, store: RowStore, e: Volunteer.PointsAwarded, position: int) -> None:
        store.update(
            PARTICIPATION,
            (text(e.activity_id), text(e.originator_id)),
            {
                "award_policy": e.insurance_policy,
                "flagged": int(e.uninsured_flag),
                "position": position,
            },
        )
