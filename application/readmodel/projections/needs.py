"""Needs and project library projection: needs with their status, the library's projects,
and the activities that name a project."""

from __future__ import annotations

import json

from application.readmodel.base import Projection, handles
from application.readmodel.events import (
    ACTIVITY_EVENTS,
    AUDIT_EVENTS,
    DECISION_EVENTS,
    INSURANCE_EVENTS,
    STATION_EVENTS,
    TEAM_EVENTS,
    VOLUNTEER_STATUS_EVENTS,
    VOUCHER_EVENTS,
)
from application.readmodel.store import RowStore
from application.readmodel.tables import NEED, PROJECT, PROJECT_ACTIVITY
from application.readmodel.values import enum, ident, iso, text
from domain.activity import ServiceActivity
from domain.need import Need
from domain.project import Project
from domain.volunteer import Volunteer


class NeedsProjection(Projection):
    name = "needs"
    weight = 1
    tables = (NEED, PROJECT, PROJECT_ACTIVITY)
    ignored = (
        AUDIT_EVENTS
        | VOUCHER_EVENTS
        | STATION_EVENTS
        | TEAM_EVENTS
        | (ACTIVITY_EVENTS - {ServiceActivity.Planned})
        | VOLUNTEER_STATUS_EVENTS
        | DECISION_EVENTS
        | INSURANCE_EVENTS
        | {
            Volunteer.Registered,
            Volunteer.ProfileUpdated,
            Volunteer.TrainingCompleted,
            Volunteer.PointsAwarded,
            Volunteer.PointsRedeemed,
            Volunteer.PointsReversed,
        }
    )

    # ---------------------------------------------------------------- needs

    @handles
    def _raised(self, store: RowStore, e: Need.Raised, position: int) -> None:
        store.upsert(
            NEED,
            {
                "need_id": text(e.originator_id),
                "township": e.township,
                "station_id": text(e.station_id),
                "beneficiary_type": enum(e.beneficiary_type),
                "category": e.category,
                "description": e.description,
                "raised_by_name": e.raised_by_name,
                "raised_by_contact": e.raised_by_contact,
                "status": "open",
                "raised_at": iso(e.timestamp),
                "closed_at": None,
                "activity_id": None,
                "project_id": None,
                "outcome": None,
                "decline_reason": None,
                "position": position,
            },
        )

    @handles
    def _met(self, store: RowStore, e: Need.Met, position: int) -> None:
        store.update(
            NEED,
            (text(e.originator_id),),
            {
                "status": "met",
                "closed_at": iso(e.timestamp),
                "activity_id": text(e.activity_id),
                "project_id": ident(e.project_id),
                "outcome": e.outcome,
                "position": position,
            },
        )

    @handles
    def _declined(self, store: RowStore, e: Need.Declined, position: int) -> None:
        store.update(
            NEED,
            (text(e.originator_id),),
            {
                "status": "declined",
                "closed_at": iso(e.timestamp),
                "decline_reason": e.reason,
                "position": position,
            },
        )

    # ---------------------------------------------------------------- projects

    @handles
    def _drafted(self, store: RowStore, e: Project.Drafted, position: int) -> None:
        store.upsert(
            PROJECT,
            {
                "project_id": text(e.originator_id),
                "title": e.title,
                "category": e.category.code,
                "description": e.description,
                "team_id": text(e.team_id),
                "township": e.township,
                "need_ids": json.dumps([text(n) for n in e.need_ids]),
                "target_beneficiaries": json.dumps([enum(b) for b in e.target_beneficiaries]),
                "status": "draft",
                "drafted_at": iso(e.timestamp),
                "close_reason": None,
                "position": position,
            },
        )

    @handles
    def _activated(self, store: RowStore, e: Project.Activated, position: int) -> None:
        store.update(PROJECT, (text(e.originator_id),), {"status": "active", "position": position})

    @handles
    def _closed(self, store: RowStore, e: Project.Closed, position: int) -> None:
        store.update(
            PROJECT,
            (text(e.originator_id),),
            {"status": "closed", "close_reason": e.reason, "position": position},
        )

    @handles
    def _planned(self, store: RowStore, e: ServiceActivity.Planned, position: int) -> None:
        if e.project_id is None:
            return
        store.upsert(
            PROJECT_ACTIVITY,
            {
                "activity_id": text(e.originator_id),
                "project_id": text(e.project_id),
                "title": e.title,
                "start_date": e.window.local_date(self.latest.utc_offset).isoformat(),
                "position": position,
            },
        )
