"""What the annual review and a decision's re-check keep while streaming the log: each
volunteer's figures as they stood at every position, the year's decisions, corrections,
reversals and redemptions."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from application.readmodel.base import EventHandlers, handles
from application.readmodel.values import num
from domain.activity import ServiceActivity
from domain.commendation import ServiceYear
from domain.rulebook import Rulebook
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer

ZERO = Decimal(0)


@dataclass(frozen=True)
class Standing:
    """A volunteer's figures as they stood at one position (for re-checking decisions)."""

    credited: Decimal = ZERO
    lifetime: Decimal = ZERO
    held: int = 0
    # The review year's service (commendation candidacy) and commendations for the year.
    year_hours: Decimal = ZERO
    year_activities: int = 0
    year_withdrawn: int = 0
    commended_in_year: bool = False


@dataclass
class Person:
    name: str = ""
    hours: Decimal = ZERO
    points: Decimal = ZERO
    training_points: Decimal = ZERO
    credited: Decimal = ZERO
    lifetime: Decimal = ZERO
    service: ServiceYear = field(default_factory=ServiceYear)
    commended: dict[str, str] = field(default_factory=dict)  # commendation id → period
    year: int = 0
    history_positions: list[int] = field(default_factory=list)
    history: list[Standing] = field(default_factory=list)

    def remember(self, position: int) -> None:
        self.history_positions.append(position)
        self.history.append(
            Standing(
                self.credited,
                self.lifetime,
                len(self.commended),
                self.service.hours,
                self.service.activities,
                self.service.withdrawn,
                any(p.startswith(str(self.year)) for p in self.commended.values()),
            )
        )

    def at(self, position: int) -> Standing:
        index = bisect.bisect_right(self.history_positions, position)
        return self.history[index - 1] if index else Standing()


