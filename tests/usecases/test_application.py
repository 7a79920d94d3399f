"""The ledger's use cases: every event names its actor, corrections and reversals move
the points ledger, If-Match and unknown ids are refused, a bad sheet records nothing."""

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
    RecordSheet,
    SignUp,
    VerifyActivity,
)
from application.commands.people import (
    AppointLeader,
    CommendTeam,
    CommendVolunteer,
    CompleteTraining,
    EnrolMember,
    RedeemPoints,
    ReverseAward,
)
from application.errors import BulkRejected, NotFound, VersionMismatch
from application.ledger import VolunteerLedger
from application.results import HoursRow
from domain.awards import award_entry_id
from domain.errors import DomainError
from domain.values import HoursSource, Interval
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer


def test_every_event_records_its_actor_and_request(ledger: VolunteerLedger) -> None:
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
    assert award.rulebook_version == "2022.1" and award.rulebook_hash == ledger.rulebook.file_hash
    assert award.figures.minutes == 60 and award.figures.multiplier == Decimal("1.0")


def test_an_approved_correction_reverses_and_reawards_in_one_save(
    ledger: VolunteerLedger,
) -> None:
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


def test_reversal_and_redemption_keep_the_ledger_within_bounds(ledger: VolunteerLedger) -> None:
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


def test_if_match_refuses_a_stale_version_and_not_found_is_named(ledger: VolunteerLedger) -> None:
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


def test_bulk_sheet_reports_every_bad_row_and_records_nothing(ledger: VolunteerLedger) -> None:
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


def test_team_membership_and_decisions(ledger: VolunteerLedger) -> None:
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
