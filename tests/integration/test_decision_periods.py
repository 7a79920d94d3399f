"""Decisions belong to the year they are about (issue 14, item 7), on both stores: a star
certification names its service_year and the annual review files it there, whenever it
was recorded; the review's per-volunteer figures are as at the end of the year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from application.commands.activities import CompleteActivity, VerifyActivity
from application.commands.people import CertifyStarLevel, RecordInsurance
from application.readmodel.audit.review import annual_review
from domain.errors import DomainError, InvalidValue
from domain.values import InsuranceKind
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.support.builders import BUREAU, STAFF, activity, at, hours, team, volunteer


@pytest.fixture
def in_2023(store: Settings) -> Iterator[Container]:
    """A store whose clock reads June 2023: the office certifies 2022 in the next year."""
    c = bootstrap(store, clock=lambda: datetime(2023, 6, 1, 4, 0, tzinfo=UTC))
    try:
        yield c
    finally:
        c.close()


def _serve(container: Container, tid, vid, day: date) -> None:
    ledger = container.ledger
    aid = activity(ledger, tid, day=day)
    hours(ledger, aid, vid, at(day, 8), at(day, 18))  # 10 h, 10 points
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)


def test_a_certification_is_filed_under_its_service_year_with_year_end_figures(
    in_2023: Container,
) -> None:
    ledger = in_2023.ledger
    tid, vid = team(ledger), volunteer(ledger)
    ledger.record_insurance(
        RecordInsurance(
            volunteer_id=vid,
            policy_number="PICC-2023",
            insurer="中国人保",
            kind=InsuranceKind.GROUP,
            covers_from=date(2023, 1, 1),
            covers_to=date(2023, 12, 31),
            sum_insured=Decimal("200000"),
        ),
        actor=STAFF,
    )
    for n in range(11):  # 110 h served in 2022
        _serve(in_2023, tid, vid, date(2022, 5, 2) + timedelta(days=n))
    for n in range(6):  # 60 h served in 2023
        _serve(in_2023, tid, vid, date(2023, 5, 2) + timedelta(days=n))

    ledger.certify_star_level(
        CertifyStarLevel(
            volunteer_id=vid, level=1, basis_position=ledger.current_position(), service_year=2022
        ),
        actor=BUREAU,
    )
    with pytest.raises(InvalidValue) as future:
        ledger.certify_star_level(
            CertifyStarLevel(
                volunteer_id=vid,
                level=2,
                basis_position=ledger.current_position(),
                service_year=2024,
            ),
            actor=BUREAU,
        )
    assert future.value.field == "service_year"

    review_2022 = annual_review(ledger, in_2023.rulebook, 2022)
    review_2023 = annual_review(ledger, in_2023.rulebook, 2023)
    (certified,) = review_2022["decisions"]  # recorded in 2023, about 2022
    assert certified["kind"] == "star_certification" and certified["eligible_at_basis"] is True
    assert certified["figures"]["credited_hours"] == "110"  # not 170: 2023's service left out
    assert review_2023["decisions"] == []
    (person_2022,) = review_2022["volunteers"]
    assert (person_2022["points"], person_2022["lifetime_points"]) == ("110", "110")
    (person_2023,) = review_2023["volunteers"]
    assert (person_2023["points"], person_2023["lifetime_points"]) == ("60", "170")


def test_a_later_years_service_does_not_reach_an_earlier_years_star(in_2023: Container) -> None:
    ledger = in_2023.ledger
    tid, vid = team(ledger), volunteer(ledger)
    ledger.record_insurance(
        RecordInsurance(
            volunteer_id=vid,
            policy_number="PICC-2023",
            insurer="中国人保",
            kind=InsuranceKind.GROUP,
            covers_from=date(2023, 1, 1),
            covers_to=date(2023, 12, 31),
            sum_insured=Decimal("200000"),
        ),
        actor=STAFF,
    )
    for n in range(11):
        _serve(in_2023, tid, vid, date(2023, 3, 1) + timedelta(days=n))  # 110 h, all in 2023
    with pytest.raises(DomainError) as refused:
        ledger.certify_star_level(
            CertifyStarLevel(
                volunteer_id=vid,
                level=1,
                basis_position=ledger.current_position(),
                service_year=2022,
            ),
            actor=BUREAU,
        )
    assert refused.value.rule == "star-level-not-reached"
    assert "2022年底" in (refused.value.message_zh or "")
