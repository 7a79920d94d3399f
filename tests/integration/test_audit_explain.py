"""Award explanations and decision re-checks against real stores (SQLite and PostgreSQL).

Every award of a generated year must be recomputed exactly from its events; corrected
hours (corrections, reversals and re-awards) must be explained with the corrected
figures; and one decision's re-check must agree with the annual review's.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.commands.activities import (
    CompleteActivity,
    PlanActivity,
    RecordFeedback,
    RecordHours,
    VerifyActivity,
)
from application.commands.people import ReverseAward
from application.errors import NotAnAward, NotFound
from application.readmodel.audit.decisions import recheck_decision
from application.readmodel.audit.explain import AwardExplanation, explain_award
from application.readmodel.audit.review import annual_review
from application.readmodel.tables import AUDIT_EVENT, ENTRY
from demo import generate_year
from domain.awards import derived_entry_id
from domain.values import BeneficiaryType, Category, HoursSource, Interval
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, STAFF, at, correct_verified, station, team, volunteer

D = date(2022, 8, 3)


def _explain(
    container: Container, entry_id: UUID | str, *, catch_up: bool = True
) -> AwardExplanation:
    if catch_up:
        container.runner().catch_up()
    x = explain_award(container.ledger, container.rulebook, container.store, UUID(str(entry_id)))
    assert x.recomputed_points == x.points and x.recomputed_hours == x.hours, x.checks
    assert x.matches, x.checks
    positions = [e.position for e in x.events]
    assert positions == sorted(positions) and x.position in positions
    return x


def _roles(x: AwardExplanation) -> list[str]:
    return [e.role for e in x.events]


def _plan(container: Container, team_id: UUID, category: str, day: date = D) -> UUID:
    """An activity with a long window, so one volunteer's day can reach the daily cap."""
    return container.ledger.plan_activity(
        PlanActivity(
            title="防汛抢险" if category == "emergency_rescue" else "健康讲座",
            category=Category(category),
            team_id=team_id,
            township="巴彦镇",
            station_id=station(container.ledger),
            location="巴彦镇",
            window=Interval(at(day, 5), at(day, 23, 30)),
            beneficiary_types=[BeneficiaryType.PUBLIC],
            capacity=10,
        ),
        actor=STAFF,
    ).id


def _serve(
    container: Container,
    activity_id: UUID,
    rows: list[tuple[UUID, Interval, HoursSource]],
) -> dict[UUID, UUID]:
    ledger = container.ledger
    for vid, interval, source in rows:
        ledger.record_hours(
            RecordHours(
                activity_id=activity_id, volunteer_id=vid, interval=interval, source=source
            ),
            actor=STAFF,
        )
    ledger.complete_activity(CompleteActivity(activity_id=activity_id), actor=STAFF)
    verified = ledger.verify_activity(VerifyActivity(activity_id=activity_id), actor=BUREAU)
    return {a.volunteer_id: a.entry_id for a in verified.awards}


