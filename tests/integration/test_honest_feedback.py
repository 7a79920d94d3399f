"""Honest feedback in the read models (issue 14, item 4), on both stores: ratings out of
the window or repeated by a rater never change a score; every rating is listed, flagged
when it does not count; a rating counts in its activity's period, not its own."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands.activities import CompleteActivity, RecordFeedback, VerifyActivity
from application.commands.people import FormTeam
from domain.errors import DomainError
from domain.values import BeneficiaryType, Rater, TeamLevel
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, STAFF, activity, at, hours, station, volunteer

DAY = date(2022, 5, 11)  # the activities' day; the stores' clock reads 31 December 2022
LAST_COUNTED = DAY + timedelta(days=30)


def _team_with_activity(container: Container, name: str, day: date) -> tuple[UUID, UUID]:
    ledger = container.ledger
    team_id = ledger.form_team(
        FormTeam(
            name=name, level=TeamLevel.TOWNSHIP, township="巴彦镇", station_id=station(ledger)
        ),
        actor=STAFF,
    ).id
    aid = activity(ledger, team_id, day=day)
    hours(ledger, aid, volunteer(ledger), at(day, 9), at(day, 12))
    return team_id, aid


def _scores(container: Container) -> dict[str, Any]:
    container.runner().catch_up()
    reads = container.read_models()
    return {
        "teams": [
            (r["unit_id"], r["mean_satisfaction"], r["score"], r["rank"])
            for r in reads.rankings("team", "2022")
        ],
        "eligibility": [
            (r["team_id"], r["mean_satisfaction"], r["score"]) for r in reads.team_eligibility(2022)
        ],
    }


@pytest.fixture
def rated(container: Container) -> dict[str, Any]:
    ledger = container.ledger
    _, a = _team_with_activity(container, "巴彦镇志愿服务队", DAY)
    _, b = _team_with_activity(container, "乌兰苏木志愿服务队", DAY)
    household = Rater(BeneficiaryType.VETERAN, "巴彦镇-0001户")
    ledger.record_feedback(
        RecordFeedback(activity_id=a, satisfaction=3, comment="", rater=household, given_on=DAY),
        actor=STAFF,
    )
    ledger.record_feedback(
        RecordFeedback(activity_id=b, satisfaction=4, comment="", rater=household, given_on=DAY),
        actor=STAFF,
    )
    for aid in (a, b):
        ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    return {"a": a, "b": b, "household": household, "baseline": _scores(container)}


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    attempts=st.lists(
        st.tuples(
            st.booleans(),  # a repeat by the household that rated, or a new rater late
            st.integers(1, 5),
            st.dates(LAST_COUNTED + timedelta(days=1), date(2022, 12, 31)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_late_or_repeated_ratings_never_change_a_score(
    container: Container, rated: dict[str, Any], attempts: list[tuple[bool, int, date]]
) -> None:
    ledger = container.ledger
    for repeat, satisfaction, given_on in attempts:
        if repeat:
            with pytest.raises(DomainError) as refused:
                ledger.record_feedback(
                    RecordFeedback(
                        activity_id=rated["a"],
                        satisfaction=satisfaction,
                        comment="",
                        rater=rated["household"],
                        given_on=DAY + timedelta(days=1),
                    ),
                    actor=STAFF,
                )
            assert refused.value.rule == "duplicate-rating"
        else:
            late = ledger.record_feedback(
                RecordFeedback(
                    activity_id=rated["a"],
                    satisfaction=satisfaction,
                    comment="",
                    rater=Rater(BeneficiaryType.PUBLIC, f"迟到-{uuid.uuid4().hex[:8]}"),
                    given_on=given_on,
                ),
                actor=STAFF,
            )
            assert late.counted is False
    assert _scores(container) == rated["baseline"]


def test_every_rating_is_listed_and_the_late_ones_flagged(
    container: Container, rated: dict[str, Any]
) -> None:
    ledger = container.ledger
    within = ledger.record_feedback(
        RecordFeedback(
            activity_id=rated["a"],
            satisfaction=5,
            comment="迟一点也算",
            rater=Rater(BeneficiaryType.MILITARY_FAMILY, "0002户"),
            given_on=LAST_COUNTED,
        ),
        actor=STAFF,
    )
    late = ledger.record_feedback(
        RecordFeedback(
            activity_id=rated["a"],
            satisfaction=5,
            comment="太晚了",
            given_on=LAST_COUNTED + timedelta(days=1),
        ),
        actor=STAFF,
    )
    assert (within.counted, late.counted) == (True, False)
    container.runner().catch_up()
    reads = container.read_models()
    listed = reads.feedback(str(rated["a"]))
    assert [(r["satisfaction"], r["given_on"], r["counted"]) for r in listed] == [
        (3, "2022-05-11", True),
        (5, "2022-06-10", True),
        (5, "2022-06-11", False),
    ]
    assert listed[0]["rater"] == {
        "beneficiary_type": "veteran",
        "reference": "巴彦镇-0001户",
        "anonymous": False,
    }
    assert listed[2]["rater"]["anonymous"] is True  # no rater given: anonymous, and marked
    assert {r["recorded_by"] for r in listed} == {STAFF.user_id}
    row = reads.activity(str(rated["a"]))
    assert (row["feedback_n"], row["satisfaction_sum"], row["feedback_uncounted"]) == (2, 8, 1)
    means = {r["name"]: r["mean_satisfaction"] for r in reads.rankings("team", "2022")}
    # (3 + 5) / 2: the late five is left out
    assert means == {"巴彦镇志愿服务队": "4", "乌兰苏木志愿服务队": "4"}
