"""The year's training and its end: corrections, reversals, redemptions, star
certifications and commendations the rules support."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from application.commands.activities import ApproveCorrection, CorrectHours
from application.commands.people import (
    CertifyStarLevel,
    CommendTeam,
    CommendVolunteer,
    CompleteTraining,
    RedeemPoints,
    ReverseAward,
    UseVoucher,
)
from application.readmodel.projections.ranking import RankingProjection
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import replay
from application.readmodel.store import Row
from demo.records import Candidate, Person
from demo.service import Service
from domain.commendation import ServiceYear
from domain.points import training_points
from domain.rulebook import CourtesyBenefit, RulebookVersion
from domain.values import (
    Interval,
)
from domain.volunteer import Volunteer, voucher_code


class DemoYear(Service):
    """A whole demo year: the roster, the service, then training and the year's end."""

    # ------------------------------------------------------------------ training

    def train(self, person: Person, course: str, hours: str, day: date) -> None:
        staff = self.staff[person.township]
        self.ledger.complete_training(
            CompleteTraining(
                volunteer_id=person.id, course=course, hours=Decimal(hours), completed_on=day
            ),
            actor=self.actor(staff),
        )
        person.balance += training_points(Decimal(hours), self.ledger.rules_on(day))
        self.n.trainings += 1

    # ------------------------------------------------------------------ the year's end

    def commend_candidates(self) -> None:
        """Commend only whom the rulebook version in force for the year makes a candidate
        (as the annual review re-checks it at the decision's basis position): up to three
        volunteers, most hours first, and the best-ranked team meeting the team criteria."""
        self._commend_volunteers()
        self._commend_team()

    def _commend_volunteers(self) -> None:
        rule = self.ledger.rulebook.for_year(self.year).commendation
        commended = 0
        for person in sorted(self.people, key=lambda p: (-p.hours, str(p.id))):
            if commended == 3:
                break
            served = ServiceYear.of(self._holder(person).awards.values(), self.year)
            if served.qualifies(rule):
                self._commend_volunteer(person, served)
                commended += 1

    def _holder(self, person: Person) -> Volunteer:
        """The person's ledger as the year-end decisions read it."""
        holder: Volunteer = self.ledger.repository.get(person.id)
        return holder

    def _commend_volunteer(self, person: Person, served: ServiceYear) -> None:
        self.ledger.commend_volunteer(
            CommendVolunteer(
                volunteer_id=person.id,
                title="优秀退役军人志愿者",
                period=str(self.year),
                basis_position=self.ledger.current_position(),
                reason=f"{self.year}年度累计志愿服务{served.hours}小时，"
                f"参加经核验的活动{served.activities}次",
            ),
            actor=self.actor(self.office),
        )
        self.n.commendations += 1

    def _commend_team(self) -> None:
        basis = self.ledger.current_position()
        team = self._best_team(basis)
        if team is None:
            return
        self.ledger.commend_team(
            CommendTeam(
                team_id=UUID(team["team_id"]),
                title="优秀志愿服务队",
                period=str(self.year),
                basis_position=basis,
                reason=f"{self.year}年度完成并核验志愿服务活动{team['activities']}次，"
                f"满意度{team['mean_satisfaction']}，综合排名第{team['rank']}",
            ),
            actor=self.actor(self.office),
        )
        self.n.commendations += 1

    def _best_team(self, basis: int) -> Row | None:
        """The best-ranked of this run's teams the criteria make a candidate, as the
        ranking read at ``basis`` sees them (a store may hold an earlier run's teams)."""
        teams = self._team_eligibility(basis)
        ours = {str(t) for t in self.team_ids}
        return next(
            (t for t in teams if t["commendation_candidate"] and t["team_id"] in ours), None
        )

    def _team_eligibility(self, basis: int) -> list[Row]:
        """The year's teams as the ranking read at ``basis`` sees them, best first."""
        ledger = self.ledger
        store, _ = replay(ledger, [RankingProjection(ledger.rulebook)], upto=basis)
        return ReadModels(store, ledger.rulebook).team_eligibility(self.year)

    def year_end(self, activities: int) -> None:
        """The year's end: corrections and reversals found in review, star certifications
        of the volunteers whose figures are exact, commendations, courtesy benefits."""
        self._review(activities)
        self.progress("year-end", 1, 3)
        exact = [p for p in self.people if not p.touched]
        self.certify_stars(exact)
        self.progress("year-end", 2, 3)
        self.commend_candidates()
        self.grant_benefits(exact)
        self.progress("year-end", 3, 3)

    def _review(self, activities: int) -> None:
        """One or two of the sampled awards corrected, as many more reversed."""
        wanted = min(2, max(1, activities // 150))
        picked = self._review_picks()
        for c in picked[:wanted]:
            self.correct_after_review(c)
        for c in picked[wanted : 2 * wanted]:
            self.reverse_after_review(c)

    def _review_picks(self) -> list[Candidate]:
        """The sampled awards still standing, one per person, in sampled order."""
        picked: dict[Person, Candidate] = {}
        for candidate in self.candidates:
            if candidate.person not in picked and self.still_standing(candidate):
                picked[candidate.person] = candidate
        return list(picked.values())

    def correct_after_review(self, c: Candidate) -> None:
        """A shift's end corrected by an hour: proposed by the station, approved by the
        bureau (a verified participation changes only when a second person approves)."""
        ledger = self.ledger
        proposed = ledger.correct_hours(
            CorrectHours(
                activity_id=c.activity_id,
                volunteer_id=c.person.id,
                interval=Interval(c.interval.start, c.interval.end - timedelta(hours=1)),
                reason="签退时间登记有误，按纸质签到表更正",
            ),
            actor=self.actor(self.staff[c.person.township]),
        )
        ledger.approve_correction(
            ApproveCorrection(
                activity_id=c.activity_id, correction_id=proposed.created["correction_id"]
            ),
            actor=self.actor(self.verifier),
        )
        self.n.corrections += 1
        points = self.n.points
        self.settle(c.person, self.held(c.person))
        # The correction's own award is counted among corrections, not verifications.
        self.n.awards -= 1
        self.n.points = points
        c.person.touched = True

    def reverse_after_review(self, c: Candidate) -> None:
        self.ledger.reverse_award(
            ReverseAward(
                volunteer_id=c.person.id,
                entry_id=c.award.entry_id,
                reason="经核查当日未实际到岗，撤销该次积分",
            ),
            actor=self.actor(self.verifier),
        )
        points = self.n.points
        self.settle(c.person, self.held(c.person))
        self.n.points = points

    def certify_stars(self, exact: list[Person]) -> None:
        """Star levels certified for the year, for volunteers whose tracked hours are exact."""
        rules = self.ledger.rules_today()
        for person in exact:
            level = rules.star_level(person.hours)
            if level:
                self._certify(person, level)

    def _certify(self, person: Person, level: int) -> None:
        self.ledger.certify_star_level(
            CertifyStarLevel(
                volunteer_id=person.id,
                level=level,
                basis_position=self.ledger.current_position(),
                service_year=self.year,
            ),
            actor=self.actor(self.office),
        )
        self.n.certifications += 1

    def grant_benefits(self, exact: list[Person]) -> None:
        """Courtesy benefits (礼遇) of the rulebook, for some of those with 20 points or more
        whose tier includes one they can afford."""
        rules = self.ledger.rules_today()
        for person in self._drawn_savers(exact):
            benefit = self._affordable_benefit(person, rules)
            if benefit is not None:
                self._redeem(person, benefit)

    def _drawn_savers(self, exact: list[Person]) -> list[Person]:
        """Some of those with 20 points or more: at least three, else one in sixty of all."""
        savers = [p for p in exact if p.balance >= 20]
        return self.rng.sample(savers, min(len(savers), max(3, len(self.people) // 60)))

    def _affordable_benefit(self, person: Person, rules: RulebookVersion) -> CourtesyBenefit | None:
        """One of the benefits the person's tier includes and their balance pays for, drawn
        in code order; None when there is none."""
        offered = rules.benefits_for(rules.courtesy_tier(self._holder(person).lifetime_points))
        codes = sorted(c for c, b in offered.items() if b.points <= person.balance)
        return offered[self.rng.choice(codes)] if codes else None

    def _redeem(self, person: Person, benefit: CourtesyBenefit) -> None:
        """Points redeemed for the benefit; about half the vouchers handed over by year end."""
        recorded = self.ledger.redeem_points(
            RedeemPoints(volunteer_id=person.id, benefit=benefit.code),
            actor=self.actor(self.office),
        )
        person.balance -= benefit.points
        self.n.redemptions += 1
        if self.rng.random() < 0.5:
            self.ledger.use_voucher(
                UseVoucher(volunteer_id=person.id, code=voucher_code(recorded.created["entry_id"])),
                actor=self.actor(self.office),
            )