def test_the_daily_cap_a_correction_and_backfill_are_explained_with_their_figures(
    container: Container,
) -> None:
    ledger, team_id = container.ledger, team(container.ledger)
    vid, other = volunteer(ledger), volunteer(ledger, name="斯琴")
    health = _plan(container, team_id, "health_education")
    a = _serve(
        container,
        health,
        [
            (vid, Interval(at(D, 6), at(D, 14)), HoursSource.CHECKIN),  # 8 h → 8 points
            (other, Interval(at(D, 9), at(D, 11, 50)), HoursSource.BACKFILL),  # 3 h, no points
        ],
    )
    rescue = _plan(container, team_id, "emergency_rescue")
    b = _serve(container, rescue, [(vid, Interval(at(D, 14), at(D, 22)), HoursSource.ORGANISER)])

    first = _explain(container, a[vid])
    assert (first.points, first.hours) == (Decimal(8), Decimal(8))
    recorded = ["insurance", "planned", "signed_up", "hours_recorded", "verified", "award"]
    assert _roles(first) == recorded

    # 8 h more the same day, capped at 12: 4 h credited × 2.0 = 8 points
    capped = _explain(container, b[vid])
    i = capped.inputs
    assert (i.rounded_hours, i.already_credited_that_day, i.credited_hours) == (8, 8, 4)
    assert (i.multiplier, i.source, i.category) == (Decimal("2.0"), "organiser", "emergency_rescue")
    assert capped.points == 8 and "same_day_award" in _roles(capped)
    same_day = next(e for e in capped.events if e.role == "same_day_award")
    assert same_day.figures["entry_id"] == str(a[vid])

    backfilled = _explain(container, a[other])
    assert backfilled.inputs.earns_points is False and backfilled.inputs.credited_hours == 3
    assert backfilled.points == 0 and backfilled.hours == 3

    # the first day's hours are corrected after verification: reversed and re-awarded
    corrected = correct_verified(
        ledger,
        health,
        volunteer_id=vid,
        interval=Interval(at(D, 6), at(D, 9, 20)),  # 3 h 20 min → 3.5 h
        reason="签退时间有误",
    )
    again = _explain(container, corrected.created["entry_id"])
    i = again.inputs
    assert (i.attendance_version, i.minutes, i.rounded_hours) == (2, 200, Decimal("3.5"))
    # the rescue served later that day: credited after it, whatever the order of events
    assert i.already_credited_that_day == 0
    assert (again.points, again.hours) == (Decimal("3.5"), Decimal("3.5"))
    assert "hours_corrected" in _roles(again) and "same_day_award" not in _roles(again)
    correction = next(e for e in again.events if e.role == "hours_corrected")
    assert correction.figures["ended_at"] == at(D, 9, 20).isoformat()
    assert correction.position < again.position

    old = _explain(container, a[vid])
    assert old.reversed_by == corrected.created["reversal_id"] and old.points == 8
    assert _roles(old)[-2:] == ["later_correction", "reversal"]

    # ... so the rescue was reversed and credited again with the cap re-applied: 8 h × 2.0
    rescued = derived_entry_id("reaward", b[vid], corrected.created["entry_id"])
    assert _explain(container, b[vid]).reversed_by is not None
    credited_again = _explain(container, rescued)
    assert credited_again.inputs.already_credited_that_day == Decimal("3.5")
    assert (credited_again.hours, credited_again.points) == (Decimal(8), Decimal(16))

    # written after the read models' position: not yet part of the explanation's cut
    later = ledger.reverse_award(
        ReverseAward(volunteer_id=vid, entry_id=rescued, reason="核查"), actor=BUREAU
    )
    ledger.record_feedback(
        RecordFeedback(activity_id=rescue, satisfaction=5, comment=""), actor=STAFF
    )
    assert _explain(container, rescued, catch_up=False).reversed_by is None
    assert _explain(container, rescued).reversed_by == later.created["entry_id"]

    with pytest.raises(NotAnAward, match=str(a[vid])):
        explain_award(ledger, container.rulebook, container.store, old.reversed_by)
    with pytest.raises(NotFound):
        explain_award(ledger, container.rulebook, container.store, UUID(int=7))


