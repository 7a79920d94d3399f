"""One commendation per volunteer or team per period; a later period may commend again.

Given the events a volunteer or team has recorded, when a commendation is granted, then
either a new event or the rule ``commendation-once`` (and nothing recorded). The state
the rule reads is rebuilt from the events alone (replayed into a fresh aggregate).
"""

from __future__ import annotations

from typing import Any

from domain.team import VolunteerTeam
from domain.values import PersonType, TeamLevel
from domain.volunteer import Volunteer


def replayed(aggregate: Any) -> Any:
    """The aggregate as the store would give it back: its recorded events replayed."""
    events = aggregate.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    return copy


def grant(volunteer, actor, *, title, period):
    return volunteer.grant_commendation(
        title=title, period=period, basis_position=9, reason="年度考评", actor=actor
    )


def registered(national_id, actor) -> Volunteer:
    return Volunteer.register(
        name="王军",
        national_id=national_id(7),
        phone="13800000000",
        person_type=PersonType.VETERAN,
        township="乌审召镇",
        skills=[],
        actor=actor,
    )


def test_a_second_commendation_in_the_same_period_is_refused_whatever_its_title(
    national_id, actor, rejects
):
    # Given a volunteer commended for 2022, as replayed from the store
    volunteer = registered(national_id, actor)
    grant(volunteer, actor, title="优秀退役军人志愿者", period="2022")
    volunteer = replayed(volunteer)

    # When another commendation under another title is granted for 2022
    with rejects(volunteer, "commendation-once") as refused:
        grant(volunteer, actor, title="先进个人", period="2022")

    # Then it is refused, naming the period, in Chinese too
    assert "2022" in str(refused.value) and "2022" in refused.value.message_zh


def test_a_later_period_may_commend_again(national_id, actor, names):
    # Given a volunteer commended for 2022, as replayed from the store
    volunteer = registered(national_id, actor)
    grant(volunteer, actor, title="优秀退役军人志愿者", period="2022")
    volunteer = replayed(volunteer)

    # When the same commendation is granted for 2023
    commendation = grant(volunteer, actor, title="优秀退役军人志愿者", period="2023")

    # Then it is recorded for 2023
    [granted] = volunteer.collect_events()
    assert names([granted]) == ["CommendationGranted"]
    assert (granted.commendation_id, granted.period) == (commendation, "2023")


def test_a_revoked_commendation_frees_its_period(national_id, actor, names):
    # Given a volunteer whose 2022 commendation was revoked, as replayed from the store
    volunteer = registered(national_id, actor)
    first = grant(volunteer, actor, title="优秀退役军人志愿者", period="2022")
    volunteer.revoke_commendation(commendation_id=first, reason="依据不足", actor=actor)
    volunteer = replayed(volunteer)

    # When another commendation is granted for 2022
    grant(volunteer, actor, title="先进个人", period="2022")

    # Then it is recorded
    assert names(volunteer.collect_events()) == ["CommendationGranted"]


def team_given_commended(actor, period="2022"):
    team = VolunteerTeam.form(
        name="乌审召镇志愿服务队",
        level=TeamLevel.TOWNSHIP,
        township="乌审召镇",
        station="乌审召镇退役军人服务站",
        actor=actor,
    )
    team.commend(
        title="优秀志愿服务队", period=period, basis_position=5, reason="重点支持", actor=actor
    )
    return replayed(team)


def test_a_team_is_commended_once_per_period_whatever_the_title(actor, rejects):
    # Given a team commended for 2022, as replayed from the store
    team = team_given_commended(actor)

    # When it is commended for 2022 under another title
    with rejects(team, "commendation-once") as refused:
        team.commend(
            title="先进集体", period="2022", basis_position=6, reason="重点支持", actor=actor
        )

    # Then that is refused, naming the period
    assert "2022" in str(refused.value)


def test_a_team_may_be_commended_again_in_a_later_period(actor, names):
    # Given a team commended for 2022, as replayed from the store
    team = team_given_commended(actor)

    # When it is commended for 2023
    team.commend(
        title="优秀志愿服务队", period="2023", basis_position=6, reason="重点支持", actor=actor
    )

    # Then that is recorded
    [commended] = team.collect_events()
    assert names([commended]) == ["Commended"] and commended.period == "2023"
