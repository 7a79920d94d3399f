"""Small builders shared by the use-case and integration tests: a team, insured volunteers, an activity."""

from __future__ import annotations

import itertools
import weakref
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from application.commands.activities import (
    ApproveCorrection,
    CorrectHours,
    PlanActivity,
    RecordHours,
)
from application.commands.people import FormTeam, RecordInsurance, RegisterVolunteer
from application.commands.stations import RegisterStation
from application.ledger import VolunteerLedger
from application.results import Verification
from domain.values import (
    Actor,
    BeneficiaryType,
    Category,
    HoursSource,
    InsuranceKind,
    Interval,
    PersonType,
    Role,
    StationLevel,
    TeamLevel,
    national_id_check_char,
)

CST = timezone(timedelta(hours=8))
STAFF = Actor("staff-baiyan", Role.STATION_STAFF, "req-staff")
BUREAU = Actor("bureau-verifier", Role.ADMIN, "req-bureau")
DAY = date(2022, 5, 11)  # the day the builders' activities are planned on by default
_serial = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)


def national_id() -> str:
    """A national id no other call in this process returns (one person, one record)."""
    first17 = f"1501021980{next(_serial):07d}"
    return first17 + national_id_check_char(first17)


_stations: weakref.WeakKeyDictionary[VolunteerLedger, dict[str, UUID]] = weakref.WeakKeyDictionary()


def station(ledger: VolunteerLedger, township: str = "巴彦镇") -> UUID:
    """The township's station "<township>退役军人服务站", registered on first use."""
    known = _stations.setdefault(ledger, {})
    if township not in known:
        known[township] = ledger.register_station(
            RegisterStation(
                name=f"{township}退役军人服务站",
                level=StationLevel.TOWNSHIP,
                township=township,
                parent_id=None,
            ),
            actor=BUREAU,
        ).id
    return known[township]


def team(ledger: VolunteerLedger) -> UUID:
    return ledger.form_team(
        FormTeam(
            name="巴彦镇志愿服务队",
            level=TeamLevel.TOWNSHIP,
            township="巴彦镇",
            station_id=station(ledger),
        ),
        actor=STAFF,
    ).id


def volunteer(ledger: VolunteerLedger, *, insured: bool = True, name: str = "王建国") -> UUID:
    vid = ledger.register_volunteer(
        RegisterVolunteer(
            name=name,
            national_id=national_id(),
            phone="13800000000",
            person_type=PersonType.VETERAN,
            township="巴彦镇",
            skills=["急救"],
        ),
        actor=STAFF,
    ).id
    if insured:
        ledger.record_insurance(
            RecordInsurance(
                volunteer_id=vid,
                policy_number=f"PICC-{vid.hex[:8]}",
                insurer="中国人保",
                kind=InsuranceKind.GROUP,
                covers_from=date(2022, 1, 1),
                covers_to=date(2022, 12, 31),
                sum_insured=Decimal("200000"),
            ),
            actor=STAFF,
        )
    return vid


def activity(
    ledger: VolunteerLedger,
    team_id: UUID,
    *,
    day: date = date(2022, 5, 11),
    category: str = "health_education",
    capacity: int = 10,
    township: str = "巴彦镇",
) -> UUID:
    return ledger.plan_activity(
        PlanActivity(
            title="健康知识进社区",
            category=Category(category),
            team_id=team_id,
            township=township,
            station_id=station(ledger, township),
            location="巴彦镇文化广场",
            window=Interval(at(day, 8), at(day, 18)),
            beneficiary_types=[BeneficiaryType.VETERAN, BeneficiaryType.PUBLIC],
            capacity=capacity,
        ),
        actor=STAFF,
    ).id


def hours(
    ledger: VolunteerLedger,
    activity_id: UUID,
    volunteer_id: UUID,
    start: datetime,
    end: datetime,
    source: HoursSource = HoursSource.CHECKIN,
) -> int:
    return ledger.record_hours(
        RecordHours(
            activity_id=activity_id,
            volunteer_id=volunteer_id,
            interval=Interval(start, end),
            source=source,
        ),
        actor=STAFF,
    ).position


def correct_verified(
    ledger: VolunteerLedger,
    activity_id: UUID,
    *,
    volunteer_id: UUID,
    interval: Interval,
    reason: str = "签到表更正",
    proposer: Actor = STAFF,
    approver: Actor = BUREAU,
) -> Verification:
    """Correct verified hours as the office does: one person proposes, another approves."""
    proposed = ledger.correct_hours(
        CorrectHours(
            activity_id=activity_id, volunteer_id=volunteer_id, interval=interval, reason=reason
        ),
        actor=proposer,
    )
    return ledger.approve_correction(
        ApproveCorrection(activity_id=activity_id, correction_id=proposed.created["correction_id"]),
        actor=approver,
    )