def test_every_award_of_a_generated_year_is_recomputed_exactly(container: Container) -> None:
    summary = generate_year(container.ledger, volunteers=40, activities=40, townships=2, seed=3)
    assert summary.corrections >= 1 and summary.reversals >= 2  # the year exercises both
    container.runner().catch_up()
    entries = container.store.select(ENTRY, {"kind": "award"})
    assert len(entries) == summary.awards + summary.corrections  # re-awards after corrections
    explained = {
        str(x.entry_id): x
        for x in (_explain(container, r["entry_id"], catch_up=False) for r in entries)
    }
    for row in entries:
        x = explained[row["entry_id"]]
        assert (x.points, x.hours) == (Decimal(row["points"]), Decimal(row["hours"]))
        assert x.events[0].position > 0 and "award" in _roles(x)
        assert all(e.actor and e.correlation_id for e in x.events)

    reversed_ = [x for x in explained.values() if x.reversed_by is not None]
    assert len(reversed_) == summary.reversals
    re_awards = [x for x in explained.values() if x.inputs.attendance_version > 1]
    assert len(re_awards) == summary.corrections
    for x in re_awards:
        correction = [e for e in x.events if e.role == "hours_corrected"][-1]
        assert correction.figures["attendance_version"] == x.inputs.attendance_version
        assert correction.figures["started_at"] == x.inputs.interval_start.isoformat()
        assert correction.figures["ended_at"] == x.inputs.interval_end.isoformat()
        superseded = [
            old
            for old in reversed_
            if old.activity_id == x.activity_id and old.volunteer_id == x.volunteer_id
        ]
        assert superseded and superseded[0].inputs.interval_end > x.inputs.interval_end

    # every decision re-checks as the annual review does (where the review lists it)
    review = annual_review(container.ledger, container.rulebook, 2022)
    listed = {(d["subject_id"], d["position"]): d for d in review["decisions"]}
    decisions = [
        r
        for r in container.store.select(AUDIT_EVENT)
        if r["event_type"] in {"CommendationGranted", "StarLevelCertified", "Commended"}
    ]
    assert len(decisions) == summary.commendations + summary.star_certifications
    for r in decisions:
        checked = recheck_decision(
            container.ledger,
            container.rulebook,
            container.store,
            UUID(r["aggregate_id"]),
            int(r["aggregate_version"]),
        )
        assert checked.position == r["position"] and checked.replayed_to <= checked.basis_position
        if checked.kind == "star_certification":
            assert checked.eligible_at_basis, checked  # the demo certifies what was reached
        mine = listed.get((r["aggregate_id"], r["position"]))
        if mine is not None:
            assert (checked.eligible_at_basis, checked.figures) == (
                mine["eligible_at_basis"],
                mine["figures"],
            )


_minutes = st.integers(min_value=1, max_value=6 * 60)  # three back to back fit the window


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    spans=st.lists(
        st.tuples(
            _minutes,
            st.sampled_from(["health_education", "emergency_rescue", "epidemic_prevention"]),
            st.sampled_from(list(HoursSource)),
        ),
        min_size=1,
        max_size=3,
    ),
    correct_to=st.one_of(st.none(), _minutes),
    day=st.integers(min_value=0, max_value=300),
)
def test_any_days_service_is_explained_exactly(
    container: Container,
    spans: list[tuple[int, str, HoursSource]],
    correct_to: int | None,
    day: int,
) -> None:
    """One volunteer serves back to back on one day (the cap may bite), maybe corrected after."""
    ledger = container.ledger
    team_id, vid = team(ledger), volunteer(ledger)
    service_day = date(2022, 1, 10) + timedelta(days=day)
    start = at(service_day, 5, 30)
    awards: list[tuple[UUID, UUID, Interval]] = []
    for minutes, category, source in spans:
        interval = Interval(start, start + timedelta(minutes=minutes))
        activity_id = _plan(container, team_id, category, service_day)
        awards.append(
            (activity_id, _serve(container, activity_id, [(vid, interval, source)])[vid], interval)
        )
        start = interval.end
    explained: list[Any] = [_explain(container, entry) for _, entry, _ in awards]
    assert sum(x.hours for x in explained) <= 12
    if correct_to is not None:
        activity_id, entry, interval = awards[0]
        minutes = min(correct_to, int(interval.minutes))  # never into the next activity's hours
        shorter = Interval(interval.start, interval.start + timedelta(minutes=minutes))
        if shorter != interval:
            corrected = correct_verified(
                ledger, activity_id, volunteer_id=vid, interval=shorter, reason="更正"
            )
            again = _explain(container, corrected.created["entry_id"])
            assert again.inputs.interval_end == shorter.end
            assert _explain(container, entry).reversed_by == corrected.created["reversal_id"]
