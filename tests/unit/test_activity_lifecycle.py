"""ServiceActivity: completion, four-eyes verification, cancellation and outcomes.

Each test is one behaviour, written given / when / then; the fixtures (tests/unit/conftest.py)
give a planned activity on 1 June 2022, the staff member ``actor`` who records hours, the
``corrector`` and the ``checker`` (an auditor).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.awards import AwardRef
from domain.values import ActivityStatus, Actor, BeneficiaryType, MediaLevel, Role
from tests.unit.ratings import terms

ANN = UUID(int=1)
AWARD = UUID(int=77)


def media(activity, actor, *, outlet="Daily", published_on=date(2022, 6, 2)):
    activity.record_media(
        outlet=outlet, level=MediaLevel.CITY, url="", published_on=published_on, actor=actor
    )


# ----------------------------------------------------------------- completion and verification


def test_completing_an_activity_records_it(activity, actor, names):
    # When a planned activity is completed
    activity.complete(actor)

    # Then it is recorded as completed
    assert names(activity.collect_events()) == ["Completed"]


def test_completing_twice_is_refused(activity, actor, rejects):
    # Given a completed activity
    activity.complete(actor)

    # When it is completed again, then that is refused
    with rejects(activity, "activity-completed"):
        activity.complete(actor)


def test_verifying_before_completion_is_refused(activity, checker, rejects):
    # When a planned activity is verified, then that is refused
    with rejects(activity, "verify-after-completion"):
        activity.verify([], checker)


def test_verifying_records_the_verifier_and_the_awards_given(
    activity, actor, checker, hours, names
):
    # Given a completed activity with Ann's hours
    hours(ANN)
    activity.complete(actor)
    activity.collect_events()

    # When an auditor who recorded nothing verifies it, naming Ann's award
    activity.verify([AwardRef(ANN, AWARD)], checker)

    # Then it is verified by them, with Ann's award
    assert names(activity.collect_events()) == ["Verified"]
    assert (activity.status, activity.verified_by, activity.awards) == (
        ActivityStatus.VERIFIED,
        "auditor-1",
        {ANN: AWARD},
    )


def test_whoever_recorded_hours_cannot_verify_the_activity(activity, actor, hours, rejects):
    # Given a completed activity whose hours staff-1 recorded
    hours(ANN)
    activity.complete(actor)

    # When staff-1 verifies it, then four eyes are required
    with rejects(activity, "four-eyes"):
        activity.verify([AwardRef(ANN, AWARD)], actor)


def test_whoever_only_corrected_hours_cannot_verify_the_activity(
    activity, actor, corrector, hours, correct, rejects
):
    # Given a completed activity whose hours staff-2 corrected
    hours(ANN)
    correct(ANN)
    activity.complete(actor)

    # When staff-2 verifies it, then four eyes are required
    with rejects(activity, "four-eyes"):
        activity.verify([], corrector)


def test_verifying_twice_is_refused(activity, actor, checker, hours, rejects):
    # Given a verified activity
    hours(ANN)
    activity.complete(actor)
    activity.verify([AwardRef(ANN, AWARD)], checker)

    # When another auditor verifies it, then that is refused
    with rejects(activity, "verify-once"):
        activity.verify([AwardRef(ANN, AWARD)], Actor("auditor-2", Role.AUDITOR))


# ----------------------------------------------------------------- cancellation


def test_cancelling_records_the_reason_trimmed(activity, actor, names):
    # When a planned activity is cancelled with a padded reason
    activity.cancel(" storm ", actor)

    # Then the cancellation is recorded with the reason trimmed
    [cancelled] = activity.collect_events()
    assert (names([cancelled]), cancelled.reason) == (["Cancelled"], "storm")


def test_cancelling_without_a_reason_is_refused(activity, actor, rejects):
    # When an activity is cancelled with a blank reason, then that is refused
    with rejects(activity, "reason-required"):
        activity.cancel("  ", actor)


def test_cancelling_twice_is_refused(activity, actor, rejects):
    # Given a cancelled activity
    activity.cancel("storm", actor)

    # When it is cancelled again, then that is refused
    with rejects(activity, "activity-cancelled"):
        activity.cancel("again", actor)


def test_a_verified_activity_cannot_be_cancelled(activity, actor, checker, rejects):
    # Given a verified activity
    activity.complete(actor)
    activity.verify([], checker)

    # When it is cancelled, then that is refused
    with rejects(activity, "activity-verified"):
        activity.cancel("too late", actor)


# ----------------------------------------------------------------- outcomes


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_a_rating_from_1_to_5_is_recorded(activity, actor, names, satisfaction):
    # When a beneficiary rates the activity 1 or 5
    activity.record_feedback(satisfaction, "good", actor, **terms())

    # Then the rating is recorded
    assert names(activity.collect_events()) == ["FeedbackRecorded"]
    assert activity.satisfaction == [satisfaction]


@pytest.mark.parametrize("satisfaction", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused(activity, actor, rejects, satisfaction):
    # When a rating is outside 1-5, then it is refused
    with rejects(activity, "satisfaction-range"):
        activity.record_feedback(satisfaction, "?", actor, **terms())


def test_media_coverage_is_recorded_with_the_outlet_trimmed(activity, actor, names):
    # When coverage published the day before the activity is recorded
    media(activity, actor, outlet=" Daily ", published_on=date(2022, 5, 31))

    # Then it is recorded, the outlet trimmed
    assert names(activity.collect_events()) == ["MediaCoverageRecorded"]
    assert activity.media[0].outlet == "Daily"


def test_media_coverage_published_before_the_eve_of_the_activity_is_refused(
    activity, actor, rejects
):
    # When coverage is dated two days before the activity, then it is refused
    with rejects(activity, "media-after-activity"):
        media(activity, actor, published_on=date(2022, 5, 30))


def test_media_coverage_without_an_outlet_is_refused(activity, actor, rejects):
    # When coverage names a blank outlet, then it is refused
    with rejects(activity, "required-field"):
        media(activity, actor, outlet=" ")


def test_people_served_accumulate_by_type(activity, actor, names):
    # When people served are counted twice
    activity.record_beneficiaries({BeneficiaryType.VETERAN: 3, BeneficiaryType.PUBLIC: 0}, actor)
    activity.record_beneficiaries({BeneficiaryType.VETERAN: 2}, actor)

    # Then both counts are recorded and added up by type
    assert names(activity.collect_events()) == ["BeneficiariesServed"] * 2
    assert activity.beneficiaries == {"veteran": 5, "public": 0}


@pytest.mark.parametrize(
    "counts",
    [{BeneficiaryType.VETERAN: 1, BeneficiaryType.PUBLIC: -1}, {}],
    ids=["negative", "empty"],
)
def test_a_negative_or_empty_count_of_people_served_is_refused(activity, actor, rejects, counts):
    # Given people served already counted
    activity.record_beneficiaries({BeneficiaryType.VETERAN: 5}, actor)

    # When a count is negative or names no type, then it is refused
    with rejects(activity, "beneficiaries-counts"):
        activity.record_beneficiaries(counts, actor)

    # And the counts stand as they were
    assert activity.beneficiaries == {"veteran": 5}
