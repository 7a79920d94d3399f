"""Verifying a completed activity: the bureau turns recorded hours into points."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from application.commands.activities import CompleteActivity, VerifyActivity
from application.commands.people import CancelInsurance
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from domain.values import HoursSource
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer


def _completed_activity(
    ledger: VolunteerLedger, *served: UUID, category: str = "health_education"
) -> UUID:
    """An activity each of ``served`` checked in to from 09:00 to 11:00, then completed."""
    aid = activity(ledger, team(ledger), category=category)
    for vid in served:
        hours(ledger, aid, vid, at(DAY, 9), at(DAY, 11))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    return aid


def test_verifying_awards_a_point_per_checked_in_hour_in_half_hours(
    ledger: VolunteerLedger,
) -> None:
    # Given a volunteer who checked in for 3 h 40 min to a completed activity
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 12, 40))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)

    # When the bureau verifies the activity
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards

    # Then 3.5 hours (whole half hours) and as many points are credited
    assert (award.volunteer_id, award.hours, award.points) == (vid, Decimal("3.5"), Decimal("3.5"))
    assert ledger.repository.get(vid).balance == Decimal("3.5")


def test_backfilled_hours_are_credited_without_points(ledger: VolunteerLedger) -> None:
    # Given hours entered after the fact (backfilled), not checked in
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 11), HoursSource.BACKFILL)
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)

    # When the activity is verified
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards

    # Then the hours count, the points do not
    assert (award.hours, award.points) == (Decimal(2), 0)
    assert ledger.repository.get(vid).backfilled_hours == Decimal(2)


def test_whoever_recorded_the_hours_cannot_verify_them(ledger: VolunteerLedger) -> None:
    # Given an activity whose hours the station staff recorded
    aid = _completed_activity(ledger, volunteer(ledger))
    before = ledger.current_position()

    # When the same staff member verifies it
    with pytest.raises(DomainError) as refused:
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=STAFF)

    # Then four eyes are required and nothing is recorded
    assert refused.value.rule == "four-eyes"
    assert ledger.current_position() == before


def test_one_uninsured_participant_refuses_the_whole_verification(
    ledger: VolunteerLedger,
) -> None:
    # Given two participants, one whose policy was cancelled after the hours were recorded
    insured, lapsed = volunteer(ledger), volunteer(ledger)
    aid = _completed_activity(ledger, insured, lapsed)
    policy = next(iter(ledger.repository.get(lapsed).policies))
    ledger.cancel_insurance(
        CancelInsurance(volunteer_id=lapsed, policy_number=policy, reason="保单退保"), actor=STAFF
    )
    before = ledger.current_position()

    # When the bureau verifies the activity
    with pytest.raises(DomainError) as refused:
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    # Then it is refused naming the uninsured volunteer: no one gets points, it stays completed
    assert refused.value.rule == "insurance-required" and str(lapsed) in str(refused.value)
    assert ledger.current_position() == before
    assert ledger.repository.get(insured).balance == 0
    assert ledger.repository.get(aid).status.value == "completed"


def test_an_activity_is_verified_only_once(ledger: VolunteerLedger) -> None:
    # Given a verified activity
    vid = volunteer(ledger)
    aid = _completed_activity(ledger, vid)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    # When it is verified again (a retried request)
    with pytest.raises(DomainError) as again:
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    # Then it is refused and the points were awarded once
    assert again.value.rule == "verify-once"
    assert ledger.repository.get(vid).lifetime_points == 2


def test_emergency_rescue_awards_an_uninsured_volunteer_and_flags_it(
    ledger: VolunteerLedger,
) -> None:
    # Given an uninsured volunteer who served two hours in an emergency rescue
    vid = volunteer(ledger, insured=False)
    aid = _completed_activity(ledger, vid, category="emergency_rescue")

    # When the rescue is verified
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards

    # Then the rescue's double points are awarded, flagged as served uninsured
    assert award.points == Decimal(4)
    awarded = list(ledger.events.get(vid))[-1]
    assert awarded.uninsured_flag is True and awarded.insurance_policy is None
