"""The ServiceActivity aggregate: the events recorded about one activity, from planning to
verification, and the state they build.

What an activity may be asked to do is decided by concern (``domain.activity_commands``
lists the commands and the modules deciding them). Each event's method below only applies
the event: the library replays stored events through them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.activity_attendance import Attendance
from domain.activity_commands import ServiceActivityCommands
from domain.activity_corrections import CorrectionProposal
from domain.awards import AwardRef
from domain.copying import CopiedOnLoad
from domain.values import (
    ActivityStatus,
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaCoverage,
    Rater,
)

__all__ = ["Attendance", "CorrectionProposal", "ServiceActivity"]

T = "volunteer-ledger:ServiceActivity"


class ServiceActivity(ServiceActivityCommands, CopiedOnLoad, Aggregate):
    """One volunteer service activity. Enforces capacity, the window and four-eyes verification."""

    TOPIC = T

    class Created(Aggregate.Created):
        """The library's generic creation event, unused here but needing a topic of its own."""

        TOPIC = f"{T}.Created"

    class Planned(Aggregate.Created):
        """Version 2 names the registered station (``station_id``) besides its name;
        version 1 activities named a free-text station only. Version 3 names the project of
        the library the activity serves (``project_id``, None for none); earlier activities
        served none."""

        TOPIC = f"{T}.Planned"
        class_version = 3
        title: str
        category: Category
        team_id: UUID
        township: str
        station: str
        station_id: UUID | None
        location: str
        window: Interval
        beneficiary_types: list[BeneficiaryType]
        capacity: int
        project_id: UUID | None
        actor: Actor

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["station_id"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["project_id"] = None

    @event(Planned)
    def __init__(
        self,
        title: str,
        category: Category,
        team_id: UUID,
        township: str,
        station: str,
        station_id: UUID | None,
        location: str,
        window: Interval,
        beneficiary_types: list[BeneficiaryType],
        capacity: int,
        project_id: UUID | None,
        actor: Actor,
    ) -> None:
        self.title = title
        self.project_id = project_id
        self.category = category
        self.team_id = team_id
        self.township = township
        self.station = station
        self.station_id = station_id
        self.location = location
        self.window = window
        self.beneficiary_types = list(beneficiary_types)
        self.capacity = capacity
        self.status = ActivityStatus.PLANNED
        self.signups: list[UUID] = []
        # Invariant: the same volunteers as ``signups``, for membership checks per sheet row.
        self._signed_up_ids: set[UUID] = set()
        self.attendance: dict[UUID, Attendance] = {}
        # Invariant: everyone who recorded or corrected any hours here (none of them verifies).
        self._recorders: set[str] = set()
        self.beneficiaries: dict[str, int] = {}
        self.satisfaction: list[int] = []
        # Invariant: the key (Rater.key) of every named rater in ``satisfaction``.
        self._raters: set[str] = set()
        self.media: list[MediaCoverage] = []
        self.awards: dict[UUID, UUID] = {}
        self.verified_by: str | None = None
        # Who recorded (or proposed) each participant's hours: none of them may verify,
        # approve a correction of, or reverse the award for those hours.
        self._hours_recorders: dict[UUID, frozenset[str]] = {}
        self.proposals: dict[UUID, CorrectionProposal] = {}

    # ----------------------------------------------------------------- what is recorded

    def participants(self) -> list[UUID]:
        """Volunteers with recorded hours, in sign-up order."""
        return [v for v in self.signups if v in self.attendance]

    def is_signed_up(self, volunteer_id: UUID) -> bool:
        return volunteer_id in self._signed_up_ids

    def recorded_hours_here(self, user_id: str) -> bool:
        """Whether ``user_id`` recorded or corrected anyone's hours on this activity."""
        return user_id in self._recorders

    def recorders_of(self, volunteer_id: UUID) -> frozenset[str]:
        """Everyone who recorded, corrected or proposed a correction of these hours."""
        return self._hours_recorders.get(volunteer_id, frozenset())

    def has_rated(self, rater: Rater) -> bool:
        """Whether this named rater has rated the activity (an anonymous one never has)."""
        key = rater.key
        return key is not None and key in self._raters

    # ----------------------------------------------------------------- events

    @event("Published", topic=f"{T}.Published")
    def _published(self, actor: Actor) -> None:
        self.status = ActivityStatus.PUBLISHED

    @event("VolunteerSignedUp", topic=f"{T}.VolunteerSignedUp")
    def _signed_up(self, volunteer_id: UUID, actor: Actor) -> None:
        self.signups.append(volunteer_id)
        self._signed_up_ids.add(volunteer_id)

    @event("VolunteerWithdrew", topic=f"{T}.VolunteerWithdrew")
    def _signup_withdrawn(self, volunteer_id: UUID, reason: str, actor: Actor) -> None:
        self.signups.remove(volunteer_id)
        self._signed_up_ids.discard(volunteer_id)

    @event("HoursRecorded", topic=f"{T}.HoursRecorded")
    def _hours_recorded(
        self,
        volunteer_id: UUID,
        interval: Interval,
        source: HoursSource,
        attendance_version: int,
        actor: Actor,
    ) -> None:
        self.attendance[volunteer_id] = Attendance(
            interval, source, attendance_version, actor.user_id
        )
        self._recorders.add(actor.user_id)
        self._add_recorder(volunteer_id, actor.user_id)

    def _add_recorder(self, volunteer_id: UUID, user_id: str) -> None:
        self._hours_recorders[volunteer_id] = self.recorders_of(volunteer_id) | {user_id}

    @event("AttendanceCorrected", topic=f"{T}.AttendanceCorrected")
    def _attendance_corrected(
        self,
        volunteer_id: UUID,
        interval: Interval,
        reason: str,
        attendance_version: int,
        new_award: UUID | None,
        actor: Actor,
    ) -> None:
        previous = self.attendance[volunteer_id]
        self.attendance[volunteer_id] = Attendance(
            interval, previous.source, attendance_version, actor.user_id
        )
        self._recorders.add(actor.user_id)
        self._add_recorder(volunteer_id, actor.user_id)
        if new_award is not None:
            self.awards[volunteer_id] = new_award

    @event("CorrectionProposed", topic=f"{T}.CorrectionProposed")
    def _correction_proposed(
        self, correction_id: UUID, volunteer_id: UUID, interval: Interval, reason: str, actor: Actor
    ) -> None:
        self.proposals[correction_id] = CorrectionProposal(
            volunteer_id, interval, reason, actor.user_id
        )
        self._add_recorder(volunteer_id, actor.user_id)

    @event("CorrectionApproved", topic=f"{T}.CorrectionApproved")
    def _correction_approved(self, correction_id: UUID, actor: Actor) -> None:
        self.proposals[correction_id] = replace(
            self.proposals[correction_id], status="approved", decided_by=actor.user_id
        )

    @event("CorrectionRejected", topic=f"{T}.CorrectionRejected")
    def _correction_rejected(self, correction_id: UUID, reason: str, actor: Actor) -> None:
        self.proposals[correction_id] = replace(
            self.proposals[correction_id], status="rejected", decided_by=actor.user_id
        )

    @event("BeneficiariesServed", topic=f"{T}.BeneficiariesServed")
    def _beneficiaries_served(self, counts: dict[str, int], actor: Actor) -> None:
        for kind, n in counts.items():
            self.beneficiaries[kind] = self.beneficiaries.get(kind, 0) + n

    class FeedbackRecorded(Aggregate.Event):
        """Version 2 names the rater, the date the rating was given, whether it counts (given
        within the rulebook's feedback window after the activity ended) and that window.
        Version 1 ratings named none of these: they upcast with no rater, no date and
        ``counted`` None, and the read models decide them by the date they were recorded
        (a rating cannot have been given after it was recorded)."""

        TOPIC = f"{T}.FeedbackRecorded"
        class_version = 2
        satisfaction: int
        comment: str
        rater: Rater | None
        given_on: date | None
        counted: bool | None
        window_days: int | None
        actor: Actor

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["rater"] = None
            state["given_on"] = None
            state["counted"] = None
            state["window_days"] = None

    @event(FeedbackRecorded)
    def _feedback_recorded(
        self,
        satisfaction: int,
        comment: str,
        rater: Rater | None,
        given_on: date | None,
        counted: bool | None,
        window_days: int | None,
        actor: Actor,
    ) -> None:
        self.satisfaction.append(satisfaction)
        key = rater.key if rater is not None else None
        if key is not None:
            self._raters.add(key)

    @event("MediaCoverageRecorded", topic=f"{T}.MediaCoverageRecorded")
    def _media_recorded(self, coverage: MediaCoverage, actor: Actor) -> None:
        self.media.append(coverage)

    @event("Completed", topic=f"{T}.Completed")
    def _completed(self, actor: Actor) -> None:
        self.status = ActivityStatus.COMPLETED

    @event("Verified", topic=f"{T}.Verified")
    def _verified(self, awards: list[AwardRef], actor: Actor) -> None:
        self.status = ActivityStatus.VERIFIED
        self.verified_by = actor.user_id
        for ref in awards:
            self.awards[ref.volunteer_id] = ref.entry_id

    @event("Cancelled", topic=f"{T}.Cancelled")
    def _cancelled(self, reason: str, actor: Actor) -> None:
        self.status = ActivityStatus.CANCELLED

    def state(self) -> dict[str, Any]:
        return dict(vars(self))
