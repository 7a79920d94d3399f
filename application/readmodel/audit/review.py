"""The annual review: replay history (to a cut) and report the year, byte-identically each time.

Per volunteer the year's hours and points, the star level, the township and teams; the
year's station and team rankings; every commendation and certification decision
re-checked against eligibility as it stood at the position the decision recorded;
insurance gaps; the corrections and reversals that touched the year's service; and for
the director's report, people served, the year by township, station, team, category
and month, needs met, media coverage and courtesy vouchers issued (``annual``).
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eventsourcing.application import Application

from application.readmodel.audit.annual import annual_sections, volunteer_places
from application.readmodel.base import EventHandlers, handles
from application.readmodel.projections.benefits import MediaProjection, VoucherProjection
from application.readmodel.projections.insurance import InsuranceProjection
from application.readmodel.projections.needs import NeedsProjection
from application.readmodel.projections.ranking import RankingProjection
from application.readmodel.projections.registers import RegistersProjection
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import Decoder, read_events
from application.readmodel.store import MemoryStore, Row
from application.readmodel.values import num
from domain.activity import ServiceActivity
from domain.commendation import ServiceYear
from domain.rulebook import Rulebook
from domain.team import VolunteerTeam
from domain.volunteer import Volunteer

ZERO = Decimal(0)


@dataclass(frozen=True)
class _Standing:
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
class _Person:
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
    history: list[_Standing] = field(default_factory=list)

    def remember(self, position: int) -> None:
        self.history_positions.append(position)
        self.history.append(
            _Standing(
                self.credited,
                self.lifetime,
                len(self.commended),
                self.service.hours,
                self.service.activities,
                self.service.withdrawn,
                any(p.startswith(str(self.year)) for p in self.commended.values()),
            )
        )

    def at(self, position: int) -> _Standing:
        index = bisect.bisect_right(self.history_positions, position)
        return self.history[index - 1] if index else _Standing()


class _Collector(EventHandlers):
    """Streams the log once, keeping only what the review needs (memory stays small).

    Its handlers are dispatched as a projection's are; every event it has no handler for
    it passes by (the review's projections, applied to the same events, stop at an event
    they do not know)."""

    def __init__(self, rulebook: Rulebook, year: int) -> None:
        self.year = year
        self.offset = rulebook.latest.utc_offset
        self.people: dict[str, _Person] = defaultdict(lambda: _Person(year=year))
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


def annual_review(
    app: Application[Any],
    rulebook: Rulebook,
    year: int,
    *,
    upto: int | None = None,
    chain: Callable[[int], dict[str, Any]] | None = None,
    decoder: Decoder | None = None,
) -> dict[str, Any]:
    """Build the review of ``year`` from the log up to position ``upto`` (the head when None).

    ``chain`` names the hash-chain head at the review's cut and the seal covering it;
    ``decoder`` turns stored events into domain events as the library's mapper would.
    """
    store = MemoryStore()
    projections = [
        RankingProjection(rulebook),
        InsuranceProjection(rulebook),
        RegistersProjection(rulebook),
        NeedsProjection(rulebook),
        VoucherProjection(rulebook),
        MediaProjection(rulebook),
    ]
    collector = _Collector(rulebook, year)
    # Team commendations are re-checked against the rankings as they stood at their basis
    # position: find those positions first (a filtered read of one event type), then take
    # the figures while streaming past them — one pass over the log, not one per decision.
    bases = sorted(_team_commendation_bases(app, collector, upto))
    eligibility_at: dict[int, dict[str, Row]] = {}
    cut = 0
    for events in read_events(app, upto=upto, batch=5000, decoder=decoder):
        for position, event in events:
            while bases and bases[0][0] < position:
                _take_team_figures(store, rulebook, bases.pop(0), eligibility_at)
            for projection in projections:
                projection.apply(store, event, position)
            collector.apply(event, position)
            cut = position
    while bases:
        _take_team_figures(store, rulebook, bases.pop(0), eligibility_at)
    queries = ReadModels(store, rulebook)
    rules = rulebook.latest
    places = volunteer_places(store)
    volunteers = [
        {
            "volunteer_id": vid,
            "name": p.name,
            "township": places.get(vid, ("", []))[0],
            "teams": places.get(vid, ("", []))[1],
            "hours": num(p.hours),
            "points": num(p.points),
            "training_points": num(p.training_points),
            "lifetime_points": num(p.lifetime),
            "star_level": rules.star_level(p.credited),
        }
        for vid, p in sorted(collector.people.items())
    ]
    return {
        "year": year,
        "position": cut,
        "rulebook_hash": rulebook.file_hash,
        "totals": {
            "volunteers_serving": sum(1 for v in volunteers if v["hours"] != "0"),
            "hours": num(sum((p.hours for p in collector.people.values()), ZERO)),
            "points": num(sum((p.points for p in collector.people.values()), ZERO)),
        },
        "volunteers": volunteers,
        "rankings": {
            "station": queries.rankings("station", str(year)),
            "team": queries.rankings("team", str(year)),
        },
        "decisions": [
            _recheck(rulebook, collector, d, eligibility_at) for d in collector.decisions
        ],
        "insurance_gaps": queries.insurance_gaps(year=year),
        "corrections": collector.corrections,
        "reversals": collector.reversals,
        # Courtesy benefits redeemed in the year (Asia/Shanghai dates), and whether each
        # voucher was handed over by the cut.
        "redemptions": list(collector.redemptions.values()),
        **annual_sections(store, rulebook, year),
        **({"chain": chain(cut)} if chain is not None else {}),
    }


def _decision_year(decision_period: str, default: int) -> int:
    return int(decision_period[:4]) if decision_period[:4].isdigit() else default


def _team_commendation_bases(
    app: Application[Any], collector: _Collector, upto: int | None
) -> set[tuple[int, int]]:
    """(basis position, year) of every team commendation the review will re-check."""
    topic = VolunteerTeam.Commended.TOPIC
    found: set[tuple[int, int]] = set()
    position = 0
    while True:
        notifications = app.recorder.select_notifications(
            start=position + 1, limit=1000, stop=upto, topics=[topic]
        )
        if not notifications:
            return found
        for n in notifications:
            event: Any = app.mapper.to_domain_event(n)
            if collector.concerns_year(event):
                found.add((event.basis_position, _decision_year(str(event.period), collector.year)))
        position = notifications[-1].id


def _take_team_figures(
    store: MemoryStore, rulebook: Rulebook, basis: tuple[int, int], into: dict[int, dict[str, Row]]
) -> None:
    position, year = basis
    rows = ReadModels(store, rulebook).team_eligibility(year)
    into[position] = {r["team_id"]: r for r in rows}


def _recheck(
    rulebook: Rulebook,
    collector: _Collector,
    decision: dict[str, Any],
    team_figures: dict[int, dict[str, Row]],
) -> dict[str, Any]:
    """Was the decision's subject eligible at the position the decision recorded?"""
    rules = rulebook.latest
    basis = int(decision["basis_position"])
    if decision["kind"] == "team_commendation":
        # Team candidacy is the rulebook's basis for the year (key support), read with the
        # rankings as they stood at the basis position.
        row = team_figures.get(basis, {}).get(decision["subject_id"])
        eligible = bool(row and row["commendation_candidate"])
        return {**decision, "eligible_at_basis": eligible, "figures": row}
    was = collector.people[decision["subject_id"]].at(basis)
    figures: dict[str, Any] = {
        "credited_hours": num(was.credited),
        "lifetime_points": num(was.lifetime),
        "star_level_reached": rules.star_level(was.credited),
        "courtesy_tier": rules.courtesy_tier(was.lifetime),
        "commendations_held": was.held,
    }
    if decision["kind"] == "star_certification":
        eligible = rules.star_level(was.credited) >= int(decision["level"])
    else:
        # Volunteer candidacy for the year the commendation names, by the rulebook version
        # in force for that year: the year's service as it stood at the basis position.
        year_rules = rulebook.for_year(collector.year)
        figures |= {
            "year": collector.year,
            "hours_in_year": num(was.year_hours),
            "activities_in_year": was.year_activities,
            "awards_withdrawn_in_year": was.year_withdrawn,
            "commended_in_year": was.commended_in_year,
            "rulebook_version": year_rules.version,
        }
        eligible = (
            year_rules.commendation.volunteer_qualifies(
                was.year_hours, was.year_activities, was.year_withdrawn
            )
            and not was.commended_in_year
        )
    return {**decision, "eligible_at_basis": eligible, "figures": figures}


def review_json(review: dict[str, Any]) -> str:
    return json.dumps(review, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
