"""VolunteerTeam: forming, members, the one leader, commendations, dissolution.

One behaviour per test, given / when / then; the fixture ``team`` is a township team just formed.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import DomainError
from domain.team import VolunteerTeam
from domain.values import MemberRole, TeamLevel

ANN, BO, CAI = UUID(int=1), UUID(int=2), UUID(int=3)


def form(actor, *, name=" Red Star ", level=TeamLevel.TOWNSHIP, township=" Hailar "):
    return VolunteerTeam.form(
        name=name, level=level, township=township, station="Station 1", actor=actor
    )


@pytest.fixture
def team(actor):
    team = form(actor)
    team.collect_events()
    return team


def commend(team, actor, title="Model team", period="2022"):
    return team.commend(title=title, period=period, basis_position=5, reason="top 3", actor=actor)


def test_forming_a_team_records_it_with_its_names_trimmed(actor, names):
    # When a township team is formed with padded names
    team = form(actor)

    # Then it is recorded, names trimmed, with who formed it
    [formed] = team.collect_events()
    assert names([formed]) == ["Formed"]
    assert (formed.name, formed.level, formed.township, formed.actor) == (
        "Red Star",
        TeamLevel.TOWNSHIP,
        "Hailar",
        actor,
    )


def test_a_new_team_has_no_members_and_no_leader(actor):
    # When a team is formed, then it has no members and no leader
    team = form(actor)
    assert team.members == {}
    assert team.leader is None


def test_a_banner_team_needs_no_township(actor, names):
    # When a banner team is formed with no township, then it is recorded
    team = form(actor, level=TeamLevel.BANNER, township="")
    assert names(team.collect_events()) == ["Formed"]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [({"township": "  "}, "township-team"), ({"name": " "}, "required-field")],
    ids=["township-team-without-township", "no-name"],
)
def test_a_township_team_without_a_township_or_a_team_without_a_name_is_refused(
    actor, changes, rule
):
    # When a township team names no township, or a team no name, then it is refused
    with pytest.raises(DomainError) as refused:
        form(actor, **changes)
    assert refused.value.rule == rule


def test_enrolling_a_volunteer_records_their_role(team, actor, names):
    # When a volunteer is enrolled as a member
    team.enrol(ANN, MemberRole.MEMBER, actor)

    # Then the enrolment names them and the role
    [enrolled] = team.collect_events()
    assert names([enrolled]) == ["MemberEnrolled"]
    assert (enrolled.volunteer_id, enrolled.role) == (ANN, MemberRole.MEMBER)


def test_enrolling_a_member_twice_is_refused(team, actor, rejects):
    # Given a member
    team.enrol(ANN, MemberRole.MEMBER, actor)

    # When they are enrolled again, then that is refused
    with rejects(team, "member-once"):
        team.enrol(ANN, MemberRole.DEPUTY, actor)


def test_a_team_has_one_leader(team, actor, rejects):
    # Given a team with a leader and a deputy
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.DEPUTY, actor)

    # When a second leader is enrolled, then that is refused and the leader stays
    with rejects(team, "one-leader"):
        team.enrol(CAI, MemberRole.LEADER, actor)
    assert team.leader == ANN


def test_appointing_a_leader_records_the_previous_one(team, actor, names):
    # Given a leader and a deputy
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.DEPUTY, actor)
    team.collect_events()

    # When the deputy is appointed leader
    team.appoint_leader(BO, actor)

    # Then the appointment names the new leader and the previous one
    [appointed] = team.collect_events()
    assert names([appointed]) == ["LeaderAppointed"]
    assert (appointed.volunteer_id, appointed.previous) == (BO, ANN)


def test_appointing_a_leader_demotes_the_previous_one_to_member(team, actor):
    # Given a leader and a deputy
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.DEPUTY, actor)

    # When the deputy is appointed leader
    team.appoint_leader(BO, actor)

    # Then the previous leader is a member and the deputy leads
    assert team.members == {ANN: MemberRole.MEMBER, BO: MemberRole.LEADER}
    assert team.leader == BO


def test_appointing_the_first_leader_names_no_previous_one(team, actor):
    # Given a team with a member and no leader
    team.enrol(ANN, MemberRole.MEMBER, actor)
    team.collect_events()

    # When the member is appointed leader
    team.appoint_leader(ANN, actor)

    # Then they lead, and no previous leader is named
    [appointed] = team.collect_events()
    assert appointed.previous is None
    assert team.leader == ANN


def test_appointing_a_non_member_as_leader_is_refused(team, actor, rejects):
    # When someone not in the team is appointed leader, then that is refused
    with rejects(team, "leader-is-member"):
        team.appoint_leader(BO, actor)


def test_appointing_the_leader_again_is_refused(team, actor, rejects):
    # Given a leader
    team.enrol(ANN, MemberRole.LEADER, actor)

    # When they are appointed leader again, then that is refused
    with rejects(team, "leader-changes"):
        team.appoint_leader(ANN, actor)


def test_leaving_records_the_reason(team, actor, names):
    # Given a member
    team.enrol(ANN, MemberRole.MEMBER, actor)
    team.collect_events()

    # When they leave
    team.leave(ANN, "moved", actor)

    # Then that is recorded with the reason
    [left] = team.collect_events()
    assert (names([left]), left.volunteer_id, left.reason) == (["MemberLeft"], ANN, "moved")


def test_when_the_leader_leaves_the_leaders_place_is_free(team, actor, names):
    # Given a leader
    team.enrol(ANN, MemberRole.LEADER, actor)

    # When they leave
    team.leave(ANN, "moved", actor)

    # Then the team has no leader, and another may be enrolled as leader
    assert team.leader is None
    team.enrol(BO, MemberRole.LEADER, actor)
    assert team.leader == BO


def test_leaving_a_team_one_is_not_in_is_refused(team, actor, rejects):
    # Given a member who left
    team.enrol(ANN, MemberRole.MEMBER, actor)
    team.leave(ANN, "moved", actor)

    # When they leave again, then that is refused
    with rejects(team, "member-unknown"):
        team.leave(ANN, "again", actor)


def test_a_commendation_is_recorded_with_its_title_and_period(team, actor, names):
    # When the team is commended for 2022
    commendation = commend(team, actor)

    # Then the commendation is recorded under its id, title and period
    [commended] = team.collect_events()
    assert names([commended]) == ["Commended"]
    assert (commended.commendation_id, commended.title, commended.period) == (
        commendation,
        "Model team",
        "2022",
    )


def test_a_second_commendation_for_the_period_is_refused(team, actor, rejects):
    # Given a commendation for 2022
    commend(team, actor)

    # When the team is commended for 2022 again, then that is refused
    with rejects(team, "commendation-once"):
        commend(team, actor, title="Model team ")


def test_a_commendation_for_another_period_is_recorded(team, actor, names):
    # Given a commendation for 2022
    commend(team, actor)
    team.collect_events()

    # When the team is commended for 2023, then that is recorded
    commend(team, actor, period="2023")
    assert names(team.collect_events()) == ["Commended"]


def test_a_team_commendation_without_a_title_is_refused(team, actor, rejects):
    # When a commendation names no title, then it is refused
    with rejects(team, "required-field"):
        commend(team, actor, title="")


def test_dissolving_a_team_records_it(team, actor, names):
    # When a team is dissolved, then that is recorded
    team.dissolve("merged", actor)
    assert names(team.collect_events()) == ["Dissolved"]


DISSOLVED_CANNOT = {
    "enrol": lambda t, a: t.enrol(CAI, MemberRole.MEMBER, a),
    "leave": lambda t, a: t.leave(ANN, "bye", a),
    "appoint": lambda t, a: t.appoint_leader(BO, a),
    "commend": lambda t, a: commend(t, a),
    "dissolve": lambda t, a: t.dissolve("again", a),
}


@pytest.mark.parametrize("command", sorted(DISSOLVED_CANNOT))
def test_a_dissolved_team_refuses_changes(team, actor, rejects, command):
    # Given a dissolved team with a leader and a member
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.MEMBER, actor)
    team.dissolve("merged", actor)

    # When it is changed, then that is refused and its members stay as they were
    with rejects(team, "team-dissolved"):
        DISSOLVED_CANNOT[command](team, actor)
    assert team.members == {ANN: MemberRole.LEADER, BO: MemberRole.MEMBER}
