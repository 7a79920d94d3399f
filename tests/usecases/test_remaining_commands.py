"""The rest of the contract's commands, each through the application."""

from __future__ import annotations

from datetime import date, timedelta

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
from domain.values import BeneficiaryType, HoursSource, MediaLevel, MemberRole
from tests.support.builders import BUREAU, STAFF, activity, at, hours, team, volunteer

DAY = date(2022, 5, 11)


def test_sign_up_withdraw_outcomes_and_cancel(ledger: VolunteerLedger) -> None:
    tid = team(ledger)
    a, b = volunteer(ledger), volunteer(ledger)
    aid = activity(ledger, tid, capacity=1)
    ledger.sign_up(SignUp(activity_id=aid, volunteer_id=a), actor=STAFF)
    with pytest.raises(DomainError) as full:
        ledger.sign_up(SignUp(activity_id=aid, volunteer_id=b), actor=STAFF)
    assert full.value.rule == "capacity"
    ledger.withdraw_signup(
        WithdrawSignup(activity_id=aid, volunteer_id=a, reason="家中有事"), actor=STAFF
    )
    ledger.sign_up(SignUp(activity_id=aid, volunteer_id=b), actor=STAFF)  # the freed place is taken
    ledger.record_beneficiaries(
        RecordBeneficiaries(
            activity_id=aid, counts={BeneficiaryType.VETERAN: 12, BeneficiaryType.PUBLIC: 30}
        ),
        actor=STAFF,
    )
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
    result = ledger.cancel_activity(CancelActivity(activity_id=aid, reason="暴雨预警"), actor=STAFF)
    state = ledger.repository.get(aid)
    assert state.signups == [b] and state.beneficiaries == {"public": 30, "veteran": 12}
    assert state.status.value == "cancelled" and result.version == state.version
    with pytest.raises(DomainError) as cancelled:
        hours(ledger, aid, b, at(DAY, 9), at(DAY, 10))
    assert cancelled.value.rule == "activity-cancelled"


def test_membership_leaving_and_dissolving(ledger: VolunteerLedger) -> None:
    tid = team(ledger)
    vid = volunteer(ledger)
    ledger.enrol_member(
        EnrolMember(team_id=tid, volunteer_id=vid, role=MemberRole.DEPUTY), actor=STAFF
    )
    ledger.member_leaves(
        MemberLeaves(team_id=tid, volunteer_id=vid, reason="迁居外地"), actor=STAFF
    )
    ledger.dissolve_team(DissolveTeam(team_id=tid, reason="合并"), actor=BUREAU)
    with pytest.raises(DomainError) as dissolved:
        activity(ledger, tid)
    assert dissolved.value.rule == "team-dissolved"
    assert ledger.repository.get(tid).members == {}


def test_star_certification_needs_the_hours(ledger: VolunteerLedger) -> None:
    tid = team(ledger)
    vid = volunteer(ledger)
    with pytest.raises(DomainError) as short:
        ledger.certify_star_level(
            CertifyStarLevel(
                volunteer_id=vid,
                level=1,
                basis_position=ledger.current_position(),
                service_year=2022,
            ),
            actor=BUREAU,
        )
    assert short.value.rule == "star-level-not-reached"
    # 11 days × 10 h backfilled = 110 credited hours (backfill counts as hours, not points).
    for n in range(11):
        day = DAY + timedelta(days=n)
        aid = activity(ledger, tid, day=day)
        ledger.record_hours(
            RecordHours(
                activity_id=aid,
                volunteer_id=vid,
                interval=_day_long(day),
                source=HoursSource.BACKFILL,
            ),
            actor=STAFF,
        )
        ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
        ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    ledger.certify_star_level(
        CertifyStarLevel(
            volunteer_id=vid, level=1, basis_position=ledger.current_position(), service_year=2022
        ),
        actor=BUREAU,
    )
    person = ledger.repository.get(vid)
    assert person.star_level_certified == 1 and person.credited_hours == 110
    assert person.balance == 0


def test_commendation_granted_and_revoked_and_profile_and_status(ledger: VolunteerLedger) -> None:
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
    ledger.revoke_commendation(
        RevokeCommendation(
            volunteer_id=vid, commendation_id=granted.created["commendation_id"], reason="依据不足"
        ),
        actor=BUREAU,
    )
    ledger.update_profile(
        UpdateProfile(volunteer_id=vid, phone="13900000000", skills=["心理疏导"]), actor=STAFF
    )
    aid = activity(ledger, team(ledger))
    ledger.suspend_volunteer(SuspendVolunteer(volunteer_id=vid, reason="待核实"), actor=BUREAU)
    with pytest.raises(DomainError) as suspended:
        ledger.sign_up(SignUp(activity_id=aid, volunteer_id=vid), actor=STAFF)
    assert suspended.value.rule == "volunteer-not-active"
    ledger.reinstate_volunteer(
        ReinstateVolunteer(volunteer_id=vid, reason="核实无误"), actor=BUREAU
    )
    ledger.withdraw_volunteer(WithdrawVolunteer(volunteer_id=vid, reason="本人申请"), actor=BUREAU)
    person = ledger.repository.get(vid)
    assert person.status.value == "withdrawn" and person.commendations == {}
    assert person.phone == "13900000000" and person.skills == ["心理疏导"]


def _day_long(day: date):  # type: ignore[no-untyped-def]
    from domain.values import Interval

    return Interval(at(day, 8), at(day, 18))
