"""Incentive eligibility projection: star level reached vs certified, courtesy tier, and
the commendations held by period (candidacy for a year is read with the year's service:
:meth:`ReadModels.volunteer_eligibility`)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from application.readmodel.base import Projection, handles
from application.readmodel.events import (
    ACTIVITY_EVENTS,
    AUDIT_EVENTS,
    INSURANCE_EVENTS,
    NEED_EVENTS,
    STATION_EVENTS,
    TEAM_EVENTS,
    VOLUNTEER_STATUS_EVENTS,
    VOUCHER_EVENTS,
)
from application.readmodel.store import RowStore
from application.readmodel.tables import ELIGIBILITY
from application.readmodel.values import dec, num, text
from domain.volunteer import Volunteer


class EligibilityProjection(Projection):
    """Eligibility under the latest rulebook version (rebuild after a rulebook change)."""

    name = "eligibility"
    weight = 2
    tables = (ELIGIBILITY,)
    ignored = (
        AUDIT_EVENTS
        | NEED_EVENTS
        | VOUCHER_EVENTS
        | STATION_EVENTS
        | TEAM_EVENTS
        | ACTIVITY_EVENTS
        | VOLUNTEER_STATUS_EVENTS
        | INSURANCE_EVENTS
        | {Volunteer.ProfileUpdated, Volunteer.PointsRedeemed}
    )

    @handles
    def _registered(self, store: RowStore, e: Volunteer.Registered, position: int) -> None:
        store.upsert(
            ELIGIBILITY,
            {
                "volunteer_id": text(e.originator_id),
                "name": e.name,
                "township": e.township,
                "credited_hours": "0",
                "lifetime_points": "0",
                "star_reached": 0,
                "star_certified": 0,
                "courtesy_tier": None,
                "commendations": 0,
                "position": position,
                "commendation_periods": "{}",
            },
        )

    def _change(
        self,
        store: RowStore,
        e: Any,
        position: int,
        *,
        hours: Decimal = Decimal(0),
        points: Decimal = Decimal(0),
        certified: int | None = None,
        granted: tuple[str, str] | None = None,
        revoked: str | None = None,
    ) -> None:
        key = (text(e.originator_id),)
        row = store.get(ELIGIBILITY, key)
        if row is None:
            raise LookupError(f"eligibility: no volunteer {key[0]} at position {position}")
        rules = self.latest
        credited = dec(row["credited_hours"]) + hours
        lifetime = dec(row["lifetime_points"]) + points
        periods: dict[str, str] = json.loads(row["commendation_periods"] or "{}")
        if granted is not None:
            periods[granted[0]] = granted[1]
        if revoked is not None:
            periods.pop(revoked, None)
        tier = rules.courtesy_tier(lifetime)
        store.update(
            ELIGIBILITY,
            key,
            {
                "credited_hours": num(credited),
                "lifetime_points": num(lifetime),
                "star_reached": rules.star_level(credited),
                "star_certified": int(row["star_certified"]) if certified is None else certified,
                "courtesy_tier": tier,
                "commendations": len(periods),
                "position": position,
                "commendation_periods": json.dumps(periods, sort_keys=True),
            },
        )

    @handles
    def _awarded(self, store: RowStore, e: Volunteer.PointsAwarded, position: int) -> None:
        self._change(store, e, position, hours=e.hours, points=e.points)

    @handles
    def _reversed(self, store: RowStore, e: Volunteer.PointsReversed, position: int) -> None:
        self._change(store, e, position, hours=-e.hours, points=-e.points)

    @handles
    def _training(self, store: RowStore, e: Volunteer.TrainingCompleted, position: int) -> None:
        self._change(store, e, position, points=e.points)

    @handles
    def _certified(self, store: RowStore, e: Volunteer.StarLevelCertified, position: int) -> None:
        self._change(store, e, position, certified=e.level)

    @handles
    def _granted(self, store: RowStore, e: Volunteer.CommendationGranted, position: int) -> None:
        granted = (text(e.commendation_id), str(e.period).strip())
        self._change(store, e, position, granted=granted)

    @handles
    def _revoked(self, store: RowStore, e: Volunteer.CommendationRevoked, position: int) -> None:
        self._change(store, e, position, revoked=text(e.commendation_id))
