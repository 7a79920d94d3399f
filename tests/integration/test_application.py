"""The application suite, run on a real SQLite file and on a real PostgreSQL database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from application.commands.activities import (
    ApproveCorrection,
    CompleteActivity,
    CorrectHours,
    PublishActivity,
    RecordFeedback,
    RecordSheet,
    SignUp,
    VerifyActivity,
)
from application.commands.people import (
    AppointLeader,
    CancelInsurance,
    CommendTeam,
    CommendVolunteer,
    CompleteTraining,
    EnrolMember,
    RedeemPoints,
    ReverseAward,
)
from application.errors import BulkRejected, NotFound, VersionMismatch
from application.results import HoursRow
from domain.awards import award_entry_id
from domain.errors import DomainError
from domain.values import HoursSource, Interval
from domain.volunteer import Volunteer
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.integration.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer
from tests.support.clock import fixed_clock


def test_activity_life_is_durable_and_awards_points(container: Container, store: Settings) -> None:
    ledger = container.ledger
    tid = team(ledger)
    v1, v2 = volunteer(ledger), volunteer(ledger, name="李桂英")
    aid = activity(ledger, tid)
    ledger.sign_up(SignUp(activity_id=aid, volunteer_id=v1), actor=STAFF)
    hours(ledger, aid, v1, at(DAY, 9), at(DAY, 12, 40))  # 3 h 40 min → 3.5 h
    hours(ledger, aid, v2, at(DAY, 9), at(DAY, 11), HoursSource.BACKFILL)  # hours, no points
    ledger.record_feedback(
        RecordFeedback(activity_id=aid, satisfaction=5, comment="很好，谢谢志愿者"), actor=STAFF
    )
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)

    result = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    by_volunteer = {a.volunteer_id: a for a in result.awards}
    assert by_volunteer[v1].hours == Decimal("3.5") and by_volunteer[v1].points == Decimal("3.5")
    assert by_volunteer[v2].hours == Decimal(2) and by_volunteer[v2].points == 0
    assert by_volunteer[v1].entry_id == award_entry_id(aid, v1, 1)
    assert result.position == ledger.current_position()

    # A second process opening the same store sees exactly what was recorded.
    reopened = bootstrap(store, clock=fixed_clock)
    try:
        again = reopened.ledger.repository.get(v1)
        assert isinstance(again, Volunteer)
        assert again.balance == Decimal("3.5") and again.credited_hours == Decimal("3.5")
        assert again == ledger.repository.get(v1)
        assert reopened.ledger.repository.get(v2).backfilled_hours == Decimal(2)
    finally:
        reopened.close()


def test_every_event_records_its_actor_and_request(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    aid = activity(ledger, tid)
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    notifications = ledger.recorder.select_notifications(start=1, limit=1000)
    events = [ledger.mapper.to_domain_event(n) for n in notifications]
    assert len(events) == ledger.current_position()
    assert all(getattr(e, "actor", None) is not None for e in events)
    award = next(e for e in events if type(e).__name__ == "PointsAwarded")
    assert award.actor == BUREAU and award.actor.correlation_id == "req-bureau"
    assert (
        award.rulebook_version == "2022.1" and award.rulebook_hash == container.rulebook.file_hash
    )
    assert award.figures.minutes == 60 and award.figures.multiplier == Decimal("1.0")


def test_verification_is_atomic_a_refused_participant_records_nothing(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    ok, lapsed = volunteer(ledger), volunteer(ledger)
    aid = activity(ledger, tid)
    hours(ledger, aid, ok, at(DAY, 9), at(DAY, 11))
    hours(ledger, aid, lapsed, at(DAY, 9), at(DAY, 11))
    # The policy is cancelled after the hours were admitted: at verification the
    # participant is uninsured, so the whole verification is refused.
    policy = next(iter(ledger.repository.get(lapsed).policies))
    ledger.cancel_insurance(
        CancelInsurance(volunteer_id=lapsed, policy_number=policy, reason="保单退保"), actor=STAFF
    )
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    before = ledger.current_position()

    with pytest.raises(DomainError) as refused:
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    assert refused.value.rule == "insurance-required"
    assert str(lapsed) in str(refused.value)
    assert ledger.current_position() == before
    assert ledger.repository.get(ok).balance == 0
    assert ledger.repository.get(aid).status.value == "completed"


def test_four_eyes_refuses_the_recorder_as_verifier(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    aid = activity(ledger, tid)
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 11))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    before = ledger.current_position()
    with pytest.raises(DomainError) as four_eyes:
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=STAFF)
    assert four_eyes.value.rule == "four-eyes"
    assert ledger.current_position() == before


def test_overlapping_service_across_activities_is_refused(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    first, second = activity(ledger, tid), activity(ledger, tid)
    hours(ledger, first, vid, at(DAY, 9), at(DAY, 12))
    ledger.complete_activity(CompleteActivity(activity_id=first), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=first), actor=BUREAU)
    with pytest.raises(DomainError) as overlap:
        hours(ledger, second, vid, at(DAY, 11), at(DAY, 13))
    assert overlap.value.rule == "overlapping-service"
    hours(ledger, second, vid, at(DAY, 12), at(DAY, 13))  # touching is not overlapping


def test_uninsured_participant_is_refused_with_no_event(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    uninsured = volunteer(ledger, insured=False)
    aid = activity(ledger, tid)
    before = ledger.current_position()
    with pytest.raises(DomainError) as refused:
        hours(ledger, aid, uninsured, at(DAY, 9), at(DAY, 10))
    assert refused.value.rule == "insurance-required"
    assert ledger.current_position() == before


def test_emergency_rescue_records_and_flags_uninsured_participation(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    uninsured = volunteer(ledger, insured=False)
    aid = activity(ledger, tid, category="emergency_rescue")
    hours(ledger, aid, uninsured, at(DAY, 9), at(DAY, 11))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards
    assert award.points == Decimal(4)  # 2 h × 2.0
    events = list(ledger.events.get(uninsured))
    assert events[-1].uninsured_flag is True and events[-1].insurance_policy is None


def test_retried_verify_cannot_award_twice(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    aid = activity(ledger, tid)
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    with pytest.raises(DomainError) as again:
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    assert again.value.rule == "verify-once"
    assert ledger.repository.get(vid).lifetime_points == 1


def test_an_approved_correction_reverses_and_reawards_in_one_save(
    container: Container,
) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    aid = activity(ledger, tid)
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    proposed = ledger.correct_hours(
        CorrectHours(
            activity_id=aid,
            volunteer_id=vid,
            interval=Interval(at(DAY, 9), at(DAY, 13)),
            reason="漏记",
        ),
        actor=STAFF,
    )
    before = ledger.current_position()

    result = ledger.approve_correction(
        ApproveCorrection(activity_id=aid, correction_id=proposed.created["correction_id"]),
        actor=BUREAU,
    )

    assert result.position == before + 4  # reversal, new award, approval, correction
    assert result.created["entry_id"] == award_entry_id(aid, vid, 2)
    person = ledger.repository.get(vid)
    assert person.balance == 4 and person.credited_hours == 4 and person.lifetime_points == 4


def test_reversal_and_redemption_keep_the_ledger_within_bounds(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    aid = activity(ledger, tid)
    hours(ledger, aid, vid, at(DAY, 8), at(DAY, 18))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards
    with pytest.raises(DomainError) as no_tier:  # 10 lifetime points: below bronze's 50
        ledger.redeem_points(RedeemPoints(volunteer_id=vid, benefit="haircut"), actor=STAFF)
    assert no_tier.value.rule == "benefit-not-in-tier"
    ledger.reverse_award(
        ReverseAward(volunteer_id=vid, entry_id=award.entry_id, reason="活动重复登记"), actor=BUREAU
    )
    with pytest.raises(DomainError) as twice:
        ledger.reverse_award(
            ReverseAward(volunteer_id=vid, entry_id=award.entry_id, reason="again"), actor=BUREAU
        )
    assert twice.value.rule == "reversal-once"
    person = ledger.repository.get(vid)
    assert person.lifetime_points == 0 and person.balance == 0 and person.credited_hours == 0


def test_if_match_refuses_a_stale_version_and_not_found_is_named(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    aid = activity(ledger, tid)
    ledger.publish_activity(PublishActivity(activity_id=aid, expected_version=1), actor=STAFF)
    with pytest.raises(VersionMismatch):
        ledger.complete_activity(CompleteActivity(activity_id=aid, expected_version=1), actor=STAFF)
    missing = uuid4()
    with pytest.raises(NotFound, match=f"activity {missing} not found"):
        ledger.complete_activity(CompleteActivity(activity_id=missing), actor=STAFF)
    with pytest.raises(NotFound, match="volunteer"):
        ledger.sign_up(SignUp(activity_id=aid, volunteer_id=missing), actor=STAFF)


def test_bulk_sheet_reports_every_bad_row_and_records_nothing(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    good, uninsured = volunteer(ledger), volunteer(ledger, insured=False)
    aid = activity(ledger, tid)
    before = ledger.current_position()
    rows = [
        HoursRow(good, Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN),
        HoursRow(uninsured, Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN),
        HoursRow(uuid4(), Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN),
        HoursRow(good, Interval(at(DAY, 20), at(DAY, 23)), HoursSource.CHECKIN),
    ]
    with pytest.raises(BulkRejected) as rejected:
        ledger.record_hours_bulk(RecordSheet(activity_id=aid, rows=rows), actor=STAFF)
    assert [(e.line, e.field) for e in rejected.value.errors] == [
        (2, "volunteer_id"),
        (3, "volunteer_id"),
        (4, "volunteer_id"),
    ]
    assert ledger.current_position() == before

    ok = ledger.record_hours_bulk(RecordSheet(activity_id=aid, rows=rows[:1]), actor=STAFF)
    assert ok.position == before + 2  # sign-up and hours


def test_team_membership_and_decisions(container: Container) -> None:
    ledger = container.ledger
    tid = team(ledger)
    leader, member = volunteer(ledger), volunteer(ledger)
    ledger.enrol_member(
        EnrolMember(team_id=tid, volunteer_id=leader, role=_role("leader")), actor=STAFF
    )
    ledger.enrol_member(
        EnrolMember(team_id=tid, volunteer_id=member, role=_role("member")), actor=STAFF
    )
    ledger.appoint_leader(AppointLeader(team_id=tid, volunteer_id=member), actor=STAFF)
    squad = ledger.repository.get(tid)
    assert squad.leader == member and squad.members[leader].value == "member"
    basis = ledger.current_position()
    ledger.commend_team(
        CommendTeam(
            team_id=tid, title="优秀志愿服务队", period="2022", basis_position=basis, reason=""
        ),
        actor=BUREAU,
    )
    with pytest.raises(DomainError) as future:
        ledger.commend_volunteer(
            CommendVolunteer(
                volunteer_id=leader,
                title="优秀志愿者",
                period="2022",
                basis_position=basis + 99,
                reason="",
            ),
            actor=BUREAU,
        )
    assert future.value.rule == "basis-position"
    ledger.complete_training(
        CompleteTraining(
            volunteer_id=leader,
            course="应急救护",
            hours=Decimal("2.5"),
            completed_on=date(2022, 3, 1),
        ),
        actor=STAFF,
    )
    assert ledger.repository.get(leader).balance == Decimal("2.5")


def _role(name: str):  # type: ignore[no-untyped-def]
    from domain.values import MemberRole

    return MemberRole(name)
