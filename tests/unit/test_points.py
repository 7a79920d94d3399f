"""The points formula: rounding, multipliers, the daily cap, backfill; examples and properties."""

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
def test_round_hours_examples(rules, minutes, hours):
    assert round_hours(Decimal(minutes), rules) == Decimal(hours)


def test_a_second_past_15_minutes_rounds_to_half_an_hour(rules):
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
    result = figures(150, category=category)
    assert (result.rounded_hours, result.credited_hours) == (Decimal("2.5"), Decimal("2.5"))
    assert (result.multiplier, result.points) == (Decimal(multiplier), Decimal(points))
    assert result.rulebook_version == "2022.1"


def test_an_unknown_category_is_refused(figures):
    with pytest.raises(DomainError) as err:
        figures(60, category="knitting")
    assert err.value.rule == "unknown-category"
    assert "knitting" in str(err.value)


@pytest.mark.parametrize(
    ("minutes", "already", "credited"),
    [(240, 0, 4), (240, 10, 2), (240, 12, 0), (240, 13, 0), (240, "11.5", "0.5"), (800, 0, 12)],
)
def test_the_daily_cap_limits_credited_hours(figures, minutes, already, credited):
    result = figures(minutes, already=Decimal(already))
    assert result.credited_hours == Decimal(credited)
    assert result.points == Decimal(credited)
    assert result.daily_cap_hours == 12


def test_backfill_counts_hours_but_earns_no_points(figures):
    result = figures(180, category="emergency_rescue", source=HoursSource.BACKFILL)
    assert (result.credited_hours, result.earns_points, result.points) == (3, False, 0)


def test_training_earns_one_point_per_hour(rules):
    assert training_points(Decimal("1.5"), rules) == Decimal("1.5")
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