class Collector(EventHandlers):
    """Streams the log once, keeping only what the review needs (memory stays small).

    Its handlers are dispatched as a projection's are; every event it has no handler for
    it passes by (the review's projections, applied to the same events, stop at an event
    they do not know)."""

    def __init__(self, rulebook: Rulebook, year: int) -> None:
        self.year = year
        self.offset = rulebook.latest.utc_offset
        self.people: dict[str, Person] = defaultdict(lambda: Person(year=year))
        self.award_year: dict[str, tuple[str, int, Decimal, Decimal]] = {}
        self.decisions: list[dict[str, Any]] = []
        self.corrections: list[dict[str, Any]] = []
        self.reversals: list[dict[str, Any]] = []
        self.redemptions: dict[str, dict[str, Any]] = {}  # by voucher code, or entry id

    def concerns_year(self, event: Any) -> bool:
        """A decision belongs to the period it names (``period`` of commendations,
        ``service_year`` of star certifications); one that names none (a certification of
        version 1) to the year it was made."""
        period = getattr(event, "period", None)
        if period:
            return str(period).startswith(str(self.year))
        service_year = getattr(event, "service_year", None)
        if service_year is not None:
            return bool(service_year == self.year)
        return bool((event.timestamp + self.offset).year == self.year)

    def apply(self, event: Any, position: int) -> None:
        if isinstance(event, Volunteer.Event):
            self.people[str(event.originator_id)]  # every volunteer is listed, whatever it did
        handler = self._handlers.get(type(event).TOPIC)
        if handler is not None:
            handler(self, event, position)

    # ---- a volunteer's figures (each change remembered at its position, for re-checks)

    @handles
    def _registered(self, e: Volunteer.Registered, position: int) -> None:
        person = self.people[str(e.originator_id)]
        person.name = e.name
        person.remember(position)

    @handles
    def _awarded(self, e: Volunteer.PointsAwarded, position: int) -> None:
        person = self.people[str(e.originator_id)]
        # Figures as at the end of the year: service up to 31 December (recorded up to
        # the cut); a later year's award does not raise this year's lifetime figures.
        if e.service_date.year <= self.year:
            person.credited += e.hours
            person.lifetime += e.points
        if e.service_date.year == self.year:
            person.service.award(str(e.activity_id), e.hours)
        person.remember(position)
        subject = str(e.originator_id)
        self.award_year[str(e.entry_id)] = (
            subject,
            e.service_date.year,
            e.hours,
            e.points,
        )
        if e.service_date.year == self.year:
            person.hours += e.hours
            person.points += e.points

    @handles
    def _reversed(self, e: Volunteer.PointsReversed, position: int) -> None:
        person = self.people[str(e.originator_id)]
        _, service_year, hours, points = self.award_year.get(str(e.reverses), ("", 0, ZERO, ZERO))
        if service_year <= self.year:
            person.credited -= e.hours
            person.lifetime -= e.points
        if service_year == self.year:
            person.service.reverse(str(e.activity_id), e.hours)
        person.remember(position)
        if service_year != self.year:
            return
        person.hours -= hours
        person.points -= points
        self.reversals.append(
            {
                "entry_id": str(e.entry_id),
                "reverses": str(e.reverses),
                "volunteer_id": str(e.originator_id),
                "points": num(points),
                "hours": num(hours),
                "reason": e.reason,
                "position": position,
                "actor": e.actor.user_id,
            }
        )

    @handles
    def _trained(self, e: Volunteer.TrainingCompleted, position: int) -> None:
        person = self.people[str(e.originator_id)]
        if e.completed_on.year <= self.year:
            person.lifetime += e.points
        person.remember(position)
        if e.completed_on.year == self.year:
            person.training_points += e.points

    @handles
    def _commendation_granted(self, e: Volunteer.CommendationGranted, position: int) -> None:
        person = self.people[str(e.originator_id)]
        if self.concerns_year(e):
            self.decisions.append(
                {
                    "kind": "volunteer_commendation",
                    "subject_id": str(e.originator_id),
                    "title": e.title,
                    "period": e.period,
                    "basis_position": e.basis_position,
                    "position": position,
                }
            )
        person.commended[str(e.commendation_id)] = str(e.period).strip()
        person.remember(position)

    @handles
    def _redeemed(self, e: Volunteer.PointsRedeemed, position: int) -> None:
        person = self.people[str(e.originator_id)]
        if self.concerns_year(e):
            self.redemptions[e.voucher_code or str(e.entry_id)] = {
                "entry_id": str(e.entry_id),
                "volunteer_id": str(e.originator_id),
                "name": person.name,
                "benefit": e.benefit_code,
                "benefit_zh": e.benefit,
                "points": num(e.points),
                "voucher_code": e.voucher_code,
                "used": False,
                "position": position,
            }

    @handles
    def _voucher_used(self, e: Volunteer.VoucherUsed, position: int) -> None:
        if e.code in self.redemptions:
            self.redemptions[e.code]["used"] = True

    @handles
    def _commendation_revoked(self, e: Volunteer.CommendationRevoked, position: int) -> None:
        person = self.people[str(e.originator_id)]
        person.commended.pop(str(e.commendation_id), None)
        person.remember(position)

    @handles
    def _star_certified(self, e: Volunteer.StarLevelCertified, position: int) -> None:
        if self.concerns_year(e):
            self.decisions.append(
                {
                    "kind": "star_certification",
                    "subject_id": str(e.originator_id),
                    "level": e.level,
                    "service_year": e.service_year,
                    "basis_position": e.basis_position,
                    "position": position,
                }
            )

    # ---- teams and activities (the registers projection keeps the teams themselves)

    @handles
    def _team_commended(self, e: VolunteerTeam.Commended, position: int) -> None:
        if self.concerns_year(e):
            self.decisions.append(
                {
                    "kind": "team_commendation",
                    "subject_id": str(e.originator_id),
                    "title": e.title,
                    "period": e.period,
                    "basis_position": e.basis_position,
                    "position": position,
                }
            )

    @handles
    def _attendance_corrected(self, e: ServiceActivity.AttendanceCorrected, position: int) -> None:
        if e.interval.local_date(self.offset).year != self.year:
            return
        self.corrections.append(
            {
                "activity_id": str(e.originator_id),
                "volunteer_id": str(e.volunteer_id),
                "interval": [
                    e.interval.start.isoformat(),
                    e.interval.end.isoformat(),
                ],
                "reason": e.reason,
                "attendance_version": e.attendance_version,
                "position": position,
                "actor": e.actor.user_id,
            }
        )
