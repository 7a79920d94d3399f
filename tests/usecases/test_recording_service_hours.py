"""Recording the hours a volunteer served on an activity."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.commands.activities import CompleteActivity, VerifyActivity
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer


def test_hours_of_an_uninsured_volunteer_are_refused_and_nothing_is_recorded(
    ledger: VolunteerLedger,
) -> None:
    # Given a volunteer with no insurance and an ordinary activity
    vid = volunteer(ledger, insured=False)
    aid = activity(ledger, team(ledger))
    before = ledger.current_position()

    # When their hours are recorded
    with pytest.raises(DomainError) as refused:
        hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))

    # Then the office is told insurance is required, and nothing is recorded
    assert refused.value.rule == "insurance-required"
    assert ledger.current_position() == before


def _verified_morning(ledger: VolunteerLedger) -> tuple[UUID, UUID]:
    """A volunteer verified for 09:00-12:00 on one activity, and a second activity."""
    tid = team(ledger)
    vid = volunteer(ledger)
    first, second = activity(ledger, tid), activity(ledger, tid)
    hours(ledger, first, vid, at(DAY, 9), at(DAY, 12))
    ledger.complete_activity(CompleteActivity(activity_id=first), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=first), actor=BUREAU)
    return vid, second


def test_hours_overlapping_verified_service_elsewhere_are_refused(
    ledger: VolunteerLedger,
) -> None:
    # Given a volunteer already verified for the morning on another activity
    vid, second = _verified_morning(ledger)

    # When hours from 11:00 are recorded on the second activity
    with pytest.raises(DomainError) as overlap:
        hours(ledger, second, vid, at(DAY, 11), at(DAY, 13))

    # Then no one serves in two places at once
    assert overlap.value.rule == "overlapping-service"


def test_hours_that_start_when_earlier_service_ends_are_recorded(
    ledger: VolunteerLedger,
) -> None:
    # Given a volunteer verified until 12:00 on another activity
    vid, second = _verified_morning(ledger)
    before = ledger.current_position()

    # When hours from 12:00 are recorded on the second activity
    position = hours(ledger, second, vid, at(DAY, 12), at(DAY, 13))

    # Then they are recorded: touching is not overlapping
    assert position > before
    assert vid in ledger.repository.get(second).participants()
