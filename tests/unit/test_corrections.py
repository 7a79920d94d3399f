"""Four eyes on credit: a verified participation changes only when a second person approves.

Given an activity whose hours ``actor`` recorded and ``checker`` verified; when someone
corrects, proposes, approves, rejects or reverses; then these events, or this named refusal.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.activity import ServiceActivity
from domain.awards import AwardRef
from domain.values import Actor, Interval, Role

ANN = UUID(int=1)
OLD_AWARD, NEW_AWARD = UUID(int=77), UUID(int=78)
CORRECTION = UUID(int=500)
THIRD = Actor("bureau-2", Role.ADMIN, "req-9")


@pytest.fixture
def verified(activity: ServiceActivity, actor, checker, hours) -> ServiceActivity:
    hours(ANN)
    activity.complete(actor)
    activity.verify([AwardRef(ANN, OLD_AWARD)], checker)
    activity.collect_events()
    return activity


def _later(at) -> Interval:
    return Interval(at(2022, 6, 1, 9), at(2022, 6, 1, 11))


def _propose(activity: ServiceActivity, at, tolerance, by: Actor) -> None:
    activity.propose_correction(
        correction_id=CORRECTION,
        volunteer_id=ANN,
        interval=_later(at),
        reason=" left early ",
        tolerance=tolerance,
        actor=by,
    )


def test_a_verified_participation_is_not_corrected_directly(
    verified, checker, at, tolerance, rejects
):
    with rejects(verified, "correction-needs-approval"):
        verified.correct_attendance(
            volunteer_id=ANN, interval=_later(at), reason="x", tolerance=tolerance, actor=checker
        )


def test_a_proposal_changes_nothing_until_approved(verified, actor, at, tolerance, names):
    before = verified.attendance[ANN]

    _propose(verified, at, tolerance, actor)

    events = verified.collect_events()
    assert names(events) == ["CorrectionProposed"]
    assert (events[0].correction_id, events[0].reason) == (CORRECTION, "left early")
    assert verified.attendance[ANN] == before and verified.awards == {ANN: OLD_AWARD}
    assert verified.proposals[CORRECTION].status == "proposed"


@pytest.mark.parametrize("who", ["proposer", "recorder"])
def test_neither_the_proposer_nor_the_recorder_approves(
    verified, actor, corrector, at, tolerance, rejects, who
):
    _propose(verified, at, tolerance, corrector)
    approver = corrector if who == "proposer" else actor
    with rejects(verified, "four-eyes"):
        verified.approve_correction(
            correction_id=CORRECTION, tolerance=tolerance, new_award=NEW_AWARD, actor=approver
        )


def test_another_person_approves_and_the_hours_change_naming_the_new_award(
    verified, corrector, at, tolerance, names
):
    _propose(verified, at, tolerance, corrector)
    verified.collect_events()

    verified.approve_correction(
        correction_id=CORRECTION, tolerance=tolerance, new_award=NEW_AWARD, actor=THIRD
    )

    approved, corrected = verified.collect_events()
    assert names([approved, corrected]) == ["CorrectionApproved", "AttendanceCorrected"]
    assert approved.correction_id == CORRECTION and approved.actor == THIRD
    assert corrected.interval == _later(at) and corrected.new_award == NEW_AWARD
    assert str(CORRECTION) in corrected.reason and "left early" in corrected.reason
    assert verified.awards == {ANN: NEW_AWARD} and verified.attendance[ANN].version == 2


def test_a_rejection_needs_a_reason_and_closes_the_proposal(
    verified, corrector, at, tolerance, rejects, names
):
    _propose(verified, at, tolerance, corrector)
    verified.collect_events()
    with rejects(verified, "reason-required"):
        verified.reject_correction(correction_id=CORRECTION, reason=" ", actor=THIRD)

    verified.reject_correction(correction_id=CORRECTION, reason="the sheet agrees", actor=THIRD)

    assert names(verified.collect_events()) == ["CorrectionRejected"]
    with rejects(verified, "correction-decided"):
        verified.approve_correction(
            correction_id=CORRECTION, tolerance=tolerance, new_award=NEW_AWARD, actor=THIRD
        )


def test_one_open_proposal_per_participant(verified, corrector, at, tolerance, rejects):
    _propose(verified, at, tolerance, corrector)
    with rejects(verified, "correction-pending"):
        verified.propose_correction(
            correction_id=UUID(int=501),
            volunteer_id=ANN,
            interval=Interval(at(2022, 6, 1, 10), at(2022, 6, 1, 11)),
            reason="again",
            tolerance=tolerance,
            actor=corrector,
        )


def test_before_verification_a_correction_applies_at_once(
    activity, actor, corrector, hours, at, tolerance, names
):
    hours(ANN)

    activity.correct_attendance(
        volunteer_id=ANN,
        interval=_later(at),
        reason="left early",
        tolerance=tolerance,
        actor=corrector,
    )

    assert names(activity.collect_events())[-1] == "AttendanceCorrected"
    assert activity.attendance[ANN].interval == _later(at)


def test_whoever_recorded_the_hours_cannot_reverse_their_award(
    volunteer, award, actor, checker, at: type[datetime], rejects, names
):
    entry = award(volunteer, at(2022, 6, 1, 9), at(2022, 6, 1, 12))
    volunteer.collect_events()
    with rejects(volunteer, "four-eyes"):
        volunteer.reverse_award(
            entry_id=entry,
            reason="duplicate",
            actor=actor,
            hours_recorded_by=frozenset({"staff-1"}),
        )

    volunteer.reverse_award(
        entry_id=entry, reason="duplicate", actor=checker, hours_recorded_by=frozenset({"staff-1"})
    )
    assert names(volunteer.collect_events()) == ["PointsReversed"]
