"""The demo's needs and project library (需求清单 · 项目库 · 服务清单) for 乌审旗.

Drawn without the demo's random generator, so the rest of the year is recorded as before:
each township raises the plan's three difficulties (生活、就学、就业) at its stations, and a
need for 心理疏导 no project answers yet; each township team keeps three projects answering
the difficulties, on the service menu; the year's activities of a project's team and
category name the project; at the year's end the life and education needs whose project
had a verified activity are closed with it, the employment need is declined in every
other township, and the rest wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from application.commands.needs import (
    ActivateProject,
    CloseNeed,
    DeclineNeed,
    DraftProject,
    RaiseNeed,
)
from application.ledger import VolunteerLedger
from domain.values import Actor, BeneficiaryType, Category


@dataclass(frozen=True)
class _Entry:
    difficulty: str
    beneficiary: BeneficiaryType
    need: str
    category: str  # the project's service category
    project: str
    description: str
    outcome: str


ENTRIES = (
    _Entry(
        "life_difficulty",
        BeneficiaryType.MARTYR_FAMILY,
        "{v}烈属独居老人，冬季取暖煤不足，需帮助购煤并搬运入户",
        "condolence_visit",
        "{t}烈属冬季送温暖",
        "入冬前走访烈属、困难退役军人家庭，送煤、送米面油并帮助搬运，解决冬季取暖",
        "已送取暖煤两吨并搬运入户，老人表示满意",
    ),
    _Entry(
        "education_difficulty",
        BeneficiaryType.MILITARY_FAMILY,
        "{v}现役军人子女今年参加高考，家中无人接送，需考点接送和陪考",
        "exam_support",
        "{t}助力高考·军属子女护考",
        "高考期间为军属、退役军人子女提供考点接送、陪考和应急保障",
        "已安排志愿者全程接送陪考，考生顺利完成考试",
    ),
    _Entry(
        "employment_difficulty",
        BeneficiaryType.DEMOBILIZED_VETERAN,
        "{v}退役士兵返乡后未就业，希望学习实用技能、联系用工单位",
        "six_sends",
        "{t}送政策送岗位·退役士兵就业帮扶",
        "宣讲就业创业政策，对接本地企业岗位，组织实用技能培训",
        "已推荐至本镇能源企业面试并参加技能培训，现已上岗",
    ),
)
EMPLOYMENT = ENTRIES[-1]  # declined in every other township, waiting in the rest
# Raised late in the year, answered by no project yet: what the office sees waiting.
WAITING = (
    BeneficiaryType.DISABLED_VETERAN,
    "psychological_support",
    "{t}一位伤残退役军人近来情绪低落，家属希望安排心理疏导",
)
RAISERS = ("王桂兰", "斯琴高娃", "张海军", "乌云其木格", "李建平", "巴图孟和")
DECLINED = "已由民政部门纳入临时救助，不再重复登记"


class DemoLibrary:
    """Needs and projects of the demo year; ``towns``: (name, stations) per township team
    (team index ``t + 1``)."""

    def __init__(
        self,
        ledger: VolunteerLedger,
        actor: Callable[[Actor], Actor],
        office: Actor,
        staff: list[Actor],
    ) -> None:
        self.ledger = ledger
        self.actor = actor
        self.office = office
        self.staff = staff
        self.needs: list[tuple[int, UUID, _Entry]] = []  # (team index, need, entry)
        self.projects: dict[tuple[int, str], UUID] = {}  # (team index, category) → project
        self.verified: dict[UUID, UUID] = {}  # project → its latest verified activity
        self.met = 0
        self.declined = 0
        self.waiting = 0  # needs no project answers

    def enter(self, towns: list[tuple[str, list[UUID]]], team_ids: list[UUID]) -> None:
        """Raise each township's needs and enter its team's projects, on the service menu."""
        for t, (town, stations) in enumerate(towns):
            raised = self._raise_needs(t, town, stations)
            self._raise_waiting(t, town, stations[-1])
            for entry in ENTRIES:
                self._enter_project(t, town, team_ids[t + 1], entry, raised[entry])

    def _raise_needs(self, t: int, town: str, stations: list[UUID]) -> dict[_Entry, UUID]:
        """Township ``t`` raises each difficulty, at its stations in turn: the need of each."""
        raised: dict[_Entry, UUID] = {}
        for i, entry in enumerate(ENTRIES):
            need = self.ledger.raise_need(
                RaiseNeed(
                    township=town,
                    station_id=stations[i % len(stations)],
                    beneficiary_type=entry.beneficiary,
                    category=entry.difficulty,
                    description=entry.need.format(v=town if i % 2 == 0 else "辖区"),
                    raised_by_name=RAISERS[(t + i) % len(RAISERS)],
                    raised_by_contact=f"1394770{t}{i:03d}",
                ),
                actor=self.actor(self.staff[t]),
            ).id
            self.needs.append((t + 1, need, entry))
            raised[entry] = need
        return raised

    def _raise_waiting(self, t: int, town: str, station: UUID) -> None:
        beneficiary, category, text = WAITING
        self.ledger.raise_need(
            RaiseNeed(
                township=town,
                station_id=station,
                beneficiary_type=beneficiary,
                category=category,
                description=text.format(t=town),
                raised_by_name=RAISERS[(t + 3) % len(RAISERS)],
                raised_by_contact=f"1394771{t}{len(ENTRIES):03d}",
            ),
            actor=self.actor(self.staff[t]),
        )
        self.waiting += 1

    def _enter_project(self, t: int, town: str, team_id: UUID, entry: _Entry, need: UUID) -> None:
        """The township team's project answering the entry's need, drafted and activated."""
        project = self.ledger.draft_project(
            DraftProject(
                title=entry.project.format(t=town),
                category=Category(entry.category),
                description=entry.description,
                team_id=team_id,
                need_ids=[need],
                target_beneficiaries=[entry.beneficiary, BeneficiaryType.VETERAN],
            ),
            actor=self.actor(self.staff[t]),
        ).id
        self.ledger.activate_project(
            ActivateProject(project_id=project), actor=self.actor(self.office)
        )
        self.projects[(t + 1, entry.category)] = project

    def project_for(self, team: int, code: str) -> UUID | None:
        return self.projects.get((team, code))

    def served(self, project: UUID | None, activity: UUID) -> None:
        if project is not None:
            self.verified[project] = activity

    def settle(self) -> None:
        """Close the life and education needs a project's verified activity met; the
        employment need is declined in every other township and waits in the rest."""
        for team, need, entry in self.needs:
            if entry is EMPLOYMENT:
                self._decline_in_even_teams(team, need)
            else:
                self._close_if_met(team, need, entry)

    def _decline_in_even_teams(self, team: int, need: UUID) -> None:
        if team % 2 == 0:
            self.ledger.decline_need(
                DeclineNeed(need_id=need, reason=DECLINED), actor=self.actor(self.staff[team - 1])
            )
            self.declined += 1

    def _close_if_met(self, team: int, need: UUID, entry: _Entry) -> None:
        activity = self.verified.get(self.projects[(team, entry.category)])
        if activity is not None:
            self.ledger.close_need(
                CloseNeed(need_id=need, activity_id=activity, outcome=entry.outcome),
                actor=self.actor(self.staff[team - 1]),
            )
            self.met += 1
