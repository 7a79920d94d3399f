"""Shared helpers for the projection-runner tests: snapshots, comparisons, stores, a workload.

A snapshot is every row of every read-model table, per projection, sorted by key, so
two builds (live SQL tables, a rebuild, an in-memory replay) compare with ``==``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

from application.commands.activities import (
    ApproveCorrection,
    CancelActivity,
    CompleteActivity,
    CorrectHours,
    PlanActivity,
    PublishActivity,
    RecordFeedback,
    RecordHours,
    RecordMedia,
    SignUp,
    VerifyActivity,
    WithdrawSignup,
)
from application.commands.needs import (
    ActivateProject,
    CloseNeed,
    CloseProject,
    DeclineNeed,
    DraftProject,
    RaiseNeed,
)
from application.commands.people import (
    CommendVolunteer,
    CompleteTraining,
    FormTeam,
    RedeemPoints,
    ReverseAward,
)
from application.errors import BulkRejected, ConcurrencyConflict
from application.ledger import VolunteerLedger
from application.readmodel.base import Projection
from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import replay
from application.readmodel.store import MemoryStore, RowStore
from domain.errors import DomainError
from domain.rulebook import Rulebook
from domain.values import (
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaLevel,
    TeamLevel,
)
from infrastructure.settings import Settings
from infrastructure.sqlstore import SqlStore
from tests.support.builders import BUREAU, STAFF, at, station, volunteer
from tests.support.postgres import pg_url

Snapshot = dict[str, dict[str, list[dict[str, Any]]]]

TOWNSHIPS = ("巴彦镇", "乌兰苏木", "宝龙山镇")
YEAR_START = date(2022, 1, 1)


# --------------------------------------------------------------------------- snapshots


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((0, "") if k is None else (1, k) for k in key)


def sql_snapshot(store: SqlStore, projections: list[Projection]) -> Snapshot:
    """Every live table of ``projections`` in ``store``."""
    return {
        p.name: {
            t.name: [
                r for _, r in sorted(store.load_table(t).items(), key=lambda kv: _sort_key(kv[0]))
            ]
            for t in p.tables
        }
        for p in projections
    }


def memory_snapshot(memory: MemoryStore, projections: list[Projection]) -> Snapshot:
    return {p.name: memory.snapshot(p.tables) for p in projections}


def replay_snapshot(
    ledger: VolunteerLedger, rulebook: Rulebook, *, upto: int | None = None
) -> tuple[Snapshot, MemoryStore]:
    projections = all_projections(rulebook)
    memory, _ = replay(ledger, projections, upto=upto)
    return memory_snapshot(memory, projections), memory


def assert_each_projection_at_its_tracked_position(
    ledger: VolunteerLedger, store: SqlStore, rulebook: Rulebook
) -> dict[str, int]:
    """Each projection's tables equal an in-memory replay up to the position it has tracked.

    This is "exactly once, nothing half-written": whatever a runner did before it
    stopped or crashed, the committed rows match the committed position.
    """
    tracking = store.tracking()
    positions: dict[str, int] = {}
    by_position: dict[int, Snapshot] = {}
    for projection in all_projections(rulebook):
        position = tracking[projection.name]["position"]
        positions[projection.name] = position
        if position not in by_position:
            by_position[position], _ = replay_snapshot(ledger, rulebook, upto=position)
        live = sql_snapshot(store, [projection])[projection.name]
        expected = by_position[position][projection.name]
        assert live == expected, (
            f"projection {projection.name!r}: live tables differ from a replay up to its "
            f"tracked position {position}"
        )
    return positions


def assert_equal_to_clean_replay(
    ledger: VolunteerLedger, store: SqlStore, rulebook: Rulebook
) -> None:
    """Every projection is at the head, without error, and equals a replay of the whole log."""
    head = ledger.current_position()
    tracking = store.tracking()
    for projection in all_projections(rulebook):
        state = tracking[projection.name]
        assert state["error"] is None, (projection.name, state["error"])
        assert state["position"] == head, (projection.name, state["position"], head)
    expected, _ = replay_snapshot(ledger, rulebook)
    live = sql_snapshot(store, all_projections(rulebook))
    for name in expected:
        assert live[name] == expected[name], f"projection {name!r} differs from a clean replay"


def answers(reads: ReadModels, volunteer_ids: list[str]) -> dict[str, Any]:
    """What the service answers from the read models, for comparing two stores."""
    return {
        "ledgers": {v: reads.ledger(v) for v in sorted(volunteer_ids)},
        "stations": reads.rankings("station", "2022"),
        "teams": reads.rankings("team", "2022"),
        "stations_q2": reads.rankings("station", "2022-Q2"),
        "village_stations": reads.rankings("station", "2022", "village"),
        "station_register": reads.stations(limit=10_000),
        "gaps": reads.insurance_gaps(),
        "gaps_2022": reads.insurance_gaps(year=2022),
        "eligibility": reads.volunteer_eligibility(year=2022, limit=10_000),
        "team_eligibility": reads.team_eligibility(2022),
        "activities": reads.activities(limit=10_000),
        "needs": reads.needs(today=date(2022, 12, 31), limit=10_000),
        "projects": reads.projects(limit=10_000),
        "needs_met": reads.needs_met(),
    }


def read_answers(store: RowStore, rulebook: Rulebook, volunteer_ids: list[str]) -> dict[str, Any]:
    return answers(ReadModels(store, rulebook), volunteer_ids)


# --------------------------------------------------------------------------- stores


def new_pg_schema(dbname: str) -> tuple[Settings, Callable[[], None]]:
    """A fresh schema in ``dbname`` (as conftest's ``pg_store`` makes one) and its dropper."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(pg_url(dbname), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return Settings(database_url=pg_url(dbname), postgres_schema=schema), drop


# --------------------------------------------------------------------------- a random workload

REFUSED = (DomainError, BulkRejected)


def category_codes(rulebook: Rulebook) -> list[str]:
    return sorted(rulebook.latest.categories)


class Workload:
    """Random valid commands against a ledger, one at a time (refusals are caught and counted).

    It keeps just enough state (activity status, who has hours, which awards exist) to
    make most commands valid; the domain still has the last word, and a refusal records
    nothing.
    """

    def __init__(self, ledger: VolunteerLedger, seed: int) -> None:
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.categories = category_codes(ledger.rulebook)
        self.teams: list[UUID] = []
        self.volunteers: list[UUID] = []
        self.activities: dict[UUID, date] = {}
        self.status: dict[UUID, str] = {}
        self.attendance: list[tuple[UUID, UUID]] = []
        self.signed_up: list[tuple[UUID, UUID]] = []
        self.signed_up_again = 0
        self.awards: list[tuple[UUID, UUID]] = []
        self.needs: list[UUID] = []
        self.projects: list[UUID] = []
        self.activity_township: dict[UUID, str] = {}
        self.recorded = 0
        self.refused = 0

    def _activity(self, *states: str) -> UUID:
        found = [a for a, s in self.status.items() if s in states]
        if not found:
            raise DomainError("no activity in that state", rule="test-none")
        return self.rng.choice(found)

    # -- the moves

    def form_team(self) -> None:
        township = self.rng.choice(TOWNSHIPS)
        recorded = self.ledger.form_team(
            FormTeam(
                name=f"{township}志愿服务队{len(self.teams) + 1}",
                level=self.rng.choice((TeamLevel.TOWNSHIP, TeamLevel.BANNER)),
                township=township,
                station_id=station(self.ledger, township),
            ),
            actor=STAFF,
        )
        self.teams.append(recorded.id)

    def register(self) -> None:
        self.volunteers.append(volunteer(self.ledger, insured=self.rng.random() < 0.85))

    def plan(self) -> None:
        day = YEAR_START + timedelta(days=self.rng.randrange(365))
        township = self.rng.choice(TOWNSHIPS)
        project = None
        if self.projects and self.rng.random() < 0.4:
            project = self.rng.choice(self.projects)
        recorded = self.ledger.plan_activity(
            PlanActivity(
                project_id=project,
                title=f"活动{len(self.activities) + 1}",
                category=Category(self.rng.choice(self.categories)),
                team_id=self.rng.choice(self.teams),
                township=township,
                station_id=station(self.ledger, township),
                location="文化广场",
                window=Interval(at(day, 8), at(day, 18)),
                beneficiary_types=[BeneficiaryType.VETERAN],
                capacity=self.rng.randint(3, 12),
            ),
            actor=STAFF,
        )
        self.activities[recorded.id] = day
        self.status[recorded.id] = "planned"
        self.activity_township[recorded.id] = township

    def publish(self) -> None:
        aid = self._activity("planned")
        self.ledger.publish_activity(PublishActivity(activity_id=aid), actor=STAFF)
        self.status[aid] = "published"

    def hours(self) -> None:
        aid = self._activity("planned", "published")
        vid = self.rng.choice(self.volunteers)
        day = self.activities[aid]
        start = at(day, self.rng.randint(8, 15), self.rng.choice((0, 10, 20, 30, 40, 50)))
        end = start + timedelta(minutes=self.rng.randint(10, 180))
        source = self.rng.choices(list(HoursSource), weights=(6, 3, 1))[0]
        self.ledger.record_hours(
            RecordHours(
                activity_id=aid, volunteer_id=vid, interval=Interval(start, end), source=source
            ),
            actor=STAFF,
        )
        self.attendance.append((aid, vid))

    def sign_up(self) -> None:
        aid = self._activity("planned", "published")
        vid = self.rng.choice(self.volunteers)
        self.ledger.sign_up(SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF)
        self.signed_up.append((aid, vid))

    def withdraw(self) -> None:
        """A sign-up withdrawn (refused once hours are recorded), and half the time made again
        at once; or later, by ``sign_up``."""
        aid, vid = self.rng.choice(self.signed_up)
        self.ledger.withdraw_signup(
            WithdrawSignup(activity_id=aid, volunteer_id=vid, reason="临时有事"), actor=STAFF
        )
        self.signed_up.remove((aid, vid))
        if self.rng.random() < 0.5:
            self.ledger.sign_up(SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF)
            self.signed_up.append((aid, vid))
            self.signed_up_again += 1

    def outcome(self) -> None:
        aid = self._activity("planned", "published", "completed", "verified")
        if self.rng.random() < 0.6:
            self.ledger.record_feedback(
                RecordFeedback(activity_id=aid, satisfaction=self.rng.randint(1, 5), comment=""),
                actor=STAFF,
            )
        else:
            self.ledger.record_media(
                RecordMedia(
                    activity_id=aid,
                    outlet="通辽日报",
                    level=self.rng.choice(list(MediaLevel)),
                    url="",
                    published_on=self.activities[aid],
                ),
                actor=STAFF,
            )

    def complete(self) -> None:
        aid = self._activity("planned", "published")
        self.ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
        self.status[aid] = "completed"

    def verify(self) -> None:
        aid = self._activity("completed")
        result = self.ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
        self.status[aid] = "verified"
        self.awards += [(a.volunteer_id, a.entry_id) for a in result.awards]

    def correct(self) -> None:
        aid, vid = self.rng.choice(self.attendance)
        day = self.activities[aid]
        start = at(day, self.rng.randint(8, 14), self.rng.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=self.rng.randint(20, 200))
        recorded = self.ledger.correct_hours(
            CorrectHours(
                activity_id=aid,
                volunteer_id=vid,
                interval=Interval(start, end),
                reason="签到表更正",
            ),
            actor=STAFF,
        )
        if "correction_id" in recorded.created:  # verified: a second person approves
            approved = self.ledger.approve_correction(
                ApproveCorrection(activity_id=aid, correction_id=recorded.created["correction_id"]),
                actor=BUREAU,
            )
            self.awards.append((vid, approved.created["entry_id"]))

    def reverse(self) -> None:
        vid, entry = self.rng.choice(self.awards)
        self.ledger.reverse_award(
            ReverseAward(volunteer_id=vid, entry_id=entry, reason="重复登记"), actor=BUREAU
        )

    def redeem(self) -> None:
        vid = self.rng.choice(self.volunteers)
        person = self.ledger.repository.get(vid)
        rules = self.ledger.rules_today()
        offered = rules.benefits_for(rules.courtesy_tier(person.lifetime_points))
        affordable = sorted(code for code, b in offered.items() if b.points <= person.balance)
        if not affordable:
            raise DomainError("nothing to redeem", rule="test-nothing")
        self.ledger.redeem_points(
            RedeemPoints(volunteer_id=vid, benefit=self.rng.choice(affordable)), actor=STAFF
        )

    def training(self) -> None:
        self.ledger.complete_training(
            CompleteTraining(
                volunteer_id=self.rng.choice(self.volunteers),
                course="应急救护",
                hours=Decimal(self.rng.choice(("1", "2.5", "8", "24"))),
                completed_on=YEAR_START + timedelta(days=self.rng.randrange(365)),
            ),
            actor=STAFF,
        )

    def commend(self) -> None:
        # One commendation per period: the two titles are given for different years, so
        # a volunteer may hold two.
        person = self.rng.choice(self.volunteers)
        title = self.rng.choice(("优秀志愿者", "先进个人"))
        self.ledger.commend_volunteer(
            CommendVolunteer(
                volunteer_id=person,
                title=title,
                period="2022" if title == "优秀志愿者" else "2023",
                basis_position=self.ledger.current_position(),
                reason="",
            ),
            actor=BUREAU,
        )

    def cancel(self) -> None:
        aid = self._activity("planned", "published", "completed")
        self.ledger.cancel_activity(CancelActivity(activity_id=aid, reason="天气原因"), actor=STAFF)
        self.status[aid] = "cancelled"

    def raise_need(self) -> None:
        township = self.rng.choice(TOWNSHIPS)
        recorded = self.ledger.raise_need(
            RaiseNeed(
                township=township,
                station_id=station(self.ledger, township),
                beneficiary_type=self.rng.choice(list(BeneficiaryType)),
                category=self.rng.choice(
                    ["life_difficulty", "education_difficulty", *self.categories]
                ),
                description=f"需求{len(self.needs) + 1}",
                raised_by_name="王桂兰",
                raised_by_contact="13947700123",
            ),
            actor=STAFF,
        )
        self.needs.append(recorded.id)

    def project(self) -> None:
        """A project answering some needs; most are activated (a closed one takes no activity)."""
        recorded = self.ledger.draft_project(
            DraftProject(
                title=f"项目{len(self.projects) + 1}",
                category=Category(self.rng.choice(self.categories)),
                description="服务清单项目",
                team_id=self.rng.choice(self.teams),
                need_ids=self.rng.sample(self.needs, min(len(self.needs), self.rng.randint(0, 2))),
                target_beneficiaries=[BeneficiaryType.VETERAN],
            ),
            actor=STAFF,
        )
        if self.rng.random() < 0.8:
            self.ledger.activate_project(ActivateProject(project_id=recorded.id), actor=BUREAU)
            self.projects.append(recorded.id)
        if self.rng.random() < 0.1:
            self.ledger.close_project(
                CloseProject(project_id=recorded.id, reason="并入其他项目"), actor=BUREAU
            )

    def settle_need(self) -> None:
        """A need met by a verified activity (refused unless of its township) or declined."""
        need = self.rng.choice(self.needs)
        if self.rng.random() < 0.25:
            self.ledger.decline_need(
                DeclineNeed(need_id=need, reason="已由其他部门解决"), actor=STAFF
            )
            return
        aid = self._activity("verified")
        self.ledger.close_need(
            CloseNeed(need_id=need, activity_id=aid, outcome="已办结"), actor=STAFF
        )

    def step(self) -> bool:
        """One command; True when it was recorded, False when the domain refused it."""
        moves: list[tuple[Callable[[], None], float]] = [(self.form_team, 0.5), (self.register, 2)]
        if self.teams:
            moves.append((self.plan, 1.5))
        if self.activities and self.volunteers:
            moves += [(self.hours, 8), (self.outcome, 2), (self.complete, 1), (self.verify, 1)]
            moves += [(self.publish, 0.5), (self.cancel, 0.2)]
            moves.append((self.sign_up, 2))
        if self.signed_up:
            moves.append((self.withdraw, 2))
        if self.attendance:
            moves.append((self.correct, 1))
        if self.awards:
            moves.append((self.reverse, 0.7))
        if self.volunteers:
            moves += [(self.redeem, 1), (self.training, 1), (self.commend, 0.5)]
        moves.append((self.raise_need, 0.5))
        if self.teams:
            moves.append((self.project, 0.3))
        if self.needs:
            moves.append((self.settle_need, 0.8))
        move = self.rng.choices([m for m, _ in moves], weights=[w for _, w in moves])[0]
        try:
            move()
        except (*REFUSED, ConcurrencyConflict):
            self.refused += 1
            return False
        self.recorded += 1
        return True

    def run(self, commands: int) -> None:
        """Issue commands until ``commands`` of them were recorded."""
        while self.recorded < commands:
            self.step()
