"""The ledger's use cases: every event names its actor, corrections and reversals move
the points ledger, If-Match and unknown ids are refused, a bad sheet records nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

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
from domain.values import HoursSource, Interval, MemberRole
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer


def _verified_day(ledger: VolunteerLedger, start: int, end: int) -> tuple[UUID, UUID, UUID]:
    """A volunteer checked in from ``start`` to ``end`` o'clock, the activity verified:
    the activity, the volunteer and the award's entry."""
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    hours(ledger, aid, vid, at(DAY, start), at(DAY, end))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards
    return aid, vid, award.entry_id


def _events(ledger: VolunteerLedger) -> list:  # type: ignore[type-arg]
    notifications = ledger.recorder.select_notifications(start=1, limit=1000)
    return [ledger.mapper.to_domain_event(n) for n in notifications]


# ----------------------------------------------------------------- what every event records


def test_every_event_names_the_person_and_the_request_behind_it(ledger: VolunteerLedger) -> None:
    # Given an activity recorded by the station and verified by the bureau
    _verified_day(ledger, 9, 10)

    # When the log is read back
    events = _events(ledger)

    # Then every event names its actor, the award the bureau's request
    assert len(events) == ledger.current_position()
    assert all(getattr(e, "actor", None) is not None for e in events)
    award = next(e for e in events if type(e).__name__ == "PointsAwarded")
    assert award.actor == BUREAU and award.actor.correlation_id == "req-bureau"


def test_an_award_names_the_rulebook_and_the_figures_it_was_computed_by(
    ledger: VolunteerLedger,
) -> None:
    # Given an hour of health education, verified
    _verified_day(ledger, 9, 10)

    # When the award is read back from the log
    award = next(e for e in _events(ledger) if type(e).__name__ == "PointsAwarded")

    # Then it carries the rulebook in force (version and file hash) and its figures
    assert award.rulebook_version == "2022.1" and award.rulebook_hash == ledger.rulebook.file_hash
    assert award.figures.minutes == 60 and award.figures.multiplier == Decimal("1.0")


# ----------------------------------------------------------------- corrections, reversals, redemptions


def test_an_approved_correction_reverses_and_reawards_in_one_save(
    ledger: VolunteerLedger,
) -> None:
    # Given a verified hour, and a correction to four hours proposed by the station
    aid, vid, _ = _verified_day(ledger, 9, 10)
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

    # When the bureau approves it
    result = ledger.approve_correction(
        ApproveCorrection(activity_id=aid, correction_id=proposed.created["correction_id"]),
        actor=BUREAU,
    )

    # Then the old award is reversed and the new one made, in one save
    assert result.position == before + 4  # reversal, new award, approval, correction
    assert result.created["entry_id"] == award_entry_id(aid, vid, 2)
    person = ledger.repository.get(vid)
    assert person.balance == 4 and person.credited_hours == 4 and person.lifetime_points == 4


def test_points_below_a_benefits_tier_redeem_nothing(ledger: VolunteerLedger) -> None:
    # Given a volunteer with 10 lifetime points, below bronze's 50
    _, vid, _ = _verified_day(ledger, 8, 18)

    # When they redeem a bronze benefit
    with pytest.raises(DomainError) as no_tier:
        ledger.redeem_points(RedeemPoints(volunteer_id=vid, benefit="haircut"), actor=STAFF)

    # Then the benefit is not in their tier
    assert no_tier.value.rule == "benefit-not-in-tier"


def test_a_reversed_award_takes_back_its_points_and_hours(ledger: VolunteerLedger) -> None:
    # Given a verified ten-hour day
    _, vid, entry = _verified_day(ledger, 8, 18)

    # When the bureau reverses the award
    ledger.reverse_award(
        ReverseAward(volunteer_id=vid, entry_id=entry, reason="活动重复登记"), actor=BUREAU
    )

    # Then the volunteer's points and hours are back to none
    person = ledger.repository.get(vid)
    assert person.lifetime_points == 0 and person.balance == 0 and person.credited_hours == 0


def test_an_award_is_reversed_only_once(ledger: VolunteerLedger) -> None:
    # Given a reversed award
    _, vid, entry = _verified_day(ledger, 8, 18)
    ledger.reverse_award(
        ReverseAward(volunteer_id=vid, entry_id=entry, reason="活动重复登记"), actor=BUREAU
    )

    # When it is reversed again
    with pytest.raises(DomainError) as twice:
        ledger.reverse_award(
            ReverseAward(volunteer_id=vid, entry_id=entry, reason="again"), actor=BUREAU
        )

    # Then it is refused
    assert twice.value.rule == "reversal-once"


# ----------------------------------------------------------------- If-Match and unknown ids


def test_a_stale_if_match_version_is_refused(ledger: VolunteerLedger) -> None:
    # Given an activity published at version 1, so now at version 2
    aid = activity(ledger, team(ledger))
    ledger.publish_activity(PublishActivity(activity_id=aid, expected_version=1), actor=STAFF)

    # When it is completed by someone who still saw version 1
    with pytest.raises(VersionMismatch):
        ledger.complete_activity(CompleteActivity(activity_id=aid, expected_version=1), actor=STAFF)

    # Then it is refused (above) and the activity stays published
    assert ledger.repository.get(aid).status.value == "published"


