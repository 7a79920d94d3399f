"""A need raised at a station, and an activity that may meet it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.commands.activities import CompleteActivity, PlanActivity, VerifyActivity
from application.commands.needs import RaiseNeed
from application.ledger import VolunteerLedger
from domain.values import BeneficiaryType, Category, Interval
from tests.support.builders import BUREAU, STAFF, at, hours, station, volunteer

D = date(2022, 5, 11)


def raised_need(
    ledger: VolunteerLedger, township: str = "巴彦镇", category: str = "life_difficulty"
) -> UUID:
    return ledger.raise_need(
        RaiseNeed(
            township=township,
            station_id=station(ledger, township),
            beneficiary_type=BeneficiaryType.MARTYR_FAMILY,
            category=category,
            description="烈属独居老人，冬季取暖煤需要帮助搬运",
            raised_by_name="王桂兰",
            raised_by_contact="13947700123",
        ),
        actor=STAFF,
    ).id


def condolence_activity(ledger: VolunteerLedger, team_id: UUID, project_id: UUID | None) -> UUID:
    return ledger.plan_activity(
        PlanActivity(
            title="烈属家庭送煤",
            category=Category("condolence_visit"),
            team_id=team_id,
            township="巴彦镇",
            station_id=station(ledger),
            location="巴彦镇",
            window=Interval(at(D, 8), at(D, 18)),
            beneficiary_types=[BeneficiaryType.MARTYR_FAMILY],
            capacity=5,
            project_id=project_id,
        ),
        actor=STAFF,
    ).id


def served_and_verified(ledger: VolunteerLedger, aid: UUID) -> None:
    hours(ledger, aid, volunteer(ledger), at(D, 9), at(D, 12))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
