"""The points formula: rounding, multipliers, the daily cap, backfill; examples and properties.

One behaviour per test: given a service interval (and the hours already credited that
day), when the formula computes the award, then these figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.points import compute_award, round_hours, training_points
from domain.values import Category, HoursSource, Interval

CATEGORIES = ["emergency_rescue", "epidemic_prevention", "health_education", "six_sends"]
PROPERTY = settings(max_examples=100, deadline=None)


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0, "0"),
        (10, "0"),  # 0h10
        (15, "0"),  # exactly 15 min
        (16, "0.5"),
        (45, "0.5"),  # exactly 45 min
        (46, "1"),
        (60, "1"),
        (130, "2"),  # 2h10
        (150, "2.5"),  # 2h30
        (170, "3"),  # 2h50
        (179, "3"),
        (720, "12"),
        (-5, "0"),
    ],
)
def test_whole_hours_count_and_the_leftover_minutes_round_by_the_rulebooks_steps(
    rules, minutes, hours
):
    # When the minutes served are rounded, then up to 15 leftover minutes are nothing,
    # up to 45 half an hour, more a whole hour (and no service is no hours)
    assert round_hours(Decimal(minutes), rules) == Decimal(hours)


def test_a_second_past_15_minutes_rounds_to_half_an_hour(rules):
    # When 15 minutes and a second are rounded, then they are half an hour
    assert round_hours(Decimal(15 * 60 + 1) / 60, rules) == Decimal("0.5")


@pytest.fixture(scope="session")
def figures(rules, at):
    def compute(minutes, *, category="health_education", source=HoursSource.CHECKIN, already=0):
        start = at(2022, 5, 1, 8)
        interval = Interval(start, start + timedelta(minutes=minutes))
        return compute_award(rules, Category(category), interval, source, Decimal(already))

    return compute


@pytest.mark.parametrize(
    ("category", "multiplier", "points"),
    [
        ("emergency_rescue", "2.0", "5"),
        ("epidemic_prevention", "1.5", "3.75"),
        ("health_education", "1", "2.5"),
        ("martyr_commemoration", "1", "2.5"),
    ],
)
def test_points_are_credited_hours_times_the_category_multiplier(
    figures, category, multiplier, points
):
    # When 2.5 hours in a category are computed
    result = figures(150, category=category)

    # Then all 2.5 are credited, at the category's multiplier, under the rulebook's version
    assert (result.rounded_hours, result.credited_hours) == (Decimal("2.5"), Decimal("2.5"))
    assert (result.multiplier, result.points) == (Decimal(multiplier), Decimal(points))
    assert result.rulebook_version == "2022.1"


def test_an_unknown_category_is_refused(figures):
    # When service in a category the rulebook lacks is computed, then it is refused by name
    with pytest.raises(DomainError) as refused:
        figures(60, category="knitting")
    assert refused.value.rule == "unknown-category"
    assert "knitting" in str(refused.value)


@pytest.mark.parametrize(
    ("minutes", "already", "credited"),
    [(240, 0, 4), (240, 10, 2), (240, 12, 0), (240, 13, 0), (240, "11.5", "0.5"), (800, 0, 12)],
)
def test_the_daily_cap_limits_credited_hours(figures, minutes, already, credited):
    # Given hours already credited that day, when more service is computed
    result = figures(minutes, already=Decimal(already))

    # Then no more than the 12-hour cap leaves is credited, and earns points
    assert result.credited_hours == Decimal(credited)
    assert result.points == Decimal(credited)
    assert result.daily_cap_hours == 12


def test_backfill_counts_hours_but_earns_no_points(figures):
    # When three backfilled hours are computed
    result = figures(180, category="emergency_rescue", source=HoursSource.BACKFILL)

    # Then the hours are credited and earn no points
    assert (result.credited_hours, result.earns_points, result.points) == (3, False, 0)


def test_training_earns_one_point_per_hour(rules):
    # When 1.5 hours of training are computed, then they earn 1.5 points
    assert training_points(Decimal("1.5"), rules) == Decimal("1.5")


def test_negative_training_hours_earn_nothing(rules):
    # When negative training hours are computed, then they earn no points
    assert training_points(Decimal(-2), rules) == 0


# ----------------------------------------------------------------- properties

minutes_st = st.integers(min_value=1, max_value=36 * 60)
seconds_st = st.integers(min_value=1, max_value=36 * 3600)
already_st = st.decimals(min_value=-2, max_value=20, places=1, allow_nan=False)


@PROPERTY
@given(
    seconds=seconds_st,
    already=already_st,
    category=st.sampled_from(CATEGORIES),
    source=st.sampled_from(list(HoursSource)),
)
def test_points_are_never_negative(rules, at, seconds, already, category, source):
    start = at(2022, 5, 1, 8)
    interval = Interval(start, start + timedelta(seconds=seconds))
    result = compute_award(rules, Category(category), interval, source, already)
    assert result.points >= 0
    assert result.credited_hours >= 0


@PROPERTY
@given(
    shorter=seconds_st,
    extra=st.integers(min_value=0, max_value=6 * 3600),
    already=already_st,
    category=st.sampled_from(CATEGORIES),
)
def test_points_do_not_decrease_as_the_service_lengthens(
    rules, at, shorter, extra, already, category
):
    start = at(2022, 5, 1, 8)

    def points(seconds):
        interval = Interval(start, start + timedelta(seconds=seconds))
        return compute_award(
            rules, Category(category), interval, HoursSource.CHECKIN, already
        ).points

    assert points(shorter) <= points(shorter + extra)


@PROPERTY
@given(minutes=minutes_st, already=already_st)
def test_credited_hours_stay_under_the_cap_and_the_rounded_hours(figures, minutes, already):
    result = figures(minutes, already=already)
    assert result.credited_hours <= max(Decimal(0), result.daily_cap_hours - already)
    assert result.credited_hours <= result.rounded_hours


@PROPERTY
@given(seconds=seconds_st)
def test_rounded_hours_are_half_hour_multiples_near_the_exact_duration(rules, seconds):
    minutes = Decimal(seconds) / 60
    rounded = round_hours(minutes, rules)
    assert (rounded * 2) == (rounded * 2).to_integral_value()
    # The rulebook promises "within 1 h"; its 15/45-minute steps keep it within a quarter hour.
    assert abs(rounded - minutes / 60) <= Decimal("0.25")