def test_an_unknown_activity_is_named_in_the_refusal(ledger: VolunteerLedger) -> None:
    missing = uuid4()

    with pytest.raises(NotFound, match=f"activity {missing} not found"):
        ledger.complete_activity(CompleteActivity(activity_id=missing), actor=STAFF)


def test_an_unknown_volunteer_is_named_in_the_refusal(ledger: VolunteerLedger) -> None:
    aid = activity(ledger, team(ledger))

    with pytest.raises(NotFound, match="volunteer"):
        ledger.sign_up(SignUp(activity_id=aid, volunteer_id=uuid4()), actor=STAFF)


# ----------------------------------------------------------------- sign-in sheets


def _sheet_rows(ledger: VolunteerLedger) -> list[HoursRow]:
    """A good row, then an uninsured volunteer, an unknown one, and hours outside the window."""
    good, uninsured = volunteer(ledger), volunteer(ledger, insured=False)
    return [
        HoursRow(good, Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN),
        HoursRow(uninsured, Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN),
        HoursRow(uuid4(), Interval(at(DAY, 9), at(DAY, 11)), HoursSource.CHECKIN),
        HoursRow(good, Interval(at(DAY, 20), at(DAY, 23)), HoursSource.CHECKIN),
    ]


def test_a_sheet_with_bad_rows_names_each_and_records_nothing(ledger: VolunteerLedger) -> None:
    # Given a sheet with three bad rows after a good one
    rows = _sheet_rows(ledger)
    aid = activity(ledger, team(ledger))
    before = ledger.current_position()

    # When it is recorded
    with pytest.raises(BulkRejected) as rejected:
        ledger.record_hours_bulk(RecordSheet(activity_id=aid, rows=rows), actor=STAFF)

    # Then every bad row is named by its line, and nothing is recorded
    assert [(e.line, e.field) for e in rejected.value.errors] == [
        (2, "volunteer_id"),
        (3, "volunteer_id"),
        (4, "volunteer_id"),
    ]
    assert ledger.current_position() == before


def test_a_sheet_of_good_rows_signs_up_and_records_hours(ledger: VolunteerLedger) -> None:
    # Given a sheet of one good row
    rows = _sheet_rows(ledger)[:1]
    aid = activity(ledger, team(ledger))
    before = ledger.current_position()

    # When it is recorded
    recorded = ledger.record_hours_bulk(RecordSheet(activity_id=aid, rows=rows), actor=STAFF)

    # Then the volunteer is signed up and their hours recorded
    assert recorded.position == before + 2


# ----------------------------------------------------------------- teams, commendations, training


def test_appointing_a_member_leader_makes_the_old_leader_a_member(
    ledger: VolunteerLedger,
) -> None:
    # Given a team with a leader and a member
    tid = team(ledger)
    leader, member = volunteer(ledger), volunteer(ledger)
    for vid, role in ((leader, MemberRole.LEADER), (member, MemberRole.MEMBER)):
        ledger.enrol_member(EnrolMember(team_id=tid, volunteer_id=vid, role=role), actor=STAFF)

    # When the member is appointed leader
    ledger.appoint_leader(AppointLeader(team_id=tid, volunteer_id=member), actor=STAFF)

    # Then the team has one leader, the old one a member again
    squad = ledger.repository.get(tid)
    assert squad.leader == member and squad.members[leader] is MemberRole.MEMBER


def test_a_team_is_commended_on_the_log_as_it_stands(ledger: VolunteerLedger) -> None:
    # Given a team
    tid = team(ledger)

    # When the bureau commends it at the current position
    granted = ledger.commend_team(
        CommendTeam(
            team_id=tid,
            title="优秀志愿服务队",
            period="2022",
            basis_position=ledger.current_position(),
            reason="",
        ),
        actor=BUREAU,
    )

    # Then the team holds the commendation
    assert granted.created["commendation_id"] in ledger.repository.get(tid).commendations


def test_a_commendation_on_a_basis_beyond_the_log_is_refused(ledger: VolunteerLedger) -> None:
    # Given a volunteer
    vid = volunteer(ledger)

    # When the bureau commends them on a position the log has not reached
    with pytest.raises(DomainError) as future:
        ledger.commend_volunteer(
            CommendVolunteer(
                volunteer_id=vid,
                title="优秀志愿者",
                period="2022",
                basis_position=ledger.current_position() + 99,
                reason="",
            ),
            actor=BUREAU,
        )

    # Then the basis is refused
    assert future.value.rule == "basis-position"


def test_completed_training_credits_its_hours_as_points(ledger: VolunteerLedger) -> None:
    # Given a volunteer
    vid = volunteer(ledger)

    # When they complete two and a half hours of first-aid training
    ledger.complete_training(
        CompleteTraining(
            volunteer_id=vid,
            course="应急救护",
            hours=Decimal("2.5"),
            completed_on=date(2022, 3, 1),
        ),
        actor=STAFF,
    )

    # Then the hours are credited as points
    assert ledger.repository.get(vid).balance == Decimal("2.5")
