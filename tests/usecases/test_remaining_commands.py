"""The rest of the contract's commands, each through the application: sign-ups and their
limits, an activity's outcomes and cancellation, leaving and dissolving a team, star
levels, commendations, a volunteer's profile and status."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from application.commands.activities import (
    CancelActivity,
    CompleteActivity,
    RecordBeneficiaries,
    RecordHours,
    RecordMedia,
    SignUp,
    VerifyActivity,
    WithdrawSignup,
)
from application.commands.people import (
    CertifyStarLevel,
    CommendVolunteer,
    DissolveTeam,
    EnrolMember,
    MemberLeaves,
    ReinstateVolunteer,
    RevokeCommendation,
    SuspendVolunteer,
    UpdateProfile,
    WithdrawVolunteer,
)
from application.ledger import VolunteerLedger
from domain.errors import DomainError
from domain.values import BeneficiaryType, HoursSource, Interval, MediaLevel, MemberRole
from tests.support.builders import BUREAU, STAFF, activity, at, hours, team, volunteer

DAY = date(2022, 5, 11)


def _sign_up(ledger: VolunteerLedger, aid: UUID, vid: UUID) -> None:
    ledger.sign_up(SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF)


def _star_level_1(ledger: VolunteerLedger, vid: UUID) -> None:
    ledger.certify_star_level(
        CertifyStarLevel(
            volunteer_id=vid, level=1, basis_position=ledger.current_position(), service_year=2022
        ),
        actor=BUREAU,
    )


# ----------------------------------------------------------------- sign-ups


def test_a_full_activity_refuses_one_more_sign_up(ledger: VolunteerLedger) -> None:
    # Given an activity with one place, taken
    aid = activity(ledger, team(ledger), capacity=1)
    _sign_up(ledger, aid, volunteer(ledger))

    # When another volunteer signs up
    with pytest.raises(DomainError) as full:
        _sign_up(ledger, aid, volunteer(ledger))

    # Then the activity is full
    assert full.value.rule == "capacity"


def test_a_withdrawn_sign_up_frees_the_place_for_another(ledger: VolunteerLedger) -> None:
    # Given an activity with one place, taken by a volunteer who then withdraws
    first, second = volunteer(ledger), volunteer(ledger)
    aid = activity(ledger, team(ledger), capacity=1)
    _sign_up(ledger, aid, first)
    ledger.withdraw_signup(
        WithdrawSignup(activity_id=aid, volunteer_id=first, reason="家中有事"), actor=STAFF
    )

    # When another volunteer signs up
    _sign_up(ledger, aid, second)

    # Then the freed place is theirs
    assert ledger.repository.get(aid).signups == [second]


def test_a_suspended_volunteer_cannot_sign_up(ledger: VolunteerLedger) -> None:
    # Given a suspended volunteer
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    ledger.suspend_volunteer(SuspendVolunteer(volunteer_id=vid, reason="待核实"), actor=BUREAU)

    # When they are signed up
    with pytest.raises(DomainError) as suspended:
        _sign_up(ledger, aid, vid)

    # Then only an active volunteer may take part
    assert suspended.value.rule == "volunteer-not-active"


def test_a_reinstated_volunteer_can_sign_up_again(ledger: VolunteerLedger) -> None:
    # Given a volunteer suspended, then reinstated
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    ledger.suspend_volunteer(SuspendVolunteer(volunteer_id=vid, reason="待核实"), actor=BUREAU)
    ledger.reinstate_volunteer(
        ReinstateVolunteer(volunteer_id=vid, reason="核实无误"), actor=BUREAU
    )

    # When they are signed up
    _sign_up(ledger, aid, vid)

    # Then they are on the activity
    assert ledger.repository.get(aid).signups == [vid]


# ----------------------------------------------------------------- an activity's outcomes


def test_the_people_served_are_recorded_by_beneficiary_type(ledger: VolunteerLedger) -> None:
    # Given an activity
    aid = activity(ledger, team(ledger))

    # When the people it served are counted
    ledger.record_beneficiaries(
        RecordBeneficiaries(
            activity_id=aid, counts={BeneficiaryType.VETERAN: 12, BeneficiaryType.PUBLIC: 30}
        ),
        actor=STAFF,
    )

    # Then the activity holds the counts by type
    assert ledger.repository.get(aid).beneficiaries == {"public": 30, "veteran": 12}


def test_media_coverage_is_recorded_on_the_activity(ledger: VolunteerLedger) -> None:
    # Given an activity
    aid = activity(ledger, team(ledger))

    # When a newspaper's report of it is recorded
    ledger.record_media(
        RecordMedia(
            activity_id=aid,
            outlet="内蒙古日报",
            level=MediaLevel.PROVINCIAL,
            url="https://example.org/a",
            published_on=DAY,
        ),
        actor=STAFF,
    )

    # Then the activity lists it
    (coverage,) = ledger.repository.get(aid).media
    assert (coverage.outlet, coverage.level) == ("内蒙古日报", MediaLevel.PROVINCIAL)


def test_a_cancelled_activity_is_cancelled_at_the_version_returned(
    ledger: VolunteerLedger,
) -> None:
    # Given a planned activity
    aid = activity(ledger, team(ledger))

    # When it is cancelled
    result = ledger.cancel_activity(CancelActivity(activity_id=aid, reason="暴雨预警"), actor=STAFF)

    # Then it is cancelled, and the result names the version that says so
    state = ledger.repository.get(aid)
    assert state.status.value == "cancelled" and result.version == state.version


def test_a_cancelled_activity_takes_no_hours(ledger: VolunteerLedger) -> None:
    # Given a cancelled activity a volunteer had signed up for
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    _sign_up(ledger, aid, vid)
    ledger.cancel_activity(CancelActivity(activity_id=aid, reason="暴雨预警"), actor=STAFF)

    # When their hours are recorded
    with pytest.raises(DomainError) as cancelled:
        hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))

    # Then they are refused
    assert cancelled.value.rule == "activity-cancelled"


# ----------------------------------------------------------------- teams


def test_a_member_who_leaves_is_off_the_team(ledger: VolunteerLedger) -> None:
    # Given a deputy of a team
    tid, vid = team(ledger), volunteer(ledger)
    ledger.enrol_member(
        EnrolMember(team_id=tid, volunteer_id=vid, role=MemberRole.DEPUTY), actor=STAFF
    )

    # When they leave
    ledger.member_leaves(
        MemberLeaves(team_id=tid, volunteer_id=vid, reason="迁居外地"), actor=STAFF
    )

    # Then the team has no members
    assert ledger.repository.get(tid).members == {}


def test_a_dissolved_team_plans_no_activity(ledger: VolunteerLedger) -> None:
    # Given a dissolved team
    tid = team(ledger)
    ledger.dissolve_team(DissolveTeam(team_id=tid, reason="合并"), actor=BUREAU)

    # When it plans an activity
    with pytest.raises(DomainError) as dissolved:
        activity(ledger, tid)

    # Then it is refused
    assert dissolved.value.rule == "team-dissolved"


# ----------------------------------------------------------------- star levels


def test_a_star_level_is_refused_without_its_hours(ledger: VolunteerLedger) -> None:
    # Given a volunteer who has served no hours
    vid = volunteer(ledger)

    # When the bureau certifies star level 1
    with pytest.raises(DomainError) as short:
        _star_level_1(ledger, vid)

    # Then the hours are not there
    assert short.value.rule == "star-level-not-reached"


def test_backfilled_hours_reach_a_star_level_without_earning_points(
    ledger: VolunteerLedger,
) -> None:
    # Given a volunteer with 110 verified hours, all backfilled (11 days of 10 h)
    tid, vid = team(ledger), volunteer(ledger)
    for n in range(11):
        day = DAY + timedelta(days=n)
        aid = activity(ledger, tid, day=day)
        ledger.record_hours(
            RecordHours(
                activity_id=aid,
                volunteer_id=vid,
                interval=Interval(at(day, 8), at(day, 18)),
                source=HoursSource.BACKFILL,
            ),
            actor=STAFF,
        )
        ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    # When the bureau certifies star level 1
    _star_level_1(ledger, vid)

    # Then the level is certified on the hours; the points balance stays empty
    person = ledger.repository.get(vid)
    assert person.star_level_certified == 1 and person.credited_hours == 110
    assert person.balance == 0


# ----------------------------------------------------------------- the volunteer


def test_a_revoked_commendation_is_no_longer_held(ledger: VolunteerLedger) -> None:
    # Given a commended volunteer
    vid = volunteer(ledger)
    granted = ledger.commend_volunteer(
        CommendVolunteer(
            volunteer_id=vid,
            title="优秀志愿者",
            period="2022",
            basis_position=ledger.current_position(),
            reason="",
        ),
        actor=BUREAU,
    )

    # When the commendation is revoked
    ledger.revoke_commendation(
        RevokeCommendation(
            volunteer_id=vid, commendation_id=granted.created["commendation_id"], reason="依据不足"
        ),
        actor=BUREAU,
    )

    # Then they hold none
    assert ledger.repository.get(vid).commendations == {}


def test_a_profile_update_changes_the_phone_and_the_skills(ledger: VolunteerLedger) -> None:
    # Given a volunteer
    vid = volunteer(ledger)

    # When their profile is updated
    ledger.update_profile(
        UpdateProfile(volunteer_id=vid, phone="13900000000", skills=["心理疏导"]), actor=STAFF
    )

    # Then the new phone and skills are theirs
    person = ledger.repository.get(vid)
    assert person.phone == "13900000000" and person.skills == ["心理疏导"]


def test_a_volunteer_withdrawn_at_their_request_is_withdrawn(ledger: VolunteerLedger) -> None:
    # Given an active volunteer
    vid = volunteer(ledger)

    # When they withdraw
    ledger.withdraw_volunteer(WithdrawVolunteer(volunteer_id=vid, reason="本人申请"), actor=BUREAU)

    # Then their status says so
    assert ledger.repository.get(vid).status.value == "withdrawn"
