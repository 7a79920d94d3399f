"""Volunteer: star levels, commendations, and suspension / reinstatement / withdrawal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.values import VolunteerStatus

# ----------------------------------------------------------------- star levels


def test_star_level_needs_the_credited_hours(volunteer, actor, rules, rejects):
    with rejects(volunteer, "star-level-not-reached"):
        volunteer.certify_star_level(
            level=1, basis_position=7, service_year=2022, rules=rules, actor=actor
        )


def test_star_level_is_certified_once_reached_and_only_once(
    volunteer, actor, rules, at, award, rejects, names
):
    for day in range(1, 10):  # 9 days x 12 credited hours = 108 h
        award(volunteer, at(2022, 3, day, 8), at(2022, 3, day, 20))
    assert volunteer.credited_hours == 108
    volunteer.collect_events()

    volunteer.certify_star_level(
        level=1, basis_position=42, service_year=2022, rules=rules, actor=actor
    )

    events = volunteer.collect_events()
    assert names(events) == ["StarLevelCertified"]
    assert (events[0].level, events[0].basis_position) == (1, 42)
    with rejects(volunteer, "star-level-certified"):
        volunteer.certify_star_level(
            level=1, basis_position=43, service_year=2022, rules=rules, actor=actor
        )
    with rejects(volunteer, "star-level-not-reached"):
        volunteer.certify_star_level(
            level=2, basis_position=43, service_year=2022, rules=rules, actor=actor
        )


@pytest.mark.parametrize("level", [0, 6, -1])
def test_star_level_out_of_range_is_refused(volunteer, actor, rules, rejects, level):
    with rejects(volunteer, "star-level-range"):
        volunteer.certify_star_level(
            level=level, basis_position=1, service_year=2022, rules=rules, actor=actor
        )


# ----------------------------------------------------------------- commendations


def grant(volunteer, actor, title="Outstanding volunteer", period="2022"):
    return volunteer.grant_commendation(
        title=title, period=period, basis_position=9, reason="ranked first", actor=actor
    )


def test_commendation_is_granted_once_per_period(volunteer, actor, rejects, names):
    commendation = grant(volunteer, actor)

    events = volunteer.collect_events()
    assert names(events) == ["CommendationGranted"]
    assert (events[0].commendation_id, events[0].title) == (commendation, "Outstanding volunteer")
    with rejects(volunteer, "commendation-once"):
        grant(volunteer, actor, title=" Outstanding volunteer ")
    grant(volunteer, actor, period="2023")
    assert names(volunteer.collect_events()) == ["CommendationGranted"]


def test_a_commendation_needs_a_title(volunteer, actor, rejects):
    with rejects(volunteer, "required-field"):
        grant(volunteer, actor, title=" ")


def test_revoked_commendation_is_gone_and_cannot_be_revoked_again(volunteer, actor, rejects, names):
    commendation = grant(volunteer, actor)
    volunteer.collect_events()

    volunteer.revoke_commendation(commendation_id=commendation, reason="error", actor=actor)

    assert names(volunteer.collect_events()) == ["CommendationRevoked"]
    assert commendation not in volunteer.commendations
    with rejects(volunteer, "commendation-unknown"):
        volunteer.revoke_commendation(commendation_id=commendation, reason="again", actor=actor)


# ----------------------------------------------------------------- status


def test_suspend_and_reinstate(volunteer, actor, rejects, names):
    volunteer.suspend(reason="investigation", actor=actor)
    assert names(volunteer.collect_events()) == ["Suspended"]
    assert volunteer.status is VolunteerStatus.SUSPENDED
    with rejects(volunteer, "volunteer-not-active"):
        volunteer.require_active("sign up")
    with rejects(volunteer, "volunteer-not-active"):
        volunteer.suspend(reason="again", actor=actor)

    volunteer.reinstate(reason="cleared", actor=actor)

    assert names(volunteer.collect_events()) == ["Reinstated"]
    assert volunteer.status is VolunteerStatus.ACTIVE
    with rejects(volunteer, "reinstate-suspended"):
        volunteer.reinstate(reason="again", actor=actor)


def test_withdrawn_volunteer_cannot_be_suspended(volunteer, actor, rejects, names):
    volunteer.withdraw(reason="moved away", actor=actor)
    assert names(volunteer.collect_events()) == ["Withdrawn"]

    with rejects(volunteer, "volunteer-not-active"):
        volunteer.suspend(reason="x", actor=actor)


def test_a_withdrawn_volunteer_who_comes_back_is_reinstated(volunteer, actor, names):
    """Their national id stays theirs: coming back is a reinstatement of the one record."""
    volunteer.withdraw(reason="moved away", actor=actor)
    volunteer.collect_events()

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
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12))  # a balance to redeem
    volunteer.withdraw(reason="moved away", actor=actor)

    with rejects(volunteer, "volunteer-withdrawn") as err:
        WITHDRAWN_CANNOT[doing](volunteer, actor, rules, policy, award, at)
    assert doing in str(err.value)


def test_a_certification_names_its_year_and_is_reached_by_that_years_service(
    volunteer, actor, rules, at, award, rejects, policy
):
    """Issue 14 item 7: 60 h served in 2022 and 60 h in 2023 make 120 h, one star — but not
    for 2022, whose service ended at 60 h."""
    volunteer.record_insurance(
        policy("PICC-2023", covers_from=date(2023, 1, 1), covers_to=date(2023, 12, 31)), actor
    )
    for day in range(1, 6):
        award(volunteer, at(2022, 3, day, 8), at(2022, 3, day, 20))
        award(volunteer, at(2023, 3, day, 8), at(2023, 3, day, 20))
    assert volunteer.credited_hours == 120
    volunteer.collect_events()
    with rejects(volunteer, "star-level-not-reached"):
        volunteer.certify_star_level(
            level=1, basis_position=9, service_year=2022, rules=rules, actor=actor
        )
    volunteer.certify_star_level(
        level=1, basis_position=9, service_year=2023, rules=rules, actor=actor
    )
    (event,) = volunteer.collect_events()
    assert (event.level, event.service_year) == (1, 2023)


def test_a_version_1_certification_upcasts_with_no_year():
    from domain.volunteer import Volunteer

    state = {"level": 2, "basis_position": 5, "actor": None}
    Volunteer.StarLevelCertified.upcast_v1_v2(state)
    assert state == {"level": 2, "basis_position": 5, "actor": None, "service_year": None}
