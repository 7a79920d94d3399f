"""ServiceActivity: completion, four-eyes verification, cancellation and outcomes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.awards import AwardRef
from domain.values import ActivityStatus, Actor, BeneficiaryType, MediaLevel, Role
from tests.unit.ratings import terms

ANN = UUID(int=1)


# ----------------------------------------------------------------- completion and verification


def test_complete_once(activity, actor, rejects, names):
    activity.complete(actor)
    assert names(activity.collect_events()) == ["Completed"]
    with rejects(activity, "activity-completed"):
        activity.complete(actor)


def test_verification_only_after_completion(activity, checker, rejects):
    with rejects(activity, "verify-after-completion"):
        activity.verify([], checker)


def test_verified_once_by_someone_who_did_not_record(
    activity, actor, checker, hours, rejects, names
):
    hours(ANN)
    activity.complete(actor)
    refs = [AwardRef(ANN, UUID(int=77))]
    with rejects(activity, "four-eyes"):
        activity.verify(refs, actor)

    activity.verify(refs, checker)

    [verified] = activity.collect_events()
    assert names([verified]) == ["Verified"]
    assert (activity.status, activity.verified_by, activity.awards) == (
        ActivityStatus.VERIFIED,
        "auditor-1",
        {ANN: UUID(int=77)},
    )
    with rejects(activity, "verify-once"):
        activity.verify(refs, Actor("auditor-2", Role.AUDITOR))


def test_someone_who_only_corrected_hours_cannot_verify(
    activity, actor, corrector, hours, correct, rejects
):
    hours(ANN)
    correct(ANN)
    activity.complete(actor)
    with rejects(activity, "four-eyes"):
        activity.verify([], corrector)


def test_cancel_rules(make_activity, actor, checker, rejects, names):
    planned = make_activity()
    with rejects(planned, "reason-required"):
        planned.cancel("  ", actor)
    planned.cancel(" storm ", actor)
    [cancelled] = planned.collect_events()
    assert (names([cancelled]), cancelled.reason) == (["Cancelled"], "storm")
    with rejects(planned, "activity-cancelled"):
        planned.cancel("again", actor)

    verified = make_activity()
    verified.complete(actor)
    verified.verify([], checker)
    with rejects(verified, "activity-verified"):
        verified.cancel("too late", actor)


# ----------------------------------------------------------------- outcomes


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_feedback_from_1_to_5(activity, actor, names, satisfaction):
    activity.record_feedback(satisfaction, "good", actor, **terms())
    assert names(activity.collect_events()) == ["FeedbackRecorded"]
    assert activity.satisfaction == [satisfaction]


@pytest.mark.parametrize("satisfaction", [0, 6, -1])
def test_feedback_outside_1_to_5_is_refused(activity, actor, rejects, satisfaction):
    with rejects(activity, "satisfaction-range"):
        activity.record_feedback(satisfaction, "?", actor, **terms())


def test_media_coverage(activity, actor, rejects, names):
    activity.record_media(
        outlet=" Daily ",
        level=MediaLevel.CITY,
        url="http://x",
        published_on=date(2022, 5, 31),
        actor=actor,
    )
    assert names(activity.collect_events()) == ["MediaCoverageRecorded"]
    assert activity.media[0].outlet == "Daily"
    with rejects(activity, "media-after-activity"):
        activity.record_media(
            outlet="Daily",
            level=MediaLevel.CITY,
            url="",
            published_on=date(2022, 5, 30),
            actor=actor,
        )
    with rejects(activity, "required-field"):
        activity.record_media(
            outlet=" ", level=MediaLevel.CITY, url="", published_on=date(2022, 6, 2), actor=actor
        )


def test_beneficiary_counts_accumulate_and_are_not_negative(activity, actor, rejects, names):
    activity.record_beneficiaries({BeneficiaryType.VETERAN: 3, BeneficiaryType.PUBLIC: 0}, actor)
    activity.record_beneficiaries({BeneficiaryType.VETERAN: 2}, actor)
    assert names(activity.collect_events()) == ["BeneficiariesServed"] * 2
    assert activity.beneficiaries == {"veteran": 5, "public": 0}

    with rejects(activity, "beneficiaries-counts"):
        activity.record_beneficiaries(
            {BeneficiaryType.VETERAN: 1, BeneficiaryType.PUBLIC: -1}, actor
        )
    with rejects(activity, "beneficiaries-counts"):
        activity.record_beneficiaries({}, actor)
    assert activity.beneficiaries == {"veteran": 5, "public": 0}
