"""ServiceActivity: planning, sign-ups, hours in the window, corrections, four-eyes verification."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.activity import ServiceActivity
from domain.errors import DomainError
from domain.values import (
    ActivityStatus,
    BeneficiaryType,
    Category,
    HoursSource,
    Interval,
)

ANN, BO, CAI = UUID(int=1), UUID(int=2), UUID(int=3)


# ----------------------------------------------------------------- planning


def plan(actor, at, **changes):
    fields = dict(
        title=" Health talk ",
        category=Category("health_education"),
        team_id=UUID(int=9),
        township="Hulunbuir",
        station="Station 1",
        location="Hall",
        window=Interval(at(2022, 6, 1, 9), at(2022, 6, 1, 12)),
        beneficiary_types=[
            BeneficiaryType.VETERAN,
            BeneficiaryType.PUBLIC,
            BeneficiaryType.VETERAN,
        ],
        capacity=10,
        actor=actor,
    )
    return ServiceActivity.plan(**{**fields, **changes})


def test_planning_records_a_planned_activity(actor, at, names):
    activity = plan(actor, at)

    assert names(activity.collect_events()) == ["Planned"]
    assert (activity.title, activity.status, activity.capacity) == (
        "Health talk",
        ActivityStatus.PLANNED,
        10,
    )
    assert activity.beneficiary_types == [BeneficiaryType.VETERAN, BeneficiaryType.PUBLIC]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"capacity": 0}, "capacity-positive"),
        ({"capacity": -3}, "capacity-positive"),
        ({"title": "  "}, "required-field"),
        ({"township": ""}, "required-field"),
        ({"station": " "}, "required-field"),
    ],
)
def test_planning_rejections(actor, at, changes, rule):
    with pytest.raises(DomainError) as err:
        plan(actor, at, **changes)
    assert err.value.rule == rule


def test_the_window_is_at_most_31_days(actor, at):
    plan(actor, at, window=Interval(at(2022, 6, 1, 9), at(2022, 7, 2, 9)))  # exactly 31 days
    with pytest.raises(DomainError) as err:
        plan(actor, at, window=Interval(at(2022, 6, 1, 9), at(2022, 7, 2, 9, 1)))
    assert err.value.rule == "activity-window"


def test_a_window_must_end_after_it_starts(at):
    with pytest.raises(DomainError) as err:
        Interval(at(2022, 6, 1, 12), at(2022, 6, 1, 12))
    assert err.value.rule == "interval-order"


def test_publish_once(activity, actor, rejects, names):
    activity.publish(actor)
    assert names(activity.collect_events()) == ["Published"]
    with rejects(activity, "activity-published"):
        activity.publish(actor)


# ----------------------------------------------------------------- sign-ups


def test_sign_up_within_capacity_and_once(activity, actor, rejects, names):
    activity.sign_up(ANN, actor)
    activity.sign_up(BO, actor)
    events = activity.collect_events()
    assert names(events) == ["VolunteerSignedUp", "VolunteerSignedUp"]
    assert [e.volunteer_id for e in events] == [ANN, BO]

    with rejects(activity, "signup-once"):
        activity.sign_up(ANN, actor)
    with rejects(activity, "capacity"):
        activity.sign_up(CAI, actor)


def test_a_withdrawal_frees_a_place(activity, actor, names):
    activity.sign_up(ANN, actor)
    activity.sign_up(BO, actor)
    activity.withdraw_signup(ANN, "ill", actor)
    activity.sign_up(CAI, actor)

    assert names(activity.collect_events())[-2:] == ["VolunteerWithdrew", "VolunteerSignedUp"]
    assert activity.signups == [BO, CAI]


def test_withdrawal_rules(activity, actor, hours, rejects):
    with rejects(activity, "signup-unknown"):
        activity.withdraw_signup(ANN, "never signed up", actor)
    hours(ANN)
    with rejects(activity, "signup-has-hours"):
        activity.withdraw_signup(ANN, "changed mind", actor)


# ----------------------------------------------------------------- hours


def test_hours_are_recorded_with_their_source_and_version(activity, actor, hours, names):
    activity.sign_up(ANN, actor)
    activity.collect_events()

    version = hours(ANN, (9, 15), (11, 45), source=HoursSource.ORGANISER)

    [recorded] = activity.collect_events()
    assert names([recorded]) == ["HoursRecorded"]
    assert (version, recorded.attendance_version, recorded.source) == (1, 1, HoursSource.ORGANISER)
    assert activity.participants() == [ANN]
    assert activity.recorded_hours_here("staff-1")


@pytest.mark.parametrize(
    ("start", "end", "inside"),
    [
        ((8, 30), (12, 30), True),  # exactly the 30-minute tolerance each side
        ((8, 29), (11, 0), False),
        ((10, 0), (12, 31), False),
        ((13, 0), (14, 0), False),
    ],
)
def test_hours_lie_in_the_window_give_or_take_the_tolerance(
    activity, hours, rejects, names, start, end, inside
):
    if inside:
        hours(ANN, start, end)
        assert names(activity.collect_events()) == ["VolunteerSignedUp", "HoursRecorded"]
    else:
        with rejects(activity, "hours-in-window") as err:
            hours(ANN, start, end)
        assert "tolerance 30 min" in str(err.value)
        assert activity.signups == []


def test_hours_are_recorded_once(activity, hours, rejects):
    hours(ANN)
    with rejects(activity, "hours-once"):
        hours(ANN, (10, 0), (11, 0))


def test_implicit_sign_up_respects_capacity(make_activity, actor, at, tolerance, rejects, names):
    full = make_activity(capacity=1)
    interval = Interval(at(2022, 6, 1, 9), at(2022, 6, 1, 12))
    full.record_hours(
        volunteer_id=ANN,
        interval=interval,
        source=HoursSource.CHECKIN,
        tolerance=tolerance,
        actor=actor,
    )
    assert names(full.collect_events()) == ["VolunteerSignedUp", "HoursRecorded"]

    with rejects(full, "capacity"):
        full.record_hours(
            volunteer_id=BO,
            interval=interval,
            source=HoursSource.CHECKIN,
            tolerance=tolerance,
            actor=actor,
        )
    assert BO not in full.attendance


def test_after_completion_only_signed_up_volunteers_get_hours(
    activity, actor, hours, rejects, names
):
    activity.sign_up(ANN, actor)
    activity.complete(actor)
    activity.collect_events()

    hours(ANN)
    assert names(activity.collect_events()) == ["HoursRecorded"]
    with rejects(activity, "signup-required"):
        hours(BO)


def test_a_cancelled_activity_takes_no_sign_ups_or_hours(activity, actor, hours, rejects):
    activity.sign_up(ANN, actor)
    activity.cancel("storm", actor)
    with rejects(activity, "activity-cancelled"):
        activity.sign_up(BO, actor)
    with rejects(activity, "activity-cancelled"):
        hours(ANN)


# ----------------------------------------------------------------- corrections


def test_a_correction_replaces_the_hours_and_gives_a_reason(activity, hours, correct, at, names):
    hours(ANN)
    activity.collect_events()

    version = correct(ANN, reason=" arrived late ")

    [corrected] = activity.collect_events()
    assert names([corrected]) == ["AttendanceCorrected"]
    assert (version, corrected.attendance_version, corrected.reason) == (2, 2, "arrived late")
    assert activity.attendance[ANN].interval == Interval(at(2022, 6, 1, 9, 30), at(2022, 6, 1, 12))
    assert activity.attendance[ANN].source is HoursSource.CHECKIN
    assert activity.recorded_hours_here("staff-1") and activity.recorded_hours_here("staff-2")


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"volunteer": BO}, "correction-names-hours"),
        ({"start": (9, 0)}, "correction-changes"),
        ({"reason": "  "}, "reason-required"),
        ({"end": (12, 31)}, "hours-in-window"),
    ],
)
def test_correction_rejections(activity, hours, correct, rejects, changes, rule):
    hours(ANN)
    with rejects(activity, rule):
        correct(**{"volunteer": ANN, **changes})


def test_tolerance_comes_from_the_caller(activity, actor, at):
    late = Interval(at(2022, 6, 1, 12), at(2022, 6, 1, 12, 45))
    activity.record_hours(
        volunteer_id=ANN,
        interval=late,
        source=HoursSource.CHECKIN,
        tolerance=timedelta(minutes=45),
        actor=actor,
    )
    assert activity.attendance[ANN].interval == late
