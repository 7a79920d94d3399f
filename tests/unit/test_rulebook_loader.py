"""The rulebook file: the shipped defaults, versions by effective date, and validation messages."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.rulebook import MissingInsurance, TeamCommendationBasis
from domain.values import Category, MediaLevel
from infrastructure.rulebook_loader import (
    DEFAULT_RULEBOOK,
    RulebookError,
    load_rulebook,
    parse_rulebook,
)

DEFAULT_TEXT = DEFAULT_RULEBOOK.read_text(encoding="utf-8")


def edited(old: str, new: str, text: str = DEFAULT_TEXT) -> str:
    assert text.count(old) == 1, f"{old!r} should occur once in the rulebook"
    return text.replace(old, new)


def with_second_version(daily_cap: str = '"10"') -> str:
    """The default file plus a version "2024.1" from 2024-01-01 with another daily cap."""
    later = edited('version = "2022.1"', 'version = "2024.1"')
    later = edited("effective_from = 2020-01-01", "effective_from = 2024-01-01", later)
    later = edited('daily_cap_hours = "12"', f"daily_cap_hours = {daily_cap}", later)
    return DEFAULT_TEXT + "\n" + later


def test_the_default_rulebook_loads(rulebook):
    [rules] = rulebook.versions
    assert (rules.version, rules.effective_from) == ("2022.1", date(2020, 1, 1))
    assert rules.utc_offset == timedelta(hours=8)
    assert rules.window_tolerance_minutes == 30
    assert (rules.daily_cap_hours, rules.points_per_hour, rules.backfill_earns_points) == (
        12,
        1,
        False,
    )
    assert len(rules.categories) == 14
    assert rules.star_thresholds_hours == tuple(Decimal(h) for h in (100, 300, 600, 1000, 1500))
    assert [(t.name, t.min_points) for t in rules.courtesy_tiers] == [
        ("bronze", 50),
        ("silver", 200),
        ("gold", 500),
    ]
    weights = rules.ranking
    total = (
        weights.activities
        + weights.volunteer_hours
        + weights.distinct_volunteers
        + weights.mean_satisfaction
        + weights.media_points
    )
    assert total == 1
    assert weights.media_level_points[MediaLevel.NATIONAL] == 20
    assert (rules.key_support.min_activities, rules.key_support.top_n) == (6, 3)


def test_the_default_categories(rules):
    rescue = rules.category(Category("emergency_rescue"))
    assert (rescue.multiplier, rescue.on_missing_insurance) == (2, MissingInsurance.FLAG)
    assert rules.category(Category("epidemic_prevention")).multiplier == Decimal("1.5")
    others = [c for code, c in rules.categories.items() if code != "emergency_rescue"]
    assert all(c.insurance_required for c in rules.categories.values())
    assert all(c.on_missing_insurance is MissingInsurance.REJECT for c in others)
    assert rescue.label_zh == "应急抢险救援"


@pytest.mark.parametrize(
    ("hours", "stars"), [(0, 0), (99.5, 0), (100, 1), (599, 2), (1500, 5), (9999, 5)]
)
def test_star_levels_by_credited_hours(rules, hours, stars):
    assert rules.star_level(Decimal(str(hours))) == stars


@pytest.mark.parametrize(
    ("points", "tier"),
    [(0, None), (49, None), (50, "bronze"), (199, "bronze"), (200, "silver"), (500, "gold")],
)
def test_courtesy_tiers_by_lifetime_points(rules, points, tier):
    assert rules.courtesy_tier(Decimal(points)) == tier


def test_the_version_in_force_is_the_latest_started(rulebook):
    book = parse_rulebook(with_second_version())

    assert [v.version for v in book.versions] == ["2022.1", "2024.1"]
    assert book.in_force_on(date(2023, 12, 31)).version == "2022.1"
    assert book.in_force_on(date(2024, 1, 1)).version == "2024.1"
    assert book.in_force_on(date(2030, 1, 1)).daily_cap_hours == 10
    assert book.latest.version == "2024.1"
    assert book.version("2022.1").daily_cap_hours == 12
    assert rulebook.in_force_on(date(2024, 1, 1)).version == "2022.1"


def test_nothing_is_in_force_before_the_first_version(rulebook):
    with pytest.raises(DomainError) as err:
        rulebook.in_force_on(date(2019, 12, 31))
    assert err.value.rule == "rulebook-not-in-force"
    with pytest.raises(DomainError) as err:
        rulebook.version("1999.1")
    assert err.value.rule == "rulebook-version"


def test_the_commendation_criteria_are_read_from_the_file(rules):
    rule = rules.commendation
    assert (
        rule.volunteer_min_hours,
        rule.volunteer_min_activities,
        rule.volunteer_no_reversal,
        rule.team_basis,
    ) == (Decimal(100), 6, True, TeamCommendationBasis.KEY_SUPPORT)
    stricter = parse_rulebook(edited('volunteer_min_hours = "100"', 'volunteer_min_hours = "150"'))
    assert stricter.latest.commendation.volunteer_min_hours == 150


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('volunteer_min_hours = "100"', 'volunteer_min_hours = "-1"', "volunteer_min_hours"),
        (
            "volunteer_min_activities = 6",
            'volunteer_min_activities = "six"',
            "volunteer_min_activities",
        ),
        ('team_basis = "key_support"', 'team_basis = "ranking"', "team_basis"),
        ("volunteer_no_reversal = true", "never_commended = true", "never_commended"),
    ],
)
def test_a_bad_commendation_rule_names_the_version_and_the_field(old, new, field):
    with pytest.raises(RulebookError) as err:
        parse_rulebook(with_second_version().replace(old, new, 1), source="office.toml")
    message = str(err.value)
    assert f"rulebook version 2022.1: field commendation.{field}" in message
    assert "2024.1" not in message


@pytest.mark.parametrize(
    ("old", "new", "mentions"),
    [
        ('multiplier = "2.0"', 'multiplier = "-2.0"', ["2022.1", "emergency_rescue", "multiplier"]),
        (
            "backfill_earns_points = false",
            'backfill_earns_points = false\nbonus = "5"',
            ["2022.1", "bonus"],
        ),
        ('activities = "0.3"', 'activities = "0.4"', ["2022.1", "ranking", "sum to 1"]),
        ('daily_cap_hours = "12"', 'daily_cap_hours = "25"', ["2022.1", "daily_cap_hours"]),
        ('"600", "1000"', '"1000", "600"', ["2022.1", "star_thresholds_hours", "increasing"]),
        ('utc_offset = "+08:00"', 'utc_offset = "UTC+8"', ["2022.1", "utc_offset"]),
        ('online = "1"\n', "", ["2022.1", "media_level_points", "online"]),
        (
            'on_missing_insurance = "flag"',
            'on_missing_insurance = "ignore"',
            ["2022.1", "on_missing_insurance"],
        ),
        ("effective_from = 2020-01-01\n", "", ["2022.1", "effective_from"]),
        (
            'min_mean_satisfaction = "4.5"',
            'min_mean_satisfaction = "5.5"',
            ["2022.1", "min_mean_satisfaction"],
        ),
    ],
)
def test_a_bad_file_names_the_version_and_the_field(old, new, mentions):
    with pytest.raises(RulebookError) as err:
        parse_rulebook(edited(old, new), source="office.toml")
    message = str(err.value)
    assert message.startswith("office.toml: ")
    for word in mentions:
        assert word in message


def test_an_error_in_the_second_version_names_that_version():
    with pytest.raises(RulebookError) as err:
        parse_rulebook(with_second_version(daily_cap='"-1"'))
    assert "2024.1" in str(err.value)
    assert "2022.1" not in str(err.value)
    assert "daily_cap_hours" in str(err.value)


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("[[versions]\nversion = 1", "not valid TOML"),
        ('title = "rules"\n' + DEFAULT_TEXT, "unknown top-level keys: title"),
        ("# empty\n", "at least one [[versions]]"),
        (
            DEFAULT_TEXT + "\n" + DEFAULT_TEXT.replace("2020-01-01", "2021-01-01"),
            "version names repeat",
        ),
        (DEFAULT_TEXT + "\n" + DEFAULT_TEXT.replace("2022.1", "2023.1"), "share an effective_from"),
    ],
)
def test_a_malformed_file_is_refused(text, mentions):
    with pytest.raises(RulebookError) as err:
        parse_rulebook(text)
    assert mentions in str(err.value)


def test_the_file_hash_is_the_sha256_of_the_text_and_changes_with_it(rulebook):
    assert rulebook.file_hash == hashlib.sha256(DEFAULT_TEXT.encode("utf-8")).hexdigest()
    changed = parse_rulebook(DEFAULT_TEXT + "\n# reviewed 2023-01-05\n")
    assert changed.file_hash != rulebook.file_hash
    assert parse_rulebook(DEFAULT_TEXT).file_hash == rulebook.file_hash


def test_load_reads_a_given_path_and_reports_a_missing_one(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(with_second_version(), encoding="utf-8")
    assert load_rulebook(path).latest.version == "2024.1"

    missing = tmp_path / "nope.toml"
    with pytest.raises(RulebookError) as err:
        load_rulebook(missing)
    assert "cannot read rulebook" in str(err.value)
    assert str(missing) in str(err.value)
