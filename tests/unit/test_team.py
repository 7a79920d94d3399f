"""VolunteerTeam: forming, members, the one leader, commendations, dissolution."""

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


def test_forming_a_township_team(actor, names):
    team = form(actor)

    [formed] = team.collect_events()
    assert names([formed]) == ["Formed"]
    assert (formed.name, formed.level, formed.township, formed.actor) == (
        "Red Star",
        TeamLevel.TOWNSHIP,
        "Hailar",
        actor,
    )
    assert team.members == {}
    assert team.leader is None


def test_a_banner_team_needs_no_township(actor, names):
    team = form(actor, level=TeamLevel.BANNER, township="")
    assert names(team.collect_events()) == ["Formed"]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [({"township": "  "}, "township-team"), ({"name": " "}, "required-field")],
)
def test_forming_rejections(actor, changes, rule):
    with pytest.raises(DomainError) as err:
        form(actor, **changes)
    assert err.value.rule == rule


def test_a_volunteer_is_enrolled_once(team, actor, rejects, names):
    team.enrol(ANN, MemberRole.MEMBER, actor)

    [enrolled] = team.collect_events()
    assert names([enrolled]) == ["MemberEnrolled"]
    assert (enrolled.volunteer_id, enrolled.role) == (ANN, MemberRole.MEMBER)
    with rejects(team, "member-once"):
        team.enrol(ANN, MemberRole.DEPUTY, actor)


def test_a_team_has_one_leader(team, actor, rejects):
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.DEPUTY, actor)
    with rejects(team, "one-leader"):
        team.enrol(CAI, MemberRole.LEADER, actor)
    assert team.leader == ANN


def test_appointing_a_leader_demotes_the_previous_one(team, actor, names):
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.DEPUTY, actor)
    team.collect_events()

    team.appoint_leader(BO, actor)

    [appointed] = team.collect_events()
    assert names([appointed]) == ["LeaderAppointed"]
    assert (appointed.volunteer_id, appointed.previous) == (BO, ANN)
    assert team.members == {ANN: MemberRole.MEMBER, BO: MemberRole.LEADER}
    assert team.leader == BO


def test_appointing_the_first_leader(team, actor):
    team.enrol(ANN, MemberRole.MEMBER, actor)
    team.collect_events()
    team.appoint_leader(ANN, actor)
    [appointed] = team.collect_events()
    assert appointed.previous is None
    assert team.leader == ANN


def test_leader_appointment_rejections(team, actor, rejects):
    team.enrol(ANN, MemberRole.LEADER, actor)
    with rejects(team, "leader-is-member"):
        team.appoint_leader(BO, actor)
    with rejects(team, "leader-changes"):
        team.appoint_leader(ANN, actor)


def test_leaving(team, actor, rejects, names):
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.collect_events()

    team.leave(ANN, "moved", actor)

    [left] = team.collect_events()
    assert (names([left]), left.volunteer_id, left.reason) == (["MemberLeft"], ANN, "moved")
    assert team.leader is None
    team.enrol(BO, MemberRole.LEADER, actor)  # the leader's place is free again
    with rejects(team, "member-unknown"):
        team.leave(ANN, "again", actor)


def test_a_commendation_is_given_once_per_period(team, actor, rejects, names):
    commendation = commend(team, actor)

    [commended] = team.collect_events()
    assert names([commended]) == ["Commended"]
    assert (commended.commendation_id, commended.title, commended.period) == (
        commendation,
        "Model team",
        "2022",
    )
    with rejects(team, "commendation-once"):
        commend(team, actor, title="Model team ")
    commend(team, actor, period="2023")
    assert names(team.collect_events()) == ["Commended"]


def test_a_team_commendation_needs_a_title(team, actor, rejects):
    with rejects(team, "required-field"):
        commend(team, actor, title="")


DISSOLVED_CANNOT = {
    "enrol": lambda t, a: t.enrol(CAI, MemberRole.MEMBER, a),
    "leave": lambda t, a: t.leave(ANN, "bye", a),
    "appoint": lambda t, a: t.appoint_leader(BO, a),
    "commend": lambda t, a: commend(t, a),
    "dissolve": lambda t, a: t.dissolve("again", a),
}


@pytest.mark.parametrize("command", sorted(DISSOLVED_CANNOT))
def test_a_dissolved_team_refuses_changes(team, actor, rejects, names, command):
    team.enrol(ANN, MemberRole.LEADER, actor)
    team.enrol(BO, MemberRole.MEMBER, actor)
    team.collect_events()
    team.dissolve("merged", actor)
    assert names(team.collect_events()) == ["Dissolved"]

    with rejects(team, "team-dissolved"):
        DISSOLVED_CANNOT[command](team, actor)
    assert team.members == {ANN: MemberRole.LEADER, BO: MemberRole.MEMBER}
