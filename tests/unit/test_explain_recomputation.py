"""An award's recomputation, worked out by hand from the default rulebook (2022.1).

The history runs through the use cases on the library's in-memory store; the read
models the explanation locates awards with are built in memory by replaying it.

Default rulebook: the leftover of an hour counts 0 up to 15 min, 0.5 up to 45 min,
else 1; at most 12 credited hours a day; 1 point an hour times the category
multiplier (epidemic_prevention 1.5, emergency_rescue 2.0, others 1.0); backfilled
hours earn no points.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from application.commands.activities import (
    CompleteActivity,
    PlanActivity,
    RecordHours,
    VerifyActivity,
)
from application.commands.people import FormTeam, RecordInsurance, RegisterVolunteer
from application.commands.stations import RegisterStation
from application.ledger import VolunteerLedger
from application.readmodel.audit.explain import AwardExplanation, explain_award
from application.readmodel.catalogue import all_projections
from application.readmodel.replay import replay
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
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.transcodings import ledger_transcodings

CST = timezone(timedelta(hours=8))
DAY = date(2022, 9, 14)
STAFF = Actor("staff-1", Role.STATION_STAFF, "req-staff")
BUREAU = Actor("bureau-1", Role.ADMIN, "req-bureau")


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=CST)


class _Year:
    def __init__(self) -> None:
        self.ledger = VolunteerLedger(
            rulebook=load_rulebook(),
            env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
            transcodings=ledger_transcodings(),
        )
        self.station = self.ledger.register_station(
            RegisterStation(
                name="巴彦镇退役军人服务站",
                level=StationLevel.TOWNSHIP,
                township="巴彦镇",
                parent_id=None,
            ),
            actor=STAFF,
        ).id
        self.team = self.ledger.form_team(
            FormTeam(
                name="巴彦镇志愿服务队",
                level=TeamLevel.TOWNSHIP,
                township="巴彦镇",
                station_id=self.station,
            ),
            actor=STAFF,
        ).id
        self.serial = 0

    def volunteer(self) -> UUID:
        self.serial += 1
        first17 = f"15010219800101{self.serial:03d}"
        vid = self.ledger.register_volunteer(
            RegisterVolunteer(
                name="王建国",
                national_id=first17 + national_id_check_char(first17),
                phone="13800000000",
                person_type=PersonType.VETERAN,
                township="巴彦镇",
                skills=[],
            ),
            actor=STAFF,
        ).id
        self.ledger.record_insurance(
            RecordInsurance(
                volunteer_id=vid,
                policy_number=f"PICC-{self.serial}",
                insurer="中国人保",
                kind=InsuranceKind.GROUP,
                covers_from=date(2022, 1, 1),
                covers_to=date(2022, 12, 31),
                sum_insured=Decimal(200000),
            ),
            actor=STAFF,
        )
        return vid

    def serve(
        self, category: str, vid: UUID, start: datetime, end: datetime, source: HoursSource
    ) -> UUID:
        ledger = self.ledger
        aid = ledger.plan_activity(
            PlanActivity(
                title="志愿服务",
                category=Category(category),
                team_id=self.team,
                township="巴彦镇",
                station_id=self.station,
                location="巴彦镇",
                window=Interval(_at(6), _at(23)),
                beneficiary_types=[BeneficiaryType.PUBLIC],
                capacity=5,
            ),
            actor=STAFF,
        ).id
        ledger.record_hours(
            RecordHours(
                activity_id=aid, volunteer_id=vid, interval=Interval(start, end), source=source
            ),
            actor=STAFF,
        )
        ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
        return (
            ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards[0].entry_id
        )

    def explain(self, entry_id: UUID) -> AwardExplanation:
        rulebook = self.ledger.rulebook
        store, _ = replay(self.ledger, all_projections(rulebook))
        return explain_award(self.ledger, rulebook, store, entry_id)


@pytest.fixture(scope="module")
def year() -> _Year:
    return _Year()


def test_epidemic_prevention_then_a_capped_rescue_the_same_day(year: _Year) -> None:
    vid = year.volunteer()
    # 09:00–13:50 is 4 h 50 min: the 50-minute leftover counts 1 → 5 h × 1.5 = 7.5 points
    first = year.explain(
        year.serve("epidemic_prevention", vid, _at(9), _at(13, 50), HoursSource.CHECKIN)
    )
    i = first.inputs
    assert (i.minutes, i.rounded_hours, i.credited_hours) == (290, 5, 5)
    assert (i.multiplier, i.points_per_hour, i.daily_cap_hours) == (Decimal("1.5"), 1, 12)
    assert first.recomputed_points == first.points == Decimal("7.5")
    assert first.checks["rulebook_version_in_force"] and first.rulebook_version == "2022.1"

    # 14:00–22:20 is 8 h 20 min: the 20-minute leftover counts 0.5 → 8.5 h, but 5 h are
    # already credited that day and the cap is 12 → 7 h credited × 2.0 = 14 points
    second = year.explain(
        year.serve("emergency_rescue", vid, _at(14), _at(22, 20), HoursSource.ORGANISER)
    )
    i = second.inputs
    assert (i.minutes, i.rounded_hours, i.already_credited_that_day) == (500, Decimal("8.5"), 5)
    assert (i.credited_hours, i.multiplier) == (7, 2)
    assert second.recomputed_points == second.points == 14
    assert second.recomputed_hours == second.hours == 7
    assert [e.role for e in second.events if e.role == "same_day_award"] == ["same_day_award"]


@pytest.mark.parametrize(
    ("end", "hours"),
    [
        ((10, 15), Decimal(1)),  # 1 h 15 min: a 15-minute leftover counts 0
        ((10, 16), Decimal("1.5")),  # 1 h 16 min: 16 minutes count half an hour
        ((10, 45), Decimal("1.5")),  # 1 h 45 min
        ((10, 46), Decimal(2)),  # 1 h 46 min: over 45 minutes counts a whole hour
    ],
)
def test_the_rounding_steps_of_the_default_rulebook(
    year: _Year, end: tuple[int, int], hours: Decimal
) -> None:
    x = year.explain(
        year.serve("health_education", year.volunteer(), _at(9), _at(*end), HoursSource.CHECKIN)
    )
    assert x.inputs.rounded_hours == x.recomputed_hours == x.hours == hours
    assert x.recomputed_points == x.points == hours  # health_education × 1.0
    assert x.matches


def test_backfilled_hours_count_but_earn_nothing(year: _Year) -> None:
    # 09:00–10:10 is 1 h 10 min: the 10-minute leftover counts 0 → 1 h, no points
    x = year.explain(
        year.serve("health_education", year.volunteer(), _at(9), _at(10, 10), HoursSource.BACKFILL)
    )
    assert x.inputs.earns_points is False and x.inputs.source == "backfill"
    assert (x.hours, x.recomputed_hours) == (1, 1)
    assert (x.points, x.recomputed_points) == (0, 0)
