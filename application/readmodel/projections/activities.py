"""The directory's activity rows and their participants: planning, sign-ups, attendance,
corrections (four eyes), ratings, people served and media coverage.

Handlers only: :class:`~application.readmodel.projections.directory.DirectoryProjection`
(and the review's registers) inherit them and name the tables and what they ignore."""

from __future__ import annotations

import json
from typing import Any

from application.readmodel.base import Projection, handles
from application.readmodel.store import RowStore
from application.readmodel.tables import (
    ACTIVITY,
    CORRECTION,
    FEEDBACK,
    PARTICIPANT,
)
from application.readmodel.values import (
    dec,
    enum,
    ident,
    interval_texts,
    iso,
    media_points,
    num,
    rating_counts,
    text,
)
from domain.activity import ServiceActivity


class ActivityRegister(Projection):
    """The directory's handlers of activity events (a part of the directory, not a projection
    of its own: it has no name or tables)."""

    # ---------------------------------------------------------------- activities

    @handles
    def _planned(self, store: RowStore, e: ServiceActivity.Planned, position: int) -> None:
        offset = self.latest.utc_offset
        store.upsert(
            ACTIVITY,
            {
                "activity_id": text(e.originator_id),
                "title": e.title,
                "category": e.category.code,
                "team_id": text(e.team_id),
                "township": e.township,
                "station": e.station,
                "station_id": ident(e.station_id),
                "location": e.location,
                "starts_at": e.window.start.isoformat(),
                "ends_at": e.window.end.isoformat(),
                "start_date": e.window.local_date(offset).isoformat(),
                "status": "planned",
                "capacity": e.capacity,
                "signups": 0,
                "participants": 0,
                "beneficiaries": "{}",
                "feedback_n": 0,
                "satisfaction_sum": 0,
                "feedback_uncounted": 0,
                "media_points": "0",
                "verified_by": None,
                "verified_position": None,
                "position": position,
            },
        )

    def _activity(self, store: RowStore, e: Any) -> dict[str, Any]:
        return store.get(ACTIVITY, (text(e.originator_id),)) or {}

    def _activity_changed(self, store: RowStore, e: Any, position: int, **changes: Any) -> None:
        store.update(ACTIVITY, (text(e.originator_id),), {**changes, "position": position})

    @handles
    def _published(self, store: RowStore, e: ServiceActivity.Published, position: int) -> None:
        self._activity_changed(store, e, position, status="published")

    @handles
    def _completed(self, store: RowStore, e: ServiceActivity.Completed, position: int) -> None:
        self._activity_changed(store, e, position, status="completed")

    @handles
    def _cancelled(self, store: RowStore, e: ServiceActivity.Cancelled, position: int) -> None:
        self._activity_changed(store, e, position, status="cancelled")

    @handles
    def _verified(self, store: RowStore, e: ServiceActivity.Verified, position: int) -> None:
        self._activity_changed(
            store,
            e,
            position,
            status="verified",
            verified_by=e.actor.user_id,
            verified_position=position,
        )

    @handles
    def _signed_up(
        self, store: RowStore, e: ServiceActivity.VolunteerSignedUp, position: int
    ) -> None:
        store.upsert(
            PARTICIPANT,
            {
                "activity_id": text(e.originator_id),
                "volunteer_id": text(e.volunteer_id),
                "signed_up": 1,
                "started_at": None,
                "ended_at": None,
                "service_date": None,
                "source": None,
                "attendance_version": 0,
                "recorded_by": None,
                "entry_id": None,
                "position": position,
            },
        )
        signups = int(self._activity(store, e).get("signups", 0)) + 1
        self._activity_changed(store, e, position, signups=signups)

    @handles
    def _withdrew(
        self, store: RowStore, e: ServiceActivity.VolunteerWithdrew, position: int
    ) -> None:
        store.delete(PARTICIPANT, (text(e.originator_id), text(e.volunteer_id)))
        signups = int(self._activity(store, e).get("signups", 1)) - 1
        self._activity_changed(store, e, position, signups=signups)

    def _attendance(self, store: RowStore, e: Any, position: int, **extra: Any) -> None:
        started, ended, served = interval_texts(e.interval, self.latest.utc_offset)
        store.update(
            PARTICIPANT,
            (text(e.originator_id), text(e.volunteer_id)),
            {
                "started_at": started,
                "ended_at": ended,
                "service_date": served,
                "attendance_version": e.attendance_version,
                "recorded_by": e.actor.user_id,
                "position": position,
                **extra,
            },
        )

    @handles
    def _hours(self, store: RowStore, e: ServiceActivity.HoursRecorded, position: int) -> None:
        self._attendance(store, e, position, source=enum(e.source))
        participants = int(self._activity(store, e).get("participants", 0)) + 1
        self._activity_changed(store, e, position, participants=participants)

    @handles
    def _corrected(
        self, store: RowStore, e: ServiceActivity.AttendanceCorrected, position: int
    ) -> None:
        extra = {"entry_id": text(e.new_award)} if e.new_award is not None else {}
        self._attendance(store, e, position, **extra)

    # ---------------------------------------------------------------- corrections (four eyes)

    @handles
    def _proposed(
        self, store: RowStore, e: ServiceActivity.CorrectionProposed, position: int
    ) -> None:
        store.upsert(
            CORRECTION,
            {
                "activity_id": text(e.originator_id),
                "correction_id": text(e.correction_id),
                "volunteer_id": text(e.volunteer_id),
                "started_at": e.interval.start.isoformat(),
                "ended_at": e.interval.end.isoformat(),
                "reason": e.reason,
                "status": "proposed",
                "proposed_by": e.actor.user_id,
                "proposed_at": iso(e.timestamp),
                "decided_by": None,
                "decided_at": None,
                "decision_reason": None,
                "position": position,
            },
        )

    def _decided(self, store: RowStore, e: Any, position: int, status: str, reason: Any) -> None:
        store.update(
            CORRECTION,
            (text(e.originator_id), text(e.correction_id)),
            {
                "status": status,
                "decided_by": e.actor.user_id,
                "decided_at": iso(e.timestamp),
                "decision_reason": reason,
                "position": position,
            },
        )

    @handles
    def _approved(
        self, store: RowStore, e: ServiceActivity.CorrectionApproved, position: int
    ) -> None:
        self._decided(store, e, position, "approved", None)

    @handles
    def _rejected(
        self, store: RowStore, e: ServiceActivity.CorrectionRejected, position: int
    ) -> None:
        self._decided(store, e, position, "rejected", e.reason)

    @handles
    def _feedback(
        self, store: RowStore, e: ServiceActivity.FeedbackRecorded, position: int
    ) -> None:
        """Every rating is listed; only counted ones enter the activity's mean (feedback_n,
        satisfaction_sum), the others are counted apart as flagged."""
        row = self._activity(store, e)
        counted = rating_counts(self.rulebook, e, row.get("start_date"), row.get("ends_at"))
        rater = e.rater
        store.upsert(
            FEEDBACK,
            {
                "activity_id": text(e.originator_id),
                "seq": e.originator_version,
                "satisfaction": e.satisfaction,
                "comment": e.comment,
                "rater_type": None
                if rater is None or rater.beneficiary_type is None
                else enum(rater.beneficiary_type),
                "rater_reference": None if rater is None else rater.reference,
                "anonymous": int(rater is not None and rater.anonymous),
                "given_on": None if e.given_on is None else e.given_on.isoformat(),
                "counted": int(counted),
                "recorded_by": e.actor.user_id,
                "recorded_at": iso(e.timestamp),
                "position": position,
            },
        )
        if counted:
            changes = {
                "feedback_n": int(row.get("feedback_n", 0)) + 1,
                "satisfaction_sum": int(row.get("satisfaction_sum", 0)) + e.satisfaction,
            }
        else:
            changes = {"feedback_uncounted": int(row.get("feedback_uncounted") or 0) + 1}
        self._activity_changed(store, e, position, **changes)

    @handles
    def _served(
        self, store: RowStore, e: ServiceActivity.BeneficiariesServed, position: int
    ) -> None:
        counts = json.loads(self._activity(store, e).get("beneficiaries") or "{}")
        for kind, n in e.counts.items():
            counts[kind] = counts.get(kind, 0) + n
        self._activity_changed(store, e, position, beneficiaries=json.dumps(counts, sort_keys=True))

    @handles
    def _media(
        self, store: RowStore, e: ServiceActivity.MediaCoverageRecorded, position: int
    ) -> None:
        row = self._activity(store, e)
        points = media_points(self.rulebook, row.get("start_date"), e.coverage.level)
        total = dec(row.get("media_points")) + points
        self._activity_changed(store, e, position, media_points=num(total))
