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
    RecordBeneficiaries,
    RecordFeedback,
    RecordHours,
    RecordMedia,
    RecordSheet,
    SignUp,
    VerifyActivity,
    WithdrawSignup,
)
from application.results import HoursRow
from demo.planning import Planning
from demo.records import Candidate, Person, Plan, Seat, insured
from demo.vocabulary import COMMENTS, MEDIA_WEIGHTS, OUTLETS, VILLAGES, theme_of
from domain.errors import DomainError
from domain.rulebook import MissingInsurance
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaLevel,
    Rater,
)
from domain.volunteer import Volunteer


class Service(Planning):
    """Runs each activity of the year (its plan comes from ``Planning``, the people and
    teams from ``Roster``)."""

    # ------------------------------------------------------------------ one activity

    def run(self, plan: Plan) -> None:
        """One activity's life: planned and signed up for, then cancelled, or served,
        completed (late entries backfilled) and verified, unless it is the year-end backlog."""
        staff = self.banner_staff if plan.team == 0 else self.staff[plan.township]
        activity, window, seats, beneficiaries = self.planned(plan, staff)
        if plan.cancel:
            reason = self.rng.choice(("受暴雪天气影响，活动取消", "按疫情防控要求暂停聚集性活动"))
            self.ledger.cancel_activity(
                CancelActivity(activity_id=activity, reason=reason), actor=self.actor(staff)
            )
            self.n.cancelled += 1
            return
        rejects, flags = self.insurance_rule(plan)
        served = self.served_live(activity, seats, staff, rejects)
        self.outcomes(activity, window, beneficiaries, staff)
        self.ledger.complete_activity(
            CompleteActivity(activity_id=activity), actor=self.actor(staff)
        )
        for seat in (s for s in seats if s.source is HoursSource.BACKFILL):
            if self.hours(activity, seat, staff, can_withdraw=False):
                served[seat.person.id] = seat
        if plan.day > date(self.year, 12, 24):
            return  # the year-end backlog: completed, awaiting verification
        self.verify(activity, plan, served, flags)
        self.library.served(self.library.project_for(plan.team, plan.code), activity)

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
        withdrawals = rng.choices(self.pools[2 * plan.township][0], k=rng.choice((0, 0, 0, 1, 2)))
        withdrawals = [p for p in dict.fromkeys(withdrawals) if p not in {s.person for s in seats}]
        beneficiaries = list(theme.beneficiaries)
        activity = ledger.plan_activity(
            PlanActivity(
                title=rng.choice(theme.titles).format(t=town, v=village),
                category=Category(plan.code),
                team_id=self.team_ids[plan.team],
                township=town,
                station_id=self.station_for(plan),
                location=f"{town}{village}{'社区' if town.endswith('镇') else '嘎查'}",
                window=window,
                beneficiary_types=beneficiaries,
                capacity=len(seats) + len(withdrawals) + rng.randint(0, 8),
                project_id=self.library.project_for(plan.team, plan.code),
            ),
            actor=self.actor(staff),
        ).id
        ledger.publish_activity(PublishActivity(activity_id=activity), actor=self.actor(staff))
        self._sign_up(activity, [s.person for s in seats if s.signed_up], withdrawals, staff)
        return activity, window, seats, beneficiaries

    def _sign_up(
        self, activity: UUID, staying: list[Person], withdrawing: list[Person], staff: Actor
    ) -> None:
        """Everyone signs up; those withdrawing then withdraw, each with a reason."""
        ledger = self.ledger
        for person in staying + withdrawing:
            ledger.sign_up(
                SignUp(activity_id=activity, volunteer_id=person.id), actor=self.actor(staff)
            )
        for person in withdrawing:
            reason = self.rng.choice(("家中有事，无法参加", "身体不适", "临时外出放牧"))
            ledger.withdraw_signup(
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
            live = [s for s in live if s.person.id not in served]
        for seat in live:
            if self.hours(activity, seat, staff, can_withdraw=True):
                served[seat.person.id] = seat
        return served

    def _served_by_sheet(
        self, activity: UUID, live: list[Seat], staff: Actor, rejects: bool
    ) -> dict[UUID, Seat]:
        """One bulk sign-in sheet of those the station knows may serve (insured, where the
        rulebook rejects the uninsured)."""
        sheet = [s for s in live if not (rejects and not insured(s))]
        if not sheet:
            return {}
        rows = [HoursRow(s.person.id, s.interval, HoursSource.CHECKIN) for s in sheet]
        self.ledger.record_hours_bulk(
            RecordSheet(activity_id=activity, rows=rows), actor=self.actor(staff)
        )
        for seat in sheet:
            seat.person.busy.append((seat.interval.start, seat.interval.end))
        return {seat.person.id: seat for seat in sheet}

    def choose(self, plan: Plan, window: Interval) -> list[Seat]:
        """Participants drawn by weight from the team's pool, never double-booked."""
        rng = self.rng
        people, cum = self.pools[2 * plan.township + (plan.team == 0)]
        low, high = {"half": (4, 14), "day": (6, 18), "long": (8, 24), "multi": (10, 28)}[
            theme_of(plan.code).shape
        ]
        wanted = min(rng.randint(low, high), max(1, len(people) // 2))
        horizon = window.start - timedelta(days=1)
        seats: dict[UUID, Seat] = {}
        for _ in range(wanted * 4):
            if len(seats) >= wanted:
                break
            person = people[bisect(cum, rng.random() * cum[-1])]
            if person.id in seats:
                continue
            seat = self._seat(person, window, horizon)
            if seat is not None:
                seats[person.id] = seat
        return list(seats.values())

    def _seat(self, person: Person, window: Interval, horizon: datetime) -> Seat | None:
        """The person's shift in the window and how its hours arrive; None when the person
        is busy then (intervals that ended before ``horizon`` are forgotten first)."""
        rng = self.rng
        person.busy = [b for b in person.busy if b[1] > horizon]
        interval = self.shift(window)
        if not person.free(interval):
            return None
        roll = rng.random()
        source = HoursSource.CHECKIN if roll < 0.72 else HoursSource.ORGANISER
        source = HoursSource.BACKFILL if roll > 0.97 else source
        signed = source is HoursSource.BACKFILL or rng.random() < 0.7
        return Seat(person, interval, source, signed)

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
            return False
        seat.person.busy.append((seat.interval.start, seat.interval.end))
        return True

    def outcomes(
        self,
        activity: UUID,
        window: Interval,
        kinds: list[BeneficiaryType],
        staff: Actor,
    ) -> None:
        rng, ledger = self.rng, self.ledger
        counts = {
            kind: rng.randint(3, 40) if kind is BeneficiaryType.PUBLIC else rng.randint(1, 12)
            for kind in kinds
        }
        ledger.record_beneficiaries(
            RecordBeneficiaries(activity_id=activity, counts=counts), actor=self.actor(staff)
        )
        ended = window.local_end_date(ledger.rulebook.latest.utc_offset)
        for n in range(rng.randint(1, 3)):
            score = rng.choices((5, 4, 3), (55, 35, 10))[0]
            # Each rating names its rater (one of the people served, by type and household)
            # and is given within days of the activity, as the office collects them.
            kind = kinds[n % len(kinds)] if kinds else BeneficiaryType.PUBLIC
            ledger.record_feedback(
                RecordFeedback(
                    activity_id=activity,
                    satisfaction=score,
                    comment=rng.choice(COMMENTS[score]),
                    rater=Rater(kind, f"{str(activity)[:8]}-{n + 1:02d}户"),
                    given_on=ended + timedelta(days=n),
                ),
                actor=self.actor(staff),
            )
        if rng.random() < 0.35:
            level = rng.choices(list(MediaLevel), MEDIA_WEIGHTS)[0]
            published = window.start.date() + timedelta(days=rng.randint(0, 3))
            ledger.record_media(
                RecordMedia(
                    activity_id=activity,
                    outlet=rng.choice(OUTLETS[level]),
                    level=level,
                    url=f"https://media.example.cn/{level.value}/{published:%Y%m%d}/{self.requests}",
                    published_on=published,
                ),
                actor=self.actor(staff),
            )

    def verify(self, activity: UUID, plan: Plan, served: dict[UUID, Seat], flags: bool) -> None:
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
            seat = served[award.volunteer_id]
            self.settle(seat.person, held[award.volunteer_id])
            if flags and not insured(seat):
                self.n.flags += 1
            self.sample(Candidate(activity, seat.person, seat.interval, award))
