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


def _approve(activity: ServiceActivity, tolerance, by: Actor) -> int:
    return activity.approve_correction(
        correction_id=CORRECTION, tolerance=tolerance, new_award=NEW_AWARD, actor=by
    )


def test_a_verified_participation_is_not_corrected_directly(
    verified, checker, at, tolerance, rejects
):
    # When someone corrects verified hours directly, then a proposal is required
    with rejects(verified, "correction-needs-approval"):
        verified.correct_attendance(
            volunteer_id=ANN, interval=_later(at), reason="x", tolerance=tolerance, actor=checker
        )


def test_a_proposal_is_recorded_with_its_reason_trimmed(verified, actor, at, tolerance, names):
    # When a correction of verified hours is proposed
    _propose(verified, at, tolerance, actor)

    # Then the proposal is recorded, open, with the reason trimmed
    events = verified.collect_events()
    assert names(events) == ["CorrectionProposed"]
    assert (events[0].correction_id, events[0].reason) == (CORRECTION, "left early")
    assert verified.proposals[CORRECTION].status == "proposed"


def test_a_proposal_changes_nothing_until_approved(verified, actor, at, tolerance):
    # Given verified hours
    before = verified.attendance[ANN]

    # When a correction is proposed
    _propose(verified, at, tolerance, actor)

    # Then the hours and the award stand as they were
    assert verified.attendance[ANN] == before
    assert verified.awards == {ANN: OLD_AWARD}


@pytest.mark.parametrize("who", ["proposer", "recorder"])
def test_neither_the_proposer_nor_the_recorder_approves(
    verified, actor, corrector, at, tolerance, rejects, who
):
    # Given staff-2's proposal on hours staff-1 recorded
    _propose(verified, at, tolerance, corrector)

    # When either of them approves it, then four eyes are required
    with rejects(verified, "four-eyes"):
        _approve(verified, tolerance, corrector if who == "proposer" else actor)


def test_an_approval_by_another_person_is_recorded_before_the_corrected_hours(
    verified, corrector, at, tolerance, names
):
    # Given an open proposal
    _propose(verified, at, tolerance, corrector)
    verified.collect_events()

    # When a third person approves it
    _approve(verified, tolerance, THIRD)

    # Then the approval is recorded, then the corrected hours
    approved, corrected = verified.collect_events()
    assert names([approved, corrected]) == ["CorrectionApproved", "AttendanceCorrected"]
    assert (approved.correction_id, approved.actor) == (CORRECTION, THIRD)


def test_approved_hours_replace_the_verified_ones_naming_the_new_award(
    verified, corrector, at, tolerance
):
    # Given an open proposal
    _propose(verified, at, tolerance, corrector)
    verified.collect_events()

    # When it is approved
    version = _approve(verified, tolerance, THIRD)

    # Then the hours change to the proposed ones, as the next version, under the new award
    [corrected] = verified.collect_events()[1:]
    assert (corrected.interval, corrected.new_award) == (_later(at), NEW_AWARD)
    assert verified.awards == {ANN: NEW_AWARD}
    assert version == verified.attendance[ANN].version == 2


def test_the_corrected_hours_give_the_proposal_and_its_reason(verified, corrector, at, tolerance):
    # Given an open proposal
    _propose(verified, at, tolerance, corrector)
    verified.collect_events()

    # When it is approved
    _approve(verified, tolerance, THIRD)

    # Then the corrected hours' reason names the proposal and repeats its reason
    [corrected] = verified.collect_events()[1:]
    assert str(CORRECTION) in corrected.reason and "left early" in corrected.reason


def test_a_rejection_is_recorded(verified, corrector, at, tolerance, names):
    # Given an open proposal
    _propose(verified, at, tolerance, corrector)
    verified.collect_events()

    # When a third person rejects it
    verified.reject_correction(correction_id=CORRECTION, reason="the sheet agrees", actor=THIRD)

    # Then the rejection is recorded and the proposal closed
    assert names(verified.collect_events()) == ["CorrectionRejected"]
    assert verified.proposals[CORRECTION].status == "rejected"


def test_a_rejection_without_a_reason_is_refused(verified, corrector, at, tolerance, rejects):
    # Given an open proposal
    _propose(verified, at, tolerance, corrector)

    # When it is rejected with a blank reason, then that is refused
    with rejects(verified, "reason-required"):
        verified.reject_correction(correction_id=CORRECTION, reason=" ", actor=THIRD)


def test_a_rejected_proposal_cannot_be_approved(verified, corrector, at, tolerance, rejects):
    # Given a rejected proposal
    _propose(verified, at, tolerance, corrector)
    verified.reject_correction(correction_id=CORRECTION, reason="the sheet agrees", actor=THIRD)

    # When it is approved, then that is refused: it is decided
    with rejects(verified, "correction-decided"):
        _approve(verified, tolerance, THIRD)


def test_a_second_proposal_while_one_is_open_is_refused(
    verified, corrector, at, tolerance, rejects
):
    # Given an open proposal for Ann's hours
    _propose(verified, at, tolerance, corrector)

    # When another correction of them is proposed, then that is refused
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
    activity, corrector, hours, at, tolerance, names
):
    # Given hours recorded, not yet verified
    hours(ANN)

    # When another person corrects them
    activity.correct_attendance(
        volunteer_id=ANN,
        interval=_later(at),
        reason="left early",
        tolerance=tolerance,
        actor=corrector,
    )

    # Then the correction is recorded and the hours change
    assert names(activity.collect_events())[-1] == "AttendanceCorrected"
    assert activity.attendance[ANN].interval == _later(at)


def test_whoever_recorded_the_hours_cannot_reverse_their_award(
    volunteer, award, actor, at: type[datetime], rejects
):
    # Given an award for hours staff-1 recorded
    entry = award(volunteer, at(2022, 6, 1, 9), at(2022, 6, 1, 12))

    # When staff-1 reverses it, then four eyes are required
    with rejects(volunteer, "four-eyes"):
        volunteer.reverse_award(
            entry_id=entry,
            reason="duplicate",
            actor=actor,
            hours_recorded_by=frozenset({"staff-1"}),
        )


def test_someone_else_reverses_an_award(volunteer, award, checker, at: type[datetime], names):
    # Given an award for hours staff-1 recorded
    entry = award(volunteer, at(2022, 6, 1, 9), at(2022, 6, 1, 12))
    volunteer.collect_events()

    # When an auditor reverses it
    volunteer.reverse_award(
        entry_id=entry, reason="duplicate", actor=checker, hours_recorded_by=frozenset({"staff-1"})
    )

    # Then the reversal is recorded
    assert names(volunteer.collect_events()) == ["PointsReversed"]
