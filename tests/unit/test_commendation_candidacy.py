"""Volunteer commendation candidacy for a year, by the rulebook's criteria (DESIGN defaults:
100 credited hours and 6 verified activities in the year, no award of the year withdrawn).

Given the awards (and reversals) a volunteer's events record, then the year's figures and
whether the rulebook version in force makes them a candidate.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import uuid4

from domain.commendation import ServiceYear


def serve_days(volunteer, award, at, days, *, year=2022):
    """One activity a day in March, 08:00–20:00 (12 credited hours each); outside 2022
    (not insured then) in emergency rescue, which records uninsured service flagged."""
    category = "health_education" if year == 2022 else "emergency_rescue"
    return [
        award(
            volunteer,
            at(year, 3, day, 8),
            at(year, 3, day, 20),
            activity_id=uuid4(),
            category=category,
        )
        for day in days
    ]


def test_enough_hours_and_activities_in_the_year_make_a_candidate(volunteer, award, at, rules):
    # Given 108 h in 9 activities in 2022
    serve_days(volunteer, award, at, range(1, 10))

    # When the year's figures are read
    year = ServiceYear.of(volunteer.awards.values(), 2022)

    # Then they count the hours and activities, and qualify
    assert year.figures() == (Decimal(108), 9, 0)
    assert year.qualifies(rules.commendation)


def test_hours_in_too_few_activities_are_not_enough(volunteer, award, at, rules):
    # Given 108 h over nine days, in five activities
    five = [uuid4() for _ in range(5)]
    for day in range(1, 10):
        start, end = at(2022, 3, day, 8), at(2022, 3, day, 20)
        award(volunteer, start, end, activity_id=five[day % 5], attendance_version=day)

    # When the year's figures are read
    year = ServiceYear.of(volunteer.awards.values(), 2022)

    # Then five activities are too few
    assert year.figures() == (Decimal(108), 5, 0)
    assert not year.qualifies(rules.commendation)


def test_another_years_service_does_not_count(volunteer, award, at, rules):
    # Given 60 h in 2022 and 60 h in 2021
    serve_days(volunteer, award, at, range(1, 6))
    serve_days(volunteer, award, at, range(1, 6), year=2021)

    # When 2022's figures are read, then only 2022's service counts
    assert ServiceYear.of(volunteer.awards.values(), 2022).figures() == (Decimal(60), 5, 0)


def test_a_withdrawn_award_of_the_year_rules_a_volunteer_out(volunteer, award, at, actor, rules):
    # Given 120 h in 10 activities, one award reversed
    entries = serve_days(volunteer, award, at, range(1, 11))
    volunteer.reverse_award(entry_id=entries[0], reason="未实际到岗", actor=actor)

    # When the year's figures are read
    year = ServiceYear.of(volunteer.awards.values(), 2022)

    # Then the withdrawn activity is counted as such and rules the volunteer out
    assert year.figures() == (Decimal(108), 9, 1)
    assert not year.qualifies(rules.commendation)


def test_an_award_credited_again_is_not_withdrawn(volunteer, award, at, rules):
    # Given 108 h in 9 activities, and an afternoon award reversed and credited again
    serve_days(volunteer, award, at, range(2, 11))
    later = uuid4()
    award(volunteer, at(2022, 4, 1, 14), at(2022, 4, 1, 18), activity_id=later)
    # The morning shift verified after the afternoon one: the afternoon award is reversed
    # and credited again in the order served (the cap applies earliest first).
    award(volunteer, at(2022, 4, 1, 8), at(2022, 4, 1, 12), activity_id=uuid4())
    assert any(a.reversed for a in volunteer.awards.values() if a.activity_id == later)

    # When the year's figures are read
    year = ServiceYear.of(volunteer.awards.values(), 2022)

    # Then nothing is withdrawn, and the volunteer qualifies
    assert year.figures() == (Decimal(116), 11, 0)
    assert year.qualifies(rules.commendation)


def test_the_criteria_are_the_rulebook_versions(volunteer, award, at, rules):
    # Given 108 h in 9 activities, and a rulebook version asking 150 h
    serve_days(volunteer, award, at, range(1, 10))
    stricter = replace(
        rules, commendation=replace(rules.commendation, volunteer_min_hours=Decimal(150))
    )

    # When the year's figures are read
    year = ServiceYear.of(volunteer.awards.values(), 2022)

    # Then they qualify under the version in force, not under the stricter one
    assert year.qualifies(rules.commendation)
    assert not year.qualifies(stricter.commendation)
