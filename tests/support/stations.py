"""A team and an activity at a given station."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.commands.activities import PlanActivity
from application.commands.people import FormTeam
from application.ledger import VolunteerLedger
from domain.values import (
    BeneficiaryType,
    Category,
    Interval,
    TeamLevel,
)
from tests.support.builders import STAFF, at

D = date(2022, 5, 11)


def team_at(ledger: VolunteerLedger, station_id: UUID, township: str = "巴彦镇") -> UUID:
    return ledger.form_team(
        FormTeam(
            name=f"{township}志愿服务队",
            level=TeamLevel.TOWNSHIP,
            township=township,
            station_id=station_id,
        ),
        actor=STAFF,
    ).id


def activity_at(ledger: VolunteerLedger, team: UUID, station_id: UUID, day: date = D) -> UUID:
    return ledger.plan_activity(
        PlanActivity(
            title="健康知识进嘎查",
            category=Category("health_education"),
            team_id=team,
            township="巴彦镇",
            station_id=station_id,
            location="文化广场",
            window=Interval(at(day, 8), at(day, 18)),
            beneficiary_types=[BeneficiaryType.PUBLIC],
            capacity=5,
        ),
        actor=STAFF,
    ).id
