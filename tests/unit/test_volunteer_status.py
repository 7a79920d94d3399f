"""Volunteer: star levels, commendations, and suspension / reinstatement / withdrawal.

One behaviour per test, given / when / then; the fixture ``volunteer`` is active and insured
for 2022, and ``award`` (conftest) credits service at +08:00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.values import VolunteerStatus
from domain.volunteer import Volunteer


def certify(volunteer, actor, rules, *, level=1, basis_position=42, service_year=2022):
    volunteer.certify_star_level(
        level=level,
        basis_position=basis_position,
        service_year=service_year,
        rules=rules,
        actor=actor,
    )


def serve_108_hours(volunteer, at, award):
    """9 days x 12 credited hours in March 2022: the first star's 100 hours, not the second's."""
    for day in range(1, 10):
        award(volunteer, at(2022, 3, day, 8), at(2022, 3, day, 20))
    volunteer.collect_events()


def grant(volunteer, actor, title="Outstanding volunteer", period="2022"):
    return volunteer.grant_commendation(
        title=title, period=period, basis_position=9, reason="ranked first", actor=actor
    )


# ----------------------------------------------------------------- star levels


def test_a_star_level_without_the_hours_is_refused(volunteer, actor, rules, rejects):
    # Given a volunteer with no credited hours
    # When the first star is certified, then that is refused
    with rejects(volunteer, "star-level-not-reached"):
        certify(volunteer, actor, rules, basis_position=7)


def test_a_star_level_reached_is_certified_naming_its_basis(
    volunteer, actor, rules, at, award, names
):
    # Given 108 credited hours
    serve_108_hours(volunteer, at, award)
    assert volunteer.credited_hours == 108

    # When the first star is certified at basis position 42
    certify(volunteer, actor, rules)

    # Then the certification is recorded with its level and basis
    events = volunteer.collect_events()
    assert names(events) == ["StarLevelCertified"]
    assert (events[0].level, events[0].basis_position) == (1, 42)


def test_a_star_level_is_certified_once(volunteer, actor, rules, at, award, rejects):
    # Given the first star certified
    serve_108_hours(volunteer, at, award)
    certify(volunteer, actor, rules)

    # When it is certified again, then that is refused
    with rejects(volunteer, "star-level-certified"):
        certify(volunteer, actor, rules, basis_position=43)


def test_a_higher_star_level_not_yet_reached_is_refused(
    volunteer, actor, rules, at, award, rejects
):
    # Given the first star certified on 108 hours
    serve_108_hours(volunteer, at, award)
    certify(volunteer, actor, rules)

    # When the second star is certified, then that is refused
    with rejects(volunteer, "star-level-not-reached"):
        certify(volunteer, actor, rules, level=2, basis_position=43)


@pytest.mark.parametrize("level", [0, 6, -1])
def test_a_star_level_out_of_range_is_refused(volunteer, actor, rules, rejects, level):
    # When a level outside 1-5 is certified, then that is refused
    with rejects(volunteer, "star-level-range"):
        certify(volunteer, actor, rules, level=level, basis_position=1)


@pytest.fixture
def served_60_hours_in_2022_and_2023(volunteer, actor, at, award, policy):
    """Issue 14 item 7: 60 h served in 2022 and 60 h in 2023 make 120 h."""
    volunteer.record_insurance(
        policy("PICC-2023", covers_from=date(2023, 1, 1), covers_to=date(2023, 12, 31)), actor
    )
    for day in range(1, 6):
        award(volunteer, at(2022, 3, day, 8), at(2022, 3, day, 20))
        award(volunteer, at(2023, 3, day, 8), at(2023, 3, day, 20))
    volunteer.collect_events()
    return volunteer


def test_a_certification_for_a_year_counts_only_service_up_to_its_end(
    served_60_hours_in_2022_and_2023, actor, rules, rejects
):
    # Given 120 credited hours, 60 of them in 2022
    volunteer = served_60_hours_in_2022_and_2023
    assert volunteer.credited_hours == 120

    # When the first star is certified for 2022, then that is refused: 2022 ended at 60 h
    with rejects(volunteer, "star-level-not-reached"):
        certify(volunteer, actor, rules, basis_position=9, service_year=2022)


def test_a_certification_names_the_year_it_is_for(served_60_hours_in_2022_and_2023, actor, rules):
    # Given 120 credited hours by the end of 2023
    volunteer = served_60_hours_in_2022_and_2023

    # When the first star is certified for 2023
    certify(volunteer, actor, rules, basis_position=9, service_year=2023)

    # Then the certification names 2023
    (event,) = volunteer.collect_events()
    assert (event.level, event.service_year) == (1, 2023)


def test_a_version_1_certification_upcasts_with_no_year():
    # Given a stored version 1 certification
    state = {"level": 2, "basis_position": 5, "actor": None}

    # When it is upcast, then it names no year
    Volunteer.StarLevelCertified.upcast_v1_v2(state)
    assert state == {"level": 2, "basis_position": 5, "actor": None, "service_year": None}


# ----------------------------------------------------------------- commendations


def test_a_commendation_is_recorded_with_its_title(volunteer, actor, names):
    # When a commendation is granted for 2022
    commendation = grant(volunteer, actor)

    # Then it is recorded under its id, with its title
    events = volunteer.collect_events()
    assert names(events) == ["CommendationGranted"]
    assert (events[0].commendation_id, events[0].title) == (commendation, "Outstanding volunteer")


def test_a_second_commendation_for_the_same_period_is_refused(volunteer, actor, rejects):
    # Given a commendation for 2022
    grant(volunteer, actor)

    # When another is granted for 2022, then that is refused
    with rejects(volunteer, "commendation-once"):
        grant(volunteer, actor, title=" Outstanding volunteer ")


def test_a_commendation_for_another_period_is_granted(volunteer, actor, names):
    # Given a commendation for 2022
    grant(volunteer, actor)
    volunteer.collect_events()

    # When one is granted for 2023, then it is recorded
    grant(volunteer, actor, period="2023")
    assert names(volunteer.collect_events()) == ["CommendationGranted"]


def test_a_commendation_without_a_title_is_refused(volunteer, actor, rejects):
    # When a commendation names a blank title, then it is refused
    with rejects(volunteer, "required-field"):
        grant(volunteer, actor, title=" ")


def test_a_revoked_commendation_is_gone(volunteer, actor, names):
    # Given a commendation
    commendation = grant(volunteer, actor)
    volunteer.collect_events()

    # When it is revoked
    volunteer.revoke_commendation(commendation_id=commendation, reason="error", actor=actor)

    # Then the revocation is recorded and the volunteer no longer holds it
    assert names(volunteer.collect_events()) == ["CommendationRevoked"]
    assert commendation not in volunteer.commendations


def test_revoking_a_commendation_twice_is_refused(volunteer, actor, rejects):
    # Given a revoked commendation
    commendation = grant(volunteer, actor)
    volunteer.revoke_commendation(commendation_id=commendation, reason="error", actor=actor)

    # When it is revoked again, then that is refused
    with rejects(volunteer, "commendation-unknown"):
        volunteer.revoke_commendation(commendation_id=commendation, reason="again", actor=actor)


def test_after_a_revocation_the_period_may_be_commended_again(volunteer, actor, names):
    # Given a revoked commendation for 2022
    commendation = grant(volunteer, actor)
    volunteer.revoke_commendation(commendation_id=commendation, reason="error", actor=actor)
    volunteer.collect_events()

    # When another commendation is granted for 2022, then it is recorded
    grant(volunteer, actor, title="Model volunteer")
    assert names(volunteer.collect_events()) == ["CommendationGranted"]


# ----------------------------------------------------------------- status


def test_suspending_records_it(volunteer, actor, names):
    # When an active volunteer is suspended
    volunteer.suspend(reason="investigation", actor=actor)

    # Then they are suspended
    assert names(volunteer.collect_events()) == ["Suspended"]
    assert volunteer.status is VolunteerStatus.SUSPENDED


def test_a_suspended_volunteer_is_not_active(volunteer, actor, rejects):
    # Given a suspended volunteer
    volunteer.suspend(reason="investigation", actor=actor)

    # When something needs them active, then it is refused
    with rejects(volunteer, "volunteer-not-active"):
        volunteer.require_active("sign up")


def test_suspending_twice_is_refused(volunteer, actor, rejects):
    # Given a suspended volunteer
    volunteer.suspend(reason="investigation", actor=actor)

    # When they are suspended again, then that is refused
    with rejects(volunteer, "volunteer-not-active"):
        volunteer.suspend(reason="again", actor=actor)


def test_a_suspended_volunteer_is_reinstated(volunteer, actor, names):
    # Given a suspended volunteer
    volunteer.suspend(reason="investigation", actor=actor)
    volunteer.collect_events()

    # When they are reinstated, then they are active again
    volunteer.reinstate(reason="cleared", actor=actor)
    assert names(volunteer.collect_events()) == ["Reinstated"]
    assert volunteer.status is VolunteerStatus.ACTIVE


def test_reinstating_an_active_volunteer_is_refused(volunteer, actor, rejects):
    # When an active volunteer is reinstated, then that is refused
    with rejects(volunteer, "reinstate-suspended"):
        volunteer.reinstate(reason="again", actor=actor)


def test_withdrawing_records_it(volunteer, actor, names):
    # When a volunteer withdraws, then the withdrawal is recorded
    volunteer.withdraw(reason="moved away", actor=actor)
    assert names(volunteer.collect_events()) == ["Withdrawn"]
    assert volunteer.status is VolunteerStatus.WITHDRAWN


def test_a_withdrawn_volunteer_cannot_be_suspended(volunteer, actor, rejects):
    # Given a withdrawn volunteer
    volunteer.withdraw(reason="moved away", actor=actor)

    # When they are suspended, then that is refused
    with rejects(volunteer, "volunteer-not-active"):
        volunteer.suspend(reason="x", actor=actor)


def test_a_withdrawn_volunteer_who_comes_back_is_reinstated(volunteer, actor, names):
    """Their national id stays theirs: coming back is a reinstatement of the one record."""
    # Given a withdrawn volunteer
    volunteer.withdraw(reason="moved away", actor=actor)
    volunteer.collect_events()

    # When they are reinstated, then they are active again
    volunteer.reinstate(reason="returned home", actor=actor)
    assert names(volunteer.collect_events()) == ["Reinstated"]
    assert volunteer.status is VolunteerStatus.ACTIVE


WITHDRAWN_CANNOT = {
    "update the profile": lambda v, a, r, p, aw, at: v.update_profile(
        phone="1", township=None, skills=None, actor=a
    ),
    "record training": lambda v, a, r, p, aw, at: v.complete_training(
        course="CPR",
        hours=Decimal(1),
        completed_on=date(2022, 3, 1),
        rules=r,
        rulebook_hash="h",
        actor=a,
    ),
    "record insurance": lambda v, a, r, p, aw, at: v.record_insurance(p("P-NEW"), a),
    "be awarded points": lambda v, a, r, p, aw, at: aw(v, at(2022, 5, 2, 9), at(2022, 5, 2, 10)),
    "redeem points": lambda v, a, r, p, aw, at: v.redeem(points=Decimal(1), benefit="bus", actor=a),
    "be commended": lambda v, a, r, p, aw, at: grant(v, a),
    "withdraw again": lambda v, a, r, p, aw, at: v.withdraw(reason="again", actor=a),
}


@pytest.mark.parametrize("doing", sorted(WITHDRAWN_CANNOT))
def test_a_withdrawn_volunteer_cannot(volunteer, actor, rules, policy, award, at, rejects, doing):
    # Given a withdrawn volunteer with a balance
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12))
    volunteer.withdraw(reason="moved away", actor=actor)

    # When they are asked to do it, then it is refused, saying what
    with rejects(volunteer, "volunteer-withdrawn") as refused:
        WITHDRAWN_CANNOT[doing](volunteer, actor, rules, policy, award, at)
    assert doing in str(refused.value)
