"""Stateful property: however commands and runner batches interleave, the read models end exact.

Random valid commands go through the ledger; between them the live runner sometimes
applies a few small batches, is replaced by a fresh runner (a restart), or one
projection is rebuilt under it. At the end, after a catch-up, every projection's live
tables equal a fresh rebuild into the same store and an in-memory replay of the whole
log, and the service's answers read from the live tables equal those read from the replay.
Run on a SQLite file and on a fresh PostgreSQL schema.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

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
    VerifyActivity,
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
    UseVoucher,
)
from application.commands.stations import RegisterStation, RenameStation
from application.readmodel.catalogue import all_projections
from domain.errors import DomainError
from domain.values import (
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
    MediaLevel,
    StationLevel,
    TeamLevel,
)
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.rebuild import rebuild, status
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.settings import Settings
from tests.integration.projection_support import (
    TOWNSHIPS,
    new_pg_schema,
    read_answers,
    replay_snapshot,
    sql_snapshot,
)
from tests.support.builders import BUREAU, STAFF, at, station, volunteer
from tests.support.clock import fixed_clock

CATEGORY_CODES = sorted(load_rulebook().latest.categories)
PROJECTION_NAMES = [p.name for p in all_projections(load_rulebook())]
MINUTES = (0, 10, 20, 30, 40, 50)

MACHINE_SETTINGS = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class ProjectionMachine(RuleBasedStateMachine):
    """One fresh store per example; the store kind is chosen by the subclass."""

    make_settings: ClassVar[Callable[[], tuple[Settings, Callable[[], None]]]]

    teams = Bundle("teams")
    volunteers = Bundle("volunteers")
    activities = Bundle("activities")
    needs = Bundle("needs")
    projects = Bundle("projects")

    def __init__(self) -> None:
        super().__init__()
        settings_, self._drop = type(self).make_settings()
        self.container: Container = bootstrap(settings_, clock=fixed_clock)
        self.ledger = self.container.ledger
        self.runner = self.container.runner(batch_size=5)
        self.days: dict[UUID, date] = {}
        self.attendance: list[tuple[UUID, UUID]] = []
        self.awards: list[tuple[UUID, UUID]] = []
        self.people: list[UUID] = []
        self.villages: dict[str, list[UUID]] = {}

    # ------------------------------------------------------------------ runner moves

    @initialize(batch=st.integers(3, 7))
    def start_runner(self, batch: int) -> None:
        self.runner = self.container.runner(batch_size=batch)

    @initialize(target=teams, township=st.sampled_from(TOWNSHIPS))
    def first_team(self, township: str) -> UUID:
        return self.form_team(township, TeamLevel.TOWNSHIP)

    @initialize(target=volunteers, count=st.integers(2, 4))
    def first_volunteers(self, count: int) -> Any:
        return multiple(*(self.register(uninsured=0) for _ in range(count)))

    @initialize(
        target=activities,
        days=st.lists(st.integers(0, 364), min_size=1, max_size=3),
        category=st.sampled_from(CATEGORY_CODES),
    )
    def first_activities(self, days: list[int], category: str) -> Any:
        team = self.form_team(TOWNSHIPS[1], TeamLevel.BANNER)
        return multiple(*(self.plan(team, day, category, TOWNSHIPS[1], 8) for day in days))

    @rule(batches=st.integers(1, 3))
    def runner_steps(self, batches: int) -> None:
        for _ in range(batches):
            self.runner.step()

    @rule(batch=st.integers(3, 7))
    def restart_runner(self, batch: int) -> None:
        """The process dies between batches; a new runner takes over from the tracked positions."""
        self.runner = self.container.runner(batch_size=batch)

    @rule(name=st.sampled_from(PROJECTION_NAMES), batch=st.integers(2, 9))
    def rebuild_one(self, name: str, batch: int) -> None:
        (projection,) = [p for p in all_projections(self.container.rulebook) if p.name == name]
        rebuild(self.ledger, self.container.store, projection, batch_size=batch)

    # ------------------------------------------------------------------ commands

    @rule(target=teams, township=st.sampled_from(TOWNSHIPS), level=st.sampled_from(TeamLevel))
    def form_team(self, township: str, level: TeamLevel) -> UUID:
        return self.ledger.form_team(
            FormTeam(
                name=f"{township}志愿服务队",
                level=level,
                township=township,
                station_id=station(self.ledger, township),
            ),
            actor=STAFF,
        ).id

    @rule(township=st.sampled_from(TOWNSHIPS), n=st.integers(1, 9))
    def register_village_station(self, township: str, n: int) -> None:
        village = self.ledger.register_station(
            RegisterStation(
                name=f"{township}第{n}嘎查退役军人服务站",
                level=StationLevel.VILLAGE,
                township=township,
                parent_id=station(self.ledger, township),
            ),
            actor=BUREAU,
        ).id
        self.villages.setdefault(township, []).append(village)

    @rule(township=st.sampled_from(TOWNSHIPS), village=st.booleans(), n=st.integers(1, 9))
    def rename_station(self, township: str, village: bool, n: int) -> None:
        """Rankings and the directory show a station under its latest name."""
        found = self.villages.get(township) if village else None
        target = found[n % len(found)] if found else station(self.ledger, township)
        self._refusable(
            lambda: self.ledger.rename_station(
                RenameStation(station_id=target, name=f"服务站{n}号"), actor=BUREAU
            )
        )

    @rule(target=volunteers, uninsured=st.integers(0, 3))
    def register(self, uninsured: int) -> UUID:
        vid = volunteer(self.ledger, insured=uninsured != 3)
        self.people.append(vid)
        return vid

    @rule(
        target=activities,
        team=teams,
        day=st.integers(0, 364),
        category=st.sampled_from(CATEGORY_CODES),
        township=st.sampled_from(TOWNSHIPS),
        capacity=st.integers(1, 6),
        at_village=st.booleans(),
    )
    def plan(
        self,
        team: UUID,
        day: int,
        category: str,
        township: str,
        capacity: int,
        at_village: bool = False,
    ) -> UUID:
        when = date(2022, 1, 1) + timedelta(days=day)
        villages = self.villages.get(township, [])
        aid = self.ledger.plan_activity(
            PlanActivity(
                title="健康知识进社区",
                category=Category(category),
                team_id=team,
                township=township,
                station_id=villages[day % len(villages)]
                if at_village and villages
                else station(self.ledger, township),
                location="文化广场",
                window=Interval(at(when, 8), at(when, 18)),
                beneficiary_types=[BeneficiaryType.VETERAN, BeneficiaryType.PUBLIC],
                capacity=capacity,
            ),
            actor=STAFF,
        ).id
        self.days[aid] = when
        return aid

    @rule(activity=activities)
    def publish(self, activity: UUID) -> None:
        self._refusable(
            lambda: self.ledger.publish_activity(PublishActivity(activity_id=activity), actor=STAFF)
        )

    @rule(
        activity=activities,
        person=volunteers,
        hour=st.integers(8, 15),
        minute=st.sampled_from(MINUTES),
        minutes=st.integers(10, 240),
        source=st.sampled_from(HoursSource),
    )
    def record_hours(
        self,
        activity: UUID,
        person: UUID,
        hour: int,
        minute: int,
        minutes: int,
        source: HoursSource,
    ) -> None:
        start = at(self.days[activity], hour, minute)
        interval = Interval(start, start + timedelta(minutes=minutes))
        done = self._refusable(
            lambda: self.ledger.record_hours(
                RecordHours(
                    activity_id=activity, volunteer_id=person, interval=interval, source=source
                ),
                actor=STAFF,
            )
        )
        if done:
            self.attendance.append((activity, person))

    @rule(
        activity=activities,
        people=st.lists(volunteers, min_size=1, max_size=4, unique=True),
        hour=st.integers(8, 12),
        minutes=st.integers(10, 300),
        feedback=st.lists(st.integers(1, 5), max_size=2),
    )
    def serve_and_verify(
        self, activity: UUID, people: list[UUID], hour: int, minutes: int, feedback: list[int]
    ) -> None:
        """A whole activity day: hours for a few people (staggered), feedback, completion, verification."""
        for n, person in enumerate(people):
            self.record_hours(activity, person, hour, 10 * n, minutes, HoursSource.CHECKIN)
        for satisfaction in feedback:
            self.feedback(activity, satisfaction)
        self.complete(activity)
        self.verify(activity)

    @rule(activity=activities, satisfaction=st.integers(1, 5))
    def feedback(self, activity: UUID, satisfaction: int) -> None:
        self._refusable(
            lambda: self.ledger.record_feedback(
                RecordFeedback(activity_id=activity, satisfaction=satisfaction, comment=""),
                actor=STAFF,
            )
        )

    @rule(activity=activities, level=st.sampled_from(MediaLevel))
    def media(self, activity: UUID, level: MediaLevel) -> None:
        self._refusable(
            lambda: self.ledger.record_media(
                RecordMedia(
                    activity_id=activity,
                    outlet="通辽日报",
                    level=level,
                    url="https://example.org/news",
                    published_on=self.days[activity],
                ),
                actor=STAFF,
            )
        )

    @rule(activity=activities)
    def complete(self, activity: UUID) -> None:
        self._refusable(
            lambda: self.ledger.complete_activity(
                CompleteActivity(activity_id=activity), actor=STAFF
            )
        )

    @rule(activity=activities)
    def verify(self, activity: UUID) -> None:
        try:
            result = self.ledger.verify_activity(VerifyActivity(activity_id=activity), actor=BUREAU)
        except DomainError:
            return
        self.awards += [(a.volunteer_id, a.entry_id) for a in result.awards]

    @rule(activity=activities, dice=st.integers(0, 3))
    def cancel(self, activity: UUID, dice: int) -> None:
        if dice == 3:  # rarely: a cancelled activity takes no more hours
            self._refusable(
                lambda: self.ledger.cancel_activity(
                    CancelActivity(activity_id=activity, reason="天气原因"), actor=STAFF
                )
            )

    @precondition(lambda self: bool(self.attendance))
    @rule(data=st.data(), hour=st.integers(8, 14), minutes=st.integers(15, 240))
    def correct_hours(self, data: st.DataObject, hour: int, minutes: int) -> None:
        activity, person = data.draw(st.sampled_from(self.attendance))
        start = at(self.days[activity], hour, 5)
        try:
            recorded = self.ledger.correct_hours(
                CorrectHours(
                    activity_id=activity,
                    volunteer_id=person,
                    interval=Interval(start, start + timedelta(minutes=minutes)),
                    reason="签到表更正",
                ),
                actor=STAFF,
            )
            if "correction_id" in recorded.created:  # verified: a second person approves
                approved = self.ledger.approve_correction(
                    ApproveCorrection(
                        activity_id=activity, correction_id=recorded.created["correction_id"]
                    ),
                    actor=BUREAU,
                )
                self.awards.append((person, approved.created["entry_id"]))
        except DomainError:
            return

    @precondition(lambda self: bool(self.awards))
    @rule(data=st.data())
    def reverse_award(self, data: st.DataObject) -> None:
        person, entry = data.draw(st.sampled_from(self.awards))
        self._refusable(
            lambda: self.ledger.reverse_award(
                ReverseAward(volunteer_id=person, entry_id=entry, reason="重复登记"), actor=BUREAU
            )
        )

    @rule(person=volunteers, quarters=st.integers(1, 4))
    def redeem(self, person: UUID, quarters: int) -> None:
        volunteer = self.ledger.repository.get(person)
        rules = self.ledger.rules_today()
        offered = rules.benefits_for(rules.courtesy_tier(volunteer.lifetime_points))
        affordable = sorted(c for c, b in offered.items() if b.points <= volunteer.balance)
        if not affordable:
            return
        code = affordable[quarters % len(affordable)]
        self.ledger.redeem_points(RedeemPoints(volunteer_id=person, benefit=code), actor=STAFF)

    @rule(person=volunteers, pick=st.integers(0, 3))
    def hand_over(self, person: UUID, pick: int) -> None:
        """A voucher handed over (核销); now and then one already used, which is refused."""
        vouchers = sorted(self.ledger.repository.get(person).vouchers)
        if vouchers:
            code = vouchers[pick % len(vouchers)]
            self._refusable(
                lambda: self.ledger.use_voucher(
                    UseVoucher(volunteer_id=person, code=code), actor=STAFF
                )
            )

    @rule(
        person=volunteers,
        hours=st.sampled_from(("0.5", "1", "2.5", "24")),
        day=st.integers(0, 364),
    )
    def training(self, person: UUID, hours: str, day: int) -> None:
        self._refusable(  # the same course twice on one day is refused
            lambda: self.ledger.complete_training(
                CompleteTraining(
                    volunteer_id=person,
                    course="应急救护",
                    hours=Decimal(hours),
                    completed_on=date(2022, 1, 1) + timedelta(days=day),
                ),
                actor=STAFF,
            )
        )

    @rule(person=volunteers, title=st.sampled_from(("优秀志愿者", "先进个人")))
    def commend(self, person: UUID, title: str) -> None:
        self._refusable(
            lambda: self.ledger.commend_volunteer(
                CommendVolunteer(
                    volunteer_id=person,
                    title=title,
                    period="2022" if title == "优秀志愿者" else "2023",
                    basis_position=self.ledger.current_position(),
                    reason="",
                ),
                actor=BUREAU,
            )
        )

    # ------------------------------------------------------------------ needs and projects

    @rule(
        target=needs,
        township=st.sampled_from(TOWNSHIPS),
        category=st.sampled_from(["life_difficulty", "employment_difficulty", *CATEGORY_CODES]),
    )
    def raise_need(self, township: str, category: str) -> UUID:
        return self.ledger.raise_need(
            RaiseNeed(
                township=township,
                station_id=station(self.ledger, township),
                beneficiary_type=BeneficiaryType.MARTYR_FAMILY,
                category=category,
                description="冬季取暖煤需要帮助搬运",
                raised_by_name="王桂兰",
                raised_by_contact="13947700123",
            ),
            actor=STAFF,
        ).id

    @rule(
        target=projects,
        team=teams,
        answers=st.lists(needs, max_size=2, unique=True),
        category=st.sampled_from(CATEGORY_CODES),
        activate=st.booleans(),
    )
    def draft_project(self, team: UUID, answers: list[UUID], category: str, activate: bool) -> Any:
        try:
            pid = self.ledger.draft_project(
                DraftProject(
                    title="烈属冬季送温暖",
                    category=Category(category),
                    description="送煤并搬运入户",
                    team_id=team,
                    need_ids=answers,
                    target_beneficiaries=[BeneficiaryType.MARTYR_FAMILY],
                ),
                actor=STAFF,
            ).id
        except DomainError:  # a declined need, a dissolved team
            return multiple()
        if activate:
            self.ledger.activate_project(ActivateProject(project_id=pid), actor=BUREAU)
        return pid

    @rule(
        target=activities,
        team=teams,
        project=projects,
        day=st.integers(0, 364),
        township=st.sampled_from(TOWNSHIPS),
    )
    def plan_in_project(self, team: UUID, project: UUID, day: int, township: str) -> Any:
        when = date(2022, 1, 1) + timedelta(days=day)
        try:
            aid = self.ledger.plan_activity(
                PlanActivity(
                    title="烈属家庭送煤",
                    category=Category(CATEGORY_CODES[day % len(CATEGORY_CODES)]),
                    team_id=team,
                    township=township,
                    station_id=station(self.ledger, township),
                    location="文化广场",
                    window=Interval(at(when, 8), at(when, 18)),
                    beneficiary_types=[BeneficiaryType.MARTYR_FAMILY],
                    capacity=4,
                    project_id=project,
                ),
                actor=STAFF,
            ).id
        except DomainError:  # the project is a draft or closed
            return multiple()
        self.days[aid] = when
        return aid

    @rule(need=needs, activity=activities)
    def close_need(self, need: UUID, activity: UUID) -> None:
        self._refusable(
            lambda: self.ledger.close_need(
                CloseNeed(need_id=need, activity_id=activity, outcome="已办结"), actor=STAFF
            )
        )

    @rule(need=needs)
    def decline_need(self, need: UUID) -> None:
        self._refusable(
            lambda: self.ledger.decline_need(
                DeclineNeed(need_id=need, reason="已由其他部门解决"), actor=STAFF
            )
        )

    @rule(project=projects)
    def close_project(self, project: UUID) -> None:
        self._refusable(
            lambda: self.ledger.close_project(
                CloseProject(project_id=project, reason="并入其他项目"), actor=BUREAU
            )
        )

    def _refusable(self, command: Callable[[], Any]) -> bool:
        try:
            command()
        except DomainError:
            return False
        return True

    # ------------------------------------------------------------------ the invariant

    def check_read_models(self) -> None:
        container, ledger = self.container, self.ledger
        head = ledger.current_position()
        # runner.catch_up(), bounded: a runner that never converges fails instead of hanging.
        for _ in range(10 * head + 10):
            if self.runner.step() == 0:
                break
        else:
            raise AssertionError("the runner never caught up")
        for s in status(ledger, container.store):
            assert (s.position, s.error) == (head, None), s

        projections = all_projections(container.rulebook)
        live = sql_snapshot(container.store, projections)
        expected, memory = replay_snapshot(ledger, container.rulebook)
        for name in expected:
            assert live[name] == expected[name], f"{name}: live tables differ from a replay"

        people = [str(v) for v in self.people]
        assert read_answers(container.store, container.rulebook, people) == read_answers(
            memory, container.rulebook, people
        )

        for projection in projections:
            assert rebuild(ledger, container.store, projection, batch_size=4) == head
        assert sql_snapshot(container.store, projections) == live, "a rebuild differs"

    def teardown(self) -> None:
        try:
            self.check_read_models()
        finally:
            self.container.close()
            self._drop()


def _sqlite_settings() -> tuple[Settings, Callable[[], None]]:
    directory = Path(tempfile.mkdtemp(prefix="vl-props-"))
    return (
        Settings(database_url=f"sqlite:///{directory / 'ledger.sqlite3'}"),
        lambda: shutil.rmtree(directory, ignore_errors=True),
    )


def test_read_models_equal_a_rebuild_and_a_replay_on_sqlite() -> None:
    class OnSqlite(ProjectionMachine):
        make_settings = staticmethod(_sqlite_settings)

    run_state_machine_as_test(OnSqlite, settings=MACHINE_SETTINGS)


@pytest.mark.postgres
def test_read_models_equal_a_rebuild_and_a_replay_on_postgres(pg_database: str) -> None:
    class OnPostgres(ProjectionMachine):
        make_settings = staticmethod(lambda: new_pg_schema(pg_database))

    run_state_machine_as_test(OnPostgres, settings=MACHINE_SETTINGS)
