"""Commendation candidacy by the rulebook, on SQLite and PostgreSQL: the year's credited
hours and verified activities, no award of the year withdrawn; one commendation per period.

Ann serves eleven ten-hour days in 2022 (one corrected by an hour: 109 h); Bo serves the
same days but the office withdraws one award (100 h in ten activities, one withdrawn).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from application.commands.activities import CompleteActivity, VerifyActivity
from application.commands.people import CommendVolunteer, ReverseAward
from application.readmodel.audit.review import annual_review
from domain.errors import DomainError
from domain.values import Interval
from infrastructure.bootstrap import Container
from tests.support.builders import (
    BUREAU,
    activity,
    at,
    correct_verified,
    hours,
    team,
    volunteer,
)

DAYS = [date(2022, 3, d) for d in range(1, 12)]


@pytest.fixture
def served(container: Container) -> dict[str, Any]:
    ledger = container.ledger
    squad = team(ledger)
    ann, bo = volunteer(ledger, name="安国"), volunteer(ledger, name="薄军")
    activities = []
    for day in DAYS:
        a = activity(ledger, squad, day=day)
        hours(ledger, a, ann, at(day, 8), at(day, 18))
        hours(ledger, a, bo, at(day, 8), at(day, 18))
        ledger.complete_activity(CompleteActivity(activity_id=a), actor=BUREAU)
        verified = ledger.verify_activity(VerifyActivity(activity_id=a), actor=BUREAU)
        activities.append((a, {w.volunteer_id: w.entry_id for w in verified.awards}))
    first, awards = activities[0]
    correct_verified(
        ledger, first, volunteer_id=ann, interval=Interval(at(DAYS[0], 8), at(DAYS[0], 17))
    )
    ledger.reverse_award(
        ReverseAward(volunteer_id=bo, entry_id=awards[bo], reason="经核查未实际到岗"), actor=BUREAU
    )
    container.runner().catch_up()
    return {"ann": ann, "bo": bo}


def _eligibility(container: Container, year: int) -> dict[str, Any]:
    return container.read_models().volunteer_eligibility(year=year, limit=50)


def test_candidacy_for_a_year_follows_the_rulebook_criteria(
    container: Container, served: dict[str, Any]
) -> None:
    page = _eligibility(container, 2022)
    rows = {r["volunteer_id"]: r for r in page["items"]}
    ann, bo = rows[str(served["ann"])], rows[str(served["bo"])]

    assert page["rules"] == {
        "rulebook_version": "2022.1",
        "volunteer_min_hours": "100",
        "volunteer_min_activities": 6,
        "volunteer_no_reversal": True,
        "team_basis": "key_support",
    }
    # A correction re-credits the day: nothing withdrawn.
    assert (ann["hours_in_year"], ann["activities_in_year"], ann["awards_withdrawn_in_year"]) == (
        "109",
        11,
        0,
    )
    assert ann["commendation_candidate"] is True
    assert (bo["hours_in_year"], bo["activities_in_year"], bo["awards_withdrawn_in_year"]) == (
        "100",
        10,
        1,
    )
    assert bo["commendation_candidate"] is False
    assert not any(r["commendation_candidate"] for r in _eligibility(container, 2023)["items"])


def _commend(container: Container, who: UUID, period: str, title: str = "优秀退役军人志愿者"):
    ledger = container.ledger
    return ledger.commend_volunteer(
        CommendVolunteer(
            volunteer_id=who,
            title=title,
            period=period,
            basis_position=ledger.current_position(),
            reason="年度考评",
        ),
        actor=BUREAU,
    )


def test_one_commendation_per_period_and_a_later_period_may_commend_again(
    container: Container, served: dict[str, Any]
) -> None:
    ann = served["ann"]
    first = _commend(container, ann, "2022")

    with pytest.raises(DomainError) as refused:
        _commend(container, ann, "2022", title="先进个人")
    later = _commend(container, ann, "2023")

    assert refused.value.rule == "commendation-once"
    assert later.version == first.version + 1  # the refusal recorded nothing
    container.runner().catch_up()
    [row] = [r for r in _eligibility(container, 2022)["items"] if r["volunteer_id"] == str(ann)]
    assert (row["commended_in_year"], row["commendation_candidate"]) == (True, False)


def test_the_review_rechecks_each_commendation_by_the_rulebook(
    container: Container, served: dict[str, Any]
) -> None:
    for who in (served["ann"], served["bo"]):
        _commend(container, who, "2022")

    review = annual_review(container.ledger, container.rulebook, 2022)

    checked = {d["subject_id"]: d for d in review["decisions"]}
    assert checked[str(served["ann"])]["eligible_at_basis"] is True
    bo = checked[str(served["bo"])]
    assert bo["eligible_at_basis"] is False
    assert bo["figures"]["awards_withdrawn_in_year"] == 1
