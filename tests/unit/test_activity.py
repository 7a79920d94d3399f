"""ServiceActivity: planning, sign-ups, hours in the window and corrections before verification.

Each test is one behaviour, written given / when / then. The fixtures (tests/unit/conftest.py)
give a planned activity on 1 June 2022, 09:00–12:00 (+08:00), for two volunteers, and the
``hours`` and ``correct`` commands on it.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.activity import ServiceActivity
from domain.errors import DomainError
from domain.values import ActivityStatus, BeneficiaryType, Category, HoursSource, Interval

ANN, BO, CAI = UUID(int=1), UUID(int=2), UUID(int=3)


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


# ----------------------------------------------------------------- planning


def test_planning_records_a_planned_activity_with_its_title_trimmed(actor, at, names):
    # When an activity is planned with a padded title
    activity = plan(actor, at)

    # Then it is recorded as planned, title trimmed, capacity as given
    assert names(activity.collect_events()) == ["Planned"]
    assert (activity.title, activity.status, activity.capacity) == (
        "Health talk",
        ActivityStatus.PLANNED,
        10,
    )


def test_planning_names_each_beneficiary_type_once_in_the_order_given(actor, at):
    # When the types served repeat one
    activity = plan(actor, at)

    # Then each is held once, first mention first
    assert activity.beneficiary_types == [BeneficiaryType.VETERAN, BeneficiaryType.PUBLIC]


@pytest.mark.parametrize("capacity", [0, -3])
def test_planning_without_a_place_is_refused(actor, at, capacity):
    # When an activity is planned for no one
    with pytest.raises(DomainError) as refused:
        plan(actor, at, capacity=capacity)

    # Then capacity must be positive
    assert refused.value.rule == "capacity-positive"


@pytest.mark.parametrize("blank", [{"title": "  "}, {"township": ""}, {"station": " "}])
def test_planning_without_a_title_township_or_station_is_refused(actor, at, blank):
    # When a required name is blank
    with pytest.raises(DomainError) as refused:
        plan(actor, at, **blank)

    # Then the plan is refused for the missing field
    assert refused.value.rule == "required-field"


def test_a_window_of_exactly_31_days_is_planned(actor, at):
    # When the window is 31 days to the minute
    activity = plan(actor, at, window=Interval(at(2022, 6, 1, 9), at(2022, 7, 2, 9)))

    # Then the activity is planned
    assert activity.window.duration == timedelta(days=31)


def test_a_window_longer_than_31_days_is_refused(actor, at):
    # When the window is a minute longer than 31 days
    with pytest.raises(DomainError) as refused:
        plan(actor, at, window=Interval(at(2022, 6, 1, 9), at(2022, 7, 2, 9, 1)))

    # Then it is refused
    assert refused.value.rule == "activity-window"


def test_a_window_must_end_after_it_starts(at):
    # When a window ends when it starts
    with pytest.raises(DomainError) as refused:
        Interval(at(2022, 6, 1, 12), at(2022, 6, 1, 12))

    # Then it is not an interval
    assert refused.value.rule == "interval-order"


def test_publishing_a_planned_activity_records_it(activity, actor, names):
    # When a planned activity is published
    activity.publish(actor)

    # Then it is recorded as published
    assert names(activity.collect_events()) == ["Published"]
    assert activity.status is ActivityStatus.PUBLISHED


def test_publishing_twice_is_refused(activity, actor, rejects):
    # Given a published activity
    activity.publish(actor)

    # When it is published again, then that is refused
    with rejects(activity, "activity-published"):
        activity.publish(actor)


# ----------------------------------------------------------------- sign-ups


def test_sign_ups_are_recorded_in_the_order_they_come(activity, actor, names):
    # When two volunteers sign up
    activity.sign_up(ANN, actor)
    activity.sign_up(BO, actor)

    # Then both are recorded, in that order
    events = activity.collect_events()
    assert names(events) == ["VolunteerSignedUp", "VolunteerSignedUp"]
    assert [e.volunteer_id for e in events] == [ANN, BO]
    assert activity.signups == [ANN, BO]


def test_signing_up_twice_is_refused(activity, actor, rejects):
    # Given a volunteer signed up
    activity.sign_up(ANN, actor)

    # When they sign up again, then that is refused
    with rejects(activity, "signup-once"):
        activity.sign_up(ANN, actor)


def test_signing_up_to_a_full_activity_is_refused(activity, actor, rejects):
    # Given an activity for two, with two signed up
    activity.sign_up(ANN, actor)
    activity.sign_up(BO, actor)

    # When a third signs up, then that is refused
    with rejects(activity, "capacity"):
        activity.sign_up(CAI, actor)


def test_a_withdrawal_frees_a_place(activity, actor, names):
    # Given a full activity
    activity.sign_up(ANN, actor)
    activity.sign_up(BO, actor)

    # When one withdraws and another signs up
    activity.withdraw_signup(ANN, "ill", actor)
    activity.sign_up(CAI, actor)

    # Then the newcomer takes the freed place
    assert names(activity.collect_events())[-2:] == ["VolunteerWithdrew", "VolunteerSignedUp"]
    assert activity.signups == [BO, CAI]


def test_a_volunteer_who_withdrew_may_sign_up_again(activity, actor, names):
    # Given a volunteer who signed up and withdrew
    activity.sign_up(ANN, actor)
    activity.withdraw_signup(ANN, "ill", actor)
    activity.collect_events()

    # When they sign up again
    activity.sign_up(ANN, actor)

    # Then they are signed up
    assert names(activity.collect_events()) == ["VolunteerSignedUp"]
    assert activity.is_signed_up(ANN)


def test_withdrawing_without_a_sign_up_is_refused(activity, actor, rejects):
    # When someone who never signed up withdraws, then that is refused
    with rejects(activity, "signup-unknown"):
        activity.withdraw_signup(ANN, "never signed up", actor)


def test_withdrawing_after_hours_are_recorded_is_refused(activity, actor, hours, rejects):
    # Given a volunteer with recorded hours
    hours(ANN)

    # When they withdraw, then that is refused: the hours are corrected instead
    with rejects(activity, "signup-has-hours"):
        activity.withdraw_signup(ANN, "changed mind", actor)


# ----------------------------------------------------------------- hours


def test_recorded_hours_carry_their_source_and_the_first_version(activity, actor, hours, names):
    # Given a volunteer signed up
    activity.sign_up(ANN, actor)
    activity.collect_events()

    # When the organiser records their hours
    version = hours(ANN, (9, 15), (11, 45), source=HoursSource.ORGANISER)

    # Then the hours are recorded as version 1, from the organiser
    [recorded] = activity.collect_events()
    assert names([recorded]) == ["HoursRecorded"]
    assert (version, recorded.attendance_version, recorded.source) == (1, 1, HoursSource.ORGANISER)


def test_a_volunteer_with_recorded_hours_is_a_participant(activity, actor, hours):
    # Given two signed up
    activity.sign_up(ANN, actor)
    activity.sign_up(BO, actor)

    # When hours are recorded for one of them
    hours(ANN)

    # Then only that one is a participant
    assert activity.participants() == [ANN]


def test_whoever_records_hours_is_known_as_a_recorder(activity, hours):
    # When staff-1 records hours
    hours(ANN)

    # Then the activity knows staff-1 recorded hours on it, and no one else did
    assert activity.recorded_hours_here("staff-1")
    assert not activity.recorded_hours_here("auditor-1")


def test_hours_within_the_tolerance_of_the_window_are_recorded(activity, hours, names):
    # When the hours start and end exactly 30 minutes outside the window
    hours(ANN, (8, 30), (12, 30))

    # Then the volunteer is signed up and the hours recorded
    assert names(activity.collect_events()) == ["VolunteerSignedUp", "HoursRecorded"]


@pytest.mark.parametrize(
    ("start", "end"),
    [((8, 29), (11, 0)), ((10, 0), (12, 31)), ((13, 0), (14, 0))],
)
def test_hours_beyond_the_tolerance_of_the_window_are_refused(activity, hours, rejects, start, end):
    # When hours lie more than 30 minutes outside the window
    with rejects(activity, "hours-in-window") as refused:
        hours(ANN, start, end)

    # Then the refusal names the tolerance, and no one was signed up
    assert "tolerance 30 min" in str(refused.value)
    assert activity.signups == []


def test_the_tolerance_comes_from_the_caller(activity, actor, at):
    # When hours end 45 minutes late under a 45-minute tolerance
    late = Interval(at(2022, 6, 1, 12), at(2022, 6, 1, 12, 45))
    activity.record_hours(
        volunteer_id=ANN,
        interval=late,
        source=HoursSource.CHECKIN,
        tolerance=timedelta(minutes=45),
        actor=actor,
    )

    # Then they are recorded
    assert activity.attendance[ANN].interval == late


def test_recording_hours_twice_for_one_volunteer_is_refused(activity, hours, rejects):
    # Given a volunteer's hours recorded
    hours(ANN)

    # When hours are recorded for them again, then that is refused: send a correction
    with rejects(activity, "hours-once"):
        hours(ANN, (10, 0), (11, 0))


def test_recording_hours_signs_up_a_volunteer_who_had_not(activity, hours):
    # When hours are recorded for someone not signed up
    hours(ANN)

    # Then they are signed up
    assert activity.signups == [ANN]


def test_recording_hours_beyond_capacity_is_refused(activity, hours, rejects):
    # Given an activity for two, both places taken by recorded hours
    hours(ANN)
    hours(BO)

    # When hours are recorded for a third, then that is refused and no hours recorded
    with rejects(activity, "capacity"):
        hours(CAI)
    assert CAI not in activity.attendance


def test_after_completion_hours_are_recorded_for_those_signed_up(activity, actor, hours, names):
    # Given a completed activity a volunteer signed up to
    activity.sign_up(ANN, actor)
    activity.complete(actor)
    activity.collect_events()

    # When their hours are recorded
    hours(ANN)

    # Then they are
    assert names(activity.collect_events()) == ["HoursRecorded"]


def test_after_completion_hours_for_someone_not_signed_up_are_refused(
    activity, actor, hours, rejects
):
    # Given a completed activity
    activity.sign_up(ANN, actor)
    activity.complete(actor)

    # When hours are recorded for someone who did not sign up, then that is refused
    with rejects(activity, "signup-required"):
        hours(BO)


def test_a_cancelled_activity_takes_no_sign_ups(activity, actor, rejects):
    # Given a cancelled activity
    activity.cancel("storm", actor)

    # When someone signs up, then that is refused
    with rejects(activity, "activity-cancelled"):
        activity.sign_up(BO, actor)


def test_a_cancelled_activity_takes_no_hours(activity, actor, hours, rejects):
    # Given a cancelled activity a volunteer had signed up to
    activity.sign_up(ANN, actor)
    activity.cancel("storm", actor)

    # When their hours are recorded, then that is refused
    with rejects(activity, "activity-cancelled"):
        hours(ANN)


# ----------------------------------------------------------------- corrections before verification


def test_a_correction_records_the_next_version_and_its_reason_trimmed(
    activity, hours, correct, names
):
    # Given recorded hours
    hours(ANN)
    activity.collect_events()

    # When they are corrected with a padded reason
    version = correct(ANN, reason=" arrived late ")

    # Then version 2 is recorded with the reason trimmed
    [corrected] = activity.collect_events()
    assert names([corrected]) == ["AttendanceCorrected"]
    assert (version, corrected.attendance_version, corrected.reason) == (2, 2, "arrived late")


def test_a_correction_replaces_the_hours_and_keeps_their_source(activity, hours, correct, at):
    # Given hours checked in from 09:00
    hours(ANN)

    # When they are corrected to start at 09:30
    correct(ANN)

    # Then the attendance holds the corrected interval, still checked in
    assert activity.attendance[ANN].interval == Interval(at(2022, 6, 1, 9, 30), at(2022, 6, 1, 12))
    assert activity.attendance[ANN].source is HoursSource.CHECKIN


def test_whoever_corrects_hours_is_known_as_a_recorder(activity, hours, correct):
    # Given hours staff-1 recorded
    hours(ANN)

    # When staff-2 corrects them
    correct(ANN)

    # Then both recorded hours on the activity
    assert activity.recorded_hours_here("staff-1")
    assert activity.recorded_hours_here("staff-2")


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"volunteer": BO}, "correction-names-hours"),
        ({"start": (9, 0)}, "correction-changes"),
        ({"reason": "  "}, "reason-required"),
        ({"end": (12, 31)}, "hours-in-window"),
    ],
    ids=["no-hours-to-correct", "same-hours", "no-reason", "outside-window"],
)
def test_a_correction_needs_recorded_hours_a_change_a_reason_and_the_window(
    activity, hours, correct, rejects, changes, rule
):
    # Given Ann's hours recorded 09:00-12:00
    hours(ANN)

    # When the correction names no recorded hours, repeats them, gives no reason or
    # leaves the window, then it is refused
    with rejects(activity, rule):
        correct(**{"volunteer": ANN, **changes})
