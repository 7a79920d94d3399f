"""The year's service: activities planned by theme and month and played through sign-ups,
hours, people served, feedback, media, completion and four-eyes verification."""

from __future__ import annotations

from bisect import bisect
from datetime import date, datetime, timedelta
from uuid import UUID

from application.commands.activities import (
    CancelActivity,
    CompleteActivity,
    PlanActivity,
    PublishActivity,
    RecordHours,
    RecordSheet,
    SignUp,
    VerifyActivity,
    WithdrawSignup,
)
from application.results import AwardResult, HoursRow
from demo.outcomes import Outcomes
from demo.records import Candidate, Person, Plan, Seat, insured
from demo.vocabulary import VILLAGES, place_kind, theme_of
from domain.errors import DomainError
from domain.rulebook import MissingInsurance
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
)
from domain.volunteer import Volunteer

# How many take part, by the shape of the activity: (fewest, most) wanted.
SEATS_BY_SHAPE = {"half": (4, 14), "day": (6, 18), "long": (8, 24), "multi": (10, 28)}


class Service(Outcomes):
    """Runs each activity of the year (its plan comes from ``Planning``, the people and
    teams from ``Roster``)."""

    # ------------------------------------------------------------------ one activity

    def run(self, plan: Plan) -> None:
        """One activity's life: planned and signed up for, then cancelled, or served,
        completed (late entries backfilled) and verified, unless it is the year-end backlog."""
        staff = self.team_staff[plan.team]
        activity, window, seats, beneficiaries = self.planned(plan, staff)
        if plan.cancel:
            self._cancel(activity, staff)
            return
        rejects, flags = self.insurance_rule(plan)
        served = self.served_live(activity, seats, staff, rejects)
        self.outcomes(activity, window, beneficiaries, staff)
        self.ledger.complete_activity(
            CompleteActivity(activity_id=activity), actor=self.actor(staff)
        )
        served |= self._backfilled(activity, seats, staff)
        if plan.day > date(self.year, 12, 24):
            return  # the year-end backlog: completed, awaiting verification
        self.verify(activity, served, flags)
        self.library.served(self.library.project_for(plan.team, plan.code), activity)

    def _backfilled(self, activity: UUID, seats: list[Seat], staff: Actor) -> dict[UUID, Seat]:
        """Late entries, recorded after completion (too late for anyone to withdraw)."""
        late = [s for s in seats if s.source is HoursSource.BACKFILL]
        return self._recorded(activity, late, staff, can_withdraw=False)

    def _cancel(self, activity: UUID, staff: Actor) -> None:
        reason = self.rng.choice(("受暴雪天气影响，活动取消", "按疫情防控要求暂停聚集性活动"))
        self.ledger.cancel_activity(
            CancelActivity(activity_id=activity, reason=reason), actor=self.actor(staff)
        )
        self.n.cancelled += 1

    def planned(
        self, plan: Plan, staff: Actor
    ) -> tuple[UUID, Interval, list[Seat], list[BeneficiaryType]]:
        """The activity planned and published, its participants signed up (a few sign up
        and withdraw)."""
        rng, ledger = self.rng, self.ledger
        town = self.towns[plan.township][0]
        theme = theme_of(plan.code)
        village = rng.choice(VILLAGES)
        window = self.window(plan)
        seats = self.choose(plan, window)
        withdrawing = self._withdrawing(plan, seats)
        beneficiaries = list(theme.beneficiaries)
        activity = ledger.plan_activity(
            PlanActivity(
                title=rng.choice(theme.titles).format(t=town, v=village),
                category=Category(plan.code),
                team_id=self.team_ids[plan.team],
                township=town,
                station_id=self.station_for(plan),
                location=f"{town}{village}{place_kind(town)}",
                window=window,
                beneficiary_types=beneficiaries,
                capacity=len(seats) + len(withdrawing) + rng.randint(0, 8),
                project_id=self.library.project_for(plan.team, plan.code),
            ),
            actor=self.actor(staff),
        ).id
        ledger.publish_activity(PublishActivity(activity_id=activity), actor=self.actor(staff))
        self._sign_up(activity, [s.person for s in seats if s.signed_up] + withdrawing, staff)
        self._withdraw(activity, withdrawing, staff)
        return activity, window, seats, beneficiaries

    def _withdrawing(self, plan: Plan, seats: list[Seat]) -> list[Person]:
        """A few of the township's people who sign up and then withdraw (none of those
        who serve)."""
        rng = self.rng
        drawn = rng.choices(self.pools[2 * plan.township][0], k=rng.choice((0, 0, 0, 1, 2)))
        serving = {s.person for s in seats}
        return [p for p in dict.fromkeys(drawn) if p not in serving]

    def _sign_up(self, activity: UUID, people: list[Person], staff: Actor) -> None:
        for person in people:
            self.ledger.sign_up(
                SignUp(activity_id=activity, volunteer_id=person.id), actor=self.actor(staff)
            )

    def _withdraw(self, activity: UUID, people: list[Person], staff: Actor) -> None:
        """Each withdraws with a reason."""
        for person in people:
            reason = self.rng.choice(("家中有事，无法参加", "身体不适", "临时外出放牧"))
            self.ledger.withdraw_signup(
                WithdrawSignup(activity_id=activity, volunteer_id=person.id, reason=reason),
                actor=self.actor(staff),
            )

    def served_live(
        self, activity: UUID, seats: list[Seat], staff: Actor, rejects: bool
    ) -> dict[UUID, Seat]:
        """Hours recorded on the day: now and then by a bulk sign-in sheet of those the
        station knows are insured, the rest one by one."""
        live = [s for s in seats if s.source is not HoursSource.BACKFILL]
        served: dict[UUID, Seat] = {}
        if self.rng.random() < 0.35:
            served = self._served_by_sheet(activity, live, staff, rejects)
        rest = [s for s in live if s.person.id not in served]
        return served | self._recorded(activity, rest, staff, can_withdraw=True)

    def _served_by_sheet(
        self, activity: UUID, live: list[Seat], staff: Actor, rejects: bool
    ) -> dict[UUID, Seat]:
        """One bulk sign-in sheet of those the station knows may serve (insured, where the
        rulebook rejects the uninsured); none when nobody may."""
        sheet = [s for s in live if not rejects or insured(s)]
        if sheet:
            self._record_sheet(activity, sheet, staff)
        return {seat.person.id: seat for seat in sheet}

    def _record_sheet(self, activity: UUID, sheet: list[Seat], staff: Actor) -> None:
        rows = [HoursRow(s.person.id, s.interval, HoursSource.CHECKIN) for s in sheet]
        self.ledger.record_hours_bulk(
            RecordSheet(activity_id=activity, rows=rows), actor=self.actor(staff)
        )
        for seat in sheet:
            seat.person.book(seat.interval)

    def _recorded(
        self, activity: UUID, seats: list[Seat], staff: Actor, *, can_withdraw: bool
    ) -> dict[UUID, Seat]:
        """Each seat's hours recorded one by one: the seats served (those refused for want
        of insurance left out)."""
        served: dict[UUID, Seat] = {}
        for seat in seats:
            if self.hours(activity, seat, staff, can_withdraw=can_withdraw):
                served[seat.person.id] = seat
        return served

    def choose(self, plan: Plan, window: Interval) -> list[Seat]:
        """Participants drawn by weight from the team's pool, never double-booked."""
        people, cum = self.pools[2 * plan.township + (plan.team == 0)]
        wanted = self._wanted(plan, len(people))
        horizon = window.start - timedelta(days=1)
        seats: dict[UUID, Seat] = {}
        for _ in range(wanted * 4):
            if len(seats) >= wanted:
                break
            person = self._drawn(people, cum)
            if person.id in seats:
                continue
            seat = self._seat(person, window, horizon)
            if seat is not None:
                seats[person.id] = seat
        return list(seats.values())

    def _drawn(self, people: list[Person], cum: list[float]) -> Person:
        """One of the pool drawn by weight (``cum``: the weights' running totals)."""
        return people[bisect(cum, self.rng.random() * cum[-1])]

    def _wanted(self, plan: Plan, pooled: int) -> int:
        """How many take part: a number drawn for the activity's shape, at most half the
        pool (and at least one)."""
        low, high = SEATS_BY_SHAPE[theme_of(plan.code).shape]
        return min(self.rng.randint(low, high), max(1, pooled // 2))

    def _seat(self, person: Person, window: Interval, horizon: datetime) -> Seat | None:
        """The person's shift in the window and how its hours arrive; None when the person
        is busy then (intervals that ended before ``horizon`` are forgotten first)."""
        person.forget_before(horizon)
        interval = self.shift(window)
        if not person.free(interval):
            return None
        source, signed_up = self._arrival()
        return Seat(person, interval, source, signed_up)

    def _arrival(self) -> tuple[HoursSource, bool]:
        """How the hours arrive (checked in, entered by the organiser, or three in a hundred
        backfilled after completion) and whether the person signed up first (always, for
        backfilled hours)."""
        roll = self.rng.random()
        if roll > 0.97:
            return HoursSource.BACKFILL, True
        source = HoursSource.CHECKIN if roll < 0.72 else HoursSource.ORGANISER
        return source, self.rng.random() < 0.7

    def insurance_rule(self, plan: Plan) -> tuple[bool, bool]:
        """Whether the rulebook rejects, or records and flags, an uninsured participant here."""
        rule = self.ledger.rules_on(plan.day).category(Category(plan.code))
        if not rule.insurance_required:
            return False, False
        rejects = rule.on_missing_insurance is MissingInsurance.REJECT
        return rejects, not rejects

    def hours(self, activity: UUID, seat: Seat, staff: Actor, *, can_withdraw: bool) -> bool:
        """Record one participant's hours; False when refused for want of insurance."""
        try:
            self.ledger.record_hours(
                RecordHours(
                    activity_id=activity,
                    volunteer_id=seat.person.id,
                    interval=seat.interval,
                    source=seat.source,
                ),
                actor=self.actor(staff),
            )
        except DomainError as e:
            if e.rule != "insurance-required":
                raise
            self._refused(activity, seat, staff, can_withdraw=can_withdraw)
            return False
        seat.person.book(seat.interval)
        return True

    def _refused(self, activity: UUID, seat: Seat, staff: Actor, *, can_withdraw: bool) -> None:
        """Counted; on the day, a participant who signed up is withdrawn, with the reason."""
        self.n.refused += 1
        if can_withdraw and seat.signed_up:
            self.ledger.withdraw_signup(
                WithdrawSignup(
                    activity_id=activity,
                    volunteer_id=seat.person.id,
                    reason="未在意外保险有效期内，不能参加服务",
                ),
                actor=self.actor(staff),
            )

    def verify(self, activity: UUID, served: dict[UUID, Seat], flags: bool) -> None:
        """Four-eyes: the bureau verifies what the station recorded; points are awarded."""
        result = self.ledger.verify_activity(
            VerifyActivity(activity_id=activity), actor=self.actor(self.verifier)
        )
        self.n.verified += 1
        # An earlier shift verified after a later one the same day credits the later one
        # again (the day's cap in the order served): read what the ledgers now hold, in one
        # query for the activity's participants.
        held = self.ledger.load_many(Volunteer, (a.volunteer_id for a in result.awards))
        for award in result.awards:
            self._awarded(activity, served[award.volunteer_id], award, held, flags)

    def _awarded(
        self,
        activity: UUID,
        seat: Seat,
        award: AwardResult,
        held: dict[UUID, Volunteer],
        flags: bool,
    ) -> None:
        """One award counted, an uninsured participant flagged, the award perhaps sampled
        for the year-end review."""
        self.settle(seat.person, held[award.volunteer_id])
        if flags and not insured(seat):
            self.n.flags += 1
        self.sample(Candidate(activity, seat.person, seat.interval, award))
