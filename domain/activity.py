"""The ServiceActivity aggregate: one activity on one date range, from planning to verification."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.awards import AwardRef
from domain.copying import CopiedOnLoad
from domain.errors import invalid_value, rule_violation
from domain.values import (
    ActivityStatus,
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaCoverage,
    MediaLevel,
    Rater,
    check_text,
)

T = "volunteer-ledger:ServiceActivity"
_OPEN = (ActivityStatus.PLANNED, ActivityStatus.PUBLISHED)


@dataclass(frozen=True)
class Attendance:
    """A participant's recorded service: the latest interval and who recorded it."""

    interval: Interval
    source: HoursSource
    version: int
    recorded_by: str


@dataclass(frozen=True)
class CorrectionProposal:
    """A correction to a verified participation, waiting for a second person (four eyes)."""

    volunteer_id: UUID
    interval: Interval
    reason: str
    proposed_by: str
    status: str = "proposed"  # proposed | approved | rejected
    decided_by: str | None = None


class ServiceActivity(CopiedOnLoad, Aggregate):
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
        # The same volunteers as a set: membership is checked per row of a sign-in sheet,
        # and a list made a 2,000-row sheet cost millions of comparisons.
        self.signed_up: set[UUID] = set()
        self.attendance: dict[UUID, Attendance] = {}
        self.recorders: set[str] = set()
        self.beneficiaries: dict[str, int] = {}
        self.satisfaction: list[int] = []
        # The named raters (Rater.key) who have rated: one rating each.
        self.raters: set[str] = set()
        self.media: list[MediaCoverage] = []
        self.awards: dict[UUID, UUID] = {}
        self.verified_by: str | None = None
        # Who recorded (or proposed) each participant's hours: none of them may verify,
        # approve a correction of, or reverse the award for those hours.
        self.hours_recorders: dict[UUID, frozenset[str]] = {}
        self.proposals: dict[UUID, CorrectionProposal] = {}

    @classmethod
    def plan(
        cls,
        *,
        title: str,
        category: Category,
        team_id: UUID,
        township: str,
        station: str,
        location: str,
        window: Interval,
        beneficiary_types: list[BeneficiaryType],
        capacity: int,
        actor: Actor,
        station_id: UUID | None = None,
        project_id: UUID | None = None,
    ) -> ServiceActivity:
        """``station``: the name of the station ``station_id`` (registered, open)."""
        for field, value in (("title", title), ("township", township), ("station", station)):
            if not value.strip():
                raise rule_violation("required-field", f"activity {field} must not be empty")
        for field, value in (("title", title), ("township", township), ("station", station)):
            check_text(field, value)
        check_text("location", location, required=False)
        if capacity < 1:
            raise rule_violation("capacity-positive", f"capacity {capacity} must be at least 1")
        if window.duration > timedelta(days=31):
            raise rule_violation(
                "activity-window", f"activity window {window} is longer than 31 days"
            )
        return cls(
            title=title.strip(),
            category=category,
            team_id=team_id,
            township=township.strip(),
            station=station.strip(),
            station_id=station_id,
            location=location.strip(),
            window=window,
            beneficiary_types=list(dict.fromkeys(beneficiary_types)),
            capacity=capacity,
            project_id=project_id,
            actor=actor,
        )

    # ----------------------------------------------------------------- guards

    def _require(self, allowed: tuple[ActivityStatus, ...], doing: str) -> None:
        if self.status not in allowed:
            raise rule_violation(
                f"activity-{self.status.value}",
                f"activity {self.id} is {self.status.value}: cannot {doing}",
            )

    def participants(self) -> list[UUID]:
        """Volunteers with recorded hours, in sign-up order."""
        return [v for v in self.signups if v in self.attendance]

    # ----------------------------------------------------------------- lifecycle

    def publish(self, actor: Actor) -> None:
        self._require((ActivityStatus.PLANNED,), "publish")
        self._published(actor=actor)

    @event("Published", topic=f"{T}.Published")
    def _published(self, actor: Actor) -> None:
        self.status = ActivityStatus.PUBLISHED

    def sign_up(self, volunteer_id: UUID, actor: Actor) -> None:
        self._require(_OPEN, "take sign-ups")
        if volunteer_id in self.signed_up:
            raise rule_violation(
                "signup-once",
                f"volunteer {volunteer_id} is already signed up to activity {self.id}",
            )
        if len(self.signups) >= self.capacity:
            raise rule_violation(
                "capacity", f"activity {self.id} is full: capacity {self.capacity} reached"
            )
        self._signed_up(volunteer_id=volunteer_id, actor=actor)

    @event("VolunteerSignedUp", topic=f"{T}.VolunteerSignedUp")
    def _signed_up(self, volunteer_id: UUID, actor: Actor) -> None:
        self.signups.append(volunteer_id)
        self.signed_up.add(volunteer_id)

    def withdraw_signup(self, volunteer_id: UUID, reason: str, actor: Actor) -> None:
        self._require(_OPEN, "change sign-ups")
        check_text("reason", reason, multiline=True, required=False)
        if volunteer_id not in self.signed_up:
            raise rule_violation(
                "signup-unknown", f"volunteer {volunteer_id} is not signed up to activity {self.id}"
            )
        if volunteer_id in self.attendance:
            raise rule_violation(
                "signup-has-hours",
                f"volunteer {volunteer_id} has hours recorded on activity {self.id}: "
                "correct the hours instead of withdrawing",
            )
        self._signup_withdrawn(volunteer_id=volunteer_id, reason=reason, actor=actor)

    @event("VolunteerWithdrew", topic=f"{T}.VolunteerWithdrew")
    def _signup_withdrawn(self, volunteer_id: UUID, reason: str, actor: Actor) -> None:
        self.signups.remove(volunteer_id)
        self.signed_up.discard(volunteer_id)

    def _check_interval(self, interval: Interval, tolerance: timedelta) -> None:
        if not interval.within(self.window, tolerance):
            raise rule_violation(
                "hours-in-window",
                f"hours {interval} lie outside activity {self.id}'s window {self.window} "
                f"(tolerance {int(tolerance.total_seconds() // 60)} min)",
            )

    def record_hours(
        self,
        *,
        volunteer_id: UUID,
        interval: Interval,
        source: HoursSource,
        tolerance: timedelta,
        actor: Actor,
    ) -> int:
        """Record a participant's hours; someone not yet signed up is signed up if there is room."""
        self._require((*_OPEN, ActivityStatus.COMPLETED), "record hours")
        if volunteer_id in self.attendance:
            raise rule_violation(
                "hours-once",
                f"hours for volunteer {volunteer_id} are already recorded on activity {self.id}: "
                "send a correction",
            )
        self._check_interval(interval, tolerance)
        if volunteer_id not in self.signed_up:
            if self.status is ActivityStatus.COMPLETED:
                raise rule_violation(
                    "signup-required",
                    f"volunteer {volunteer_id} did not sign up to completed activity {self.id}",
                )
            self.sign_up(volunteer_id, actor)
        self._hours_recorded(
            volunteer_id=volunteer_id,
            interval=interval,
            source=source,
            attendance_version=1,
            actor=actor,
        )
        return 1

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
        self.recorders.add(actor.user_id)
        self._add_recorder(volunteer_id, actor.user_id)

    def _add_recorder(self, volunteer_id: UUID, user_id: str) -> None:
        self.hours_recorders[volunteer_id] = self.recorders_of(volunteer_id) | {user_id}

    def recorders_of(self, volunteer_id: UUID) -> frozenset[str]:
        """Everyone who recorded, corrected or proposed a correction of these hours."""
        return self.hours_recorders.get(volunteer_id, frozenset())

    def correct_attendance(
        self,
        *,
        volunteer_id: UUID,
        interval: Interval,
        reason: str,
        tolerance: timedelta,
        actor: Actor,
    ) -> int:
        """Replace a participant's hours before verification (verification is the second pair
        of eyes); a verified participation is corrected by a proposal another person approves."""
        if self.status is ActivityStatus.VERIFIED:
            raise rule_violation(
                "correction-needs-approval",
                f"activity {self.id} is verified: a correction must be proposed and approved "
                "by another person",
                f"活动 {self.id} 已审核：更正须先提出，再由另一人批准",
            )
        self._require((*_OPEN, ActivityStatus.COMPLETED), "correct hours")
        current = self._check_correction(volunteer_id, interval, reason, tolerance)
        return self._apply_correction(volunteer_id, interval, reason.strip(), current, actor)

    def _check_correction(
        self, volunteer_id: UUID, interval: Interval, reason: str, tolerance: timedelta
    ) -> Attendance:
        current = self.attendance.get(volunteer_id)
        if current is None:
            raise rule_violation(
                "correction-names-hours",
                f"activity {self.id} has no hours for volunteer {volunteer_id} to correct",
            )
        if not reason.strip():
            raise rule_violation("reason-required", "a correction needs a reason")
        check_text("reason", reason, multiline=True, required=False)
        if interval == current.interval:
            raise rule_violation(
                "correction-changes",
                f"correction for volunteer {volunteer_id} repeats the recorded hours {interval}",
            )
        self._check_interval(interval, tolerance)
        return current

    def _apply_correction(
        self,
        volunteer_id: UUID,
        interval: Interval,
        reason: str,
        current: Attendance,
        actor: Actor,
        new_award: UUID | None = None,
    ) -> int:
        version = current.version + 1
        self._attendance_corrected(
            volunteer_id=volunteer_id,
            interval=interval,
            reason=reason,
            attendance_version=version,
            new_award=new_award,
            actor=actor,
        )
        return version

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
        self.recorders.add(actor.user_id)
        self._add_recorder(volunteer_id, actor.user_id)
        if new_award is not None:
            self.awards[volunteer_id] = new_award

    # ----------------------------------------------------------------- four eyes on corrections

    def propose_correction(
        self,
        *,
        correction_id: UUID,
        volunteer_id: UUID,
        interval: Interval,
        reason: str,
        tolerance: timedelta,
        actor: Actor,
    ) -> None:
        """Propose new hours for a verified participation; nothing changes until approved."""
        self._require((ActivityStatus.VERIFIED,), "take a correction proposal")
        self._check_correction(volunteer_id, interval, reason, tolerance)
        for pending_id, pending in self.proposals.items():
            if pending.volunteer_id == volunteer_id and pending.status == "proposed":
                raise rule_violation(
                    "correction-pending",
                    f"correction {pending_id} of volunteer {volunteer_id}'s hours on activity "
                    f"{self.id} awaits approval: approve or reject it first",
                )
        self._correction_proposed(
            correction_id=correction_id,
            volunteer_id=volunteer_id,
            interval=interval,
            reason=reason.strip(),
            actor=actor,
        )

    @event("CorrectionProposed", topic=f"{T}.CorrectionProposed")
    def _correction_proposed(
        self, correction_id: UUID, volunteer_id: UUID, interval: Interval, reason: str, actor: Actor
    ) -> None:
        self.proposals[correction_id] = CorrectionProposal(
            volunteer_id, interval, reason, actor.user_id
        )
        self._add_recorder(volunteer_id, actor.user_id)

    def open_proposal(self, correction_id: UUID, actor: Actor, doing: str) -> CorrectionProposal:
        """The proposal ``actor`` may decide: still open, and not theirs nor on their hours."""
        proposal = self.proposals.get(correction_id)
        if proposal is None:
            raise rule_violation(
                "correction-unknown", f"activity {self.id} has no correction {correction_id}"
            )
        if proposal.status != "proposed":
            raise rule_violation(
                "correction-decided",
                f"correction {correction_id} is already {proposal.status} by {proposal.decided_by}",
            )
        if actor.user_id in self.recorders_of(proposal.volunteer_id):
            raise rule_violation(
                "four-eyes",
                f"{actor.user_id} proposed correction {correction_id} or recorded the hours it "
                f"corrects, and cannot also {doing} it",
                f"双人复核：{actor.user_id} 提出了更正 {correction_id} 或登记了其所更正的时长，"
                f"不能再{'批准' if doing == 'approve' else '驳回'}该更正",
            )
        return proposal

    def approve_correction(
        self, *, correction_id: UUID, tolerance: timedelta, new_award: UUID, actor: Actor
    ) -> int:
        """Apply an approved proposal: the hours change, naming the award that replaces the old."""
        proposal = self.open_proposal(correction_id, actor, "approve")
        current = self._check_correction(
            proposal.volunteer_id, proposal.interval, proposal.reason, tolerance
        )
        self._correction_approved(correction_id=correction_id, actor=actor)
        return self._apply_correction(
            proposal.volunteer_id,
            proposal.interval,
            f"correction {correction_id} proposed by {proposal.proposed_by}: {proposal.reason}",
            current,
            actor,
            new_award,
        )

    @event("CorrectionApproved", topic=f"{T}.CorrectionApproved")
    def _correction_approved(self, correction_id: UUID, actor: Actor) -> None:
        self.proposals[correction_id] = replace(
            self.proposals[correction_id], status="approved", decided_by=actor.user_id
        )

    def reject_correction(self, *, correction_id: UUID, reason: str, actor: Actor) -> None:
        self.open_proposal(correction_id, actor, "reject")
        if not reason.strip():
            raise rule_violation("reason-required", "a rejection needs a reason")
        self._correction_rejected(correction_id=correction_id, reason=reason.strip(), actor=actor)

    @event("CorrectionRejected", topic=f"{T}.CorrectionRejected")
    def _correction_rejected(self, correction_id: UUID, reason: str, actor: Actor) -> None:
        self.proposals[correction_id] = replace(
            self.proposals[correction_id], status="rejected", decided_by=actor.user_id
        )

    # ----------------------------------------------------------------- outcomes

    def record_beneficiaries(self, counts: dict[BeneficiaryType, int], actor: Actor) -> None:
        self._require((*_OPEN, ActivityStatus.COMPLETED), "record people served")
        if not counts:
            raise rule_violation("beneficiaries-counts", "counts must name at least one type")
        for kind, n in counts.items():
            if n < 0:
                raise rule_violation(
                    "beneficiaries-counts", f"count for {kind.value} must not be negative ({n})"
                )
        self._beneficiaries_served(
            counts={k.value: n for k, n in sorted(counts.items(), key=lambda kv: kv[0].value)},
            actor=actor,
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

    def record_feedback(
        self,
        satisfaction: int,
        comment: str,
        actor: Actor,
        *,
        rater: Rater,
        given_on: date,
        today: date,
        window_days: int,
        utc_offset: timedelta,
    ) -> bool:
        """Record a rating; True when it counts in rankings and eligibility (given within
        ``window_days`` after the activity ended). One rating per named rater per activity."""
        self._require((*_OPEN, ActivityStatus.COMPLETED, ActivityStatus.VERIFIED), "take feedback")
        if not 1 <= satisfaction <= 5:
            raise rule_violation(
                "satisfaction-range", f"satisfaction {satisfaction} must be from 1 to 5"
            )
        check_text("comment", comment, multiline=True, required=False)
        if rater.beneficiary_type is None:
            raise invalid_value(
                "rater.beneficiary_type", "rater-required", "a rating names its rater's type"
            )
        if rater.reference is not None:
            check_text("rater.reference", rater.reference, max_length=100)
        if given_on > today:
            raise invalid_value(
                "given_on", "feedback-date-future", f"given_on {given_on} is after today {today}"
            )
        starts = self.window.local_date(utc_offset)
        if given_on < starts:
            raise rule_violation(
                "feedback-before-activity",
                f"a rating given on {given_on} predates activity {self.id}, which starts {starts}",
                f"评价日期 {given_on} 早于活动开始日期 {starts}",
            )
        key = rater.key
        if key is not None and key in self.raters:
            raise rule_violation(
                "duplicate-rating",
                f"{rater.beneficiary_type.value} {rater.reference!r} has already rated activity "
                f"{self.id}: one rating per rater per activity",
                f"服务对象 {rater.reference} 已对该活动作出评价：每位服务对象对同一活动只能评价一次",
            )
        counted = given_on <= self.window.local_end_date(utc_offset) + timedelta(days=window_days)
        self._feedback_recorded(
            satisfaction=satisfaction,
            comment=comment,
            rater=rater,
            given_on=given_on,
            counted=counted,
            window_days=window_days,
            actor=actor,
        )
        return counted

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
            self.raters.add(key)

    def record_media(
        self, *, outlet: str, level: MediaLevel, url: str, published_on: date, actor: Actor
    ) -> None:
        self._require(
            (*_OPEN, ActivityStatus.COMPLETED, ActivityStatus.VERIFIED), "record media coverage"
        )
        if not outlet.strip():
            raise rule_violation("required-field", "media coverage needs an outlet")
        check_text("outlet", outlet)
        check_text("url", url, max_length=2000, required=False)
        if published_on < self.window.start.date() - timedelta(days=1):
            raise rule_violation(
                "media-after-activity",
                f"coverage published on {published_on} predates activity {self.id}",
            )
        coverage = MediaCoverage(outlet.strip(), level, url.strip(), published_on)
        self._media_recorded(coverage=coverage, actor=actor)

    @event("MediaCoverageRecorded", topic=f"{T}.MediaCoverageRecorded")
    def _media_recorded(self, coverage: MediaCoverage, actor: Actor) -> None:
        self.media.append(coverage)

    def complete(self, actor: Actor) -> None:
        self._require(_OPEN, "complete")
        self._completed(actor=actor)

    @event("Completed", topic=f"{T}.Completed")
    def _completed(self, actor: Actor) -> None:
        self.status = ActivityStatus.COMPLETED

    def check_verifiable(self, actor: Actor) -> None:
        """Verification needs completion, a different person than the recorders, and happens once."""
        if self.status is ActivityStatus.VERIFIED:
            raise rule_violation(
                "verify-once", f"activity {self.id} is already verified by {self.verified_by}"
            )
        if self.status is not ActivityStatus.COMPLETED:
            raise rule_violation(
                "verify-after-completion",
                f"activity {self.id} is {self.status.value}: only a completed activity is verified",
            )
        if actor.user_id in self.recorders:
            raise rule_violation(
                "four-eyes",
                f"{actor.user_id} recorded hours on activity {self.id} and cannot also verify it",
                f"双人复核：{actor.user_id} 在活动 {self.id} 登记了服务时长，不能再审核该活动",
            )

    def verify(self, awards: list[AwardRef], actor: Actor) -> None:
        self.check_verifiable(actor)
        self._verified(awards=awards, actor=actor)

    @event("Verified", topic=f"{T}.Verified")
    def _verified(self, awards: list[AwardRef], actor: Actor) -> None:
        self.status = ActivityStatus.VERIFIED
        self.verified_by = actor.user_id
        for ref in awards:
            self.awards[ref.volunteer_id] = ref.entry_id

    def cancel(self, reason: str, actor: Actor) -> None:
        self._require((*_OPEN, ActivityStatus.COMPLETED), "cancel")
        if not reason.strip():
            raise rule_violation("reason-required", "a cancellation needs a reason")
        check_text("reason", reason, multiline=True, required=False)
        self._cancelled(reason=reason.strip(), actor=actor)

    @event("Cancelled", topic=f"{T}.Cancelled")
    def _cancelled(self, reason: str, actor: Actor) -> None:
        self.status = ActivityStatus.CANCELLED

    def state(self) -> dict[str, Any]:
        return dict(vars(self))
