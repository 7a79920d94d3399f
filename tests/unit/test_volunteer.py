"""Volunteer: registration, profile, insurance and training.

Awards, reversals and redemptions: test_volunteer_points.py; star levels, commendations
and status: test_volunteer_status.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.errors import DomainError
from domain.values import Category, PersonType, VolunteerStatus, national_id_check_char
from domain.volunteer import Volunteer


def register(actor, national_id: str, name: str = "Wang Jun", township: str = "Hulunbuir"):
    return Volunteer.register(
        name=name,
        national_id=national_id,
        phone=" 13800000000 ",
        person_type=PersonType.VETERAN,
        township=township,
        skills=[" first aid ", " "],
        actor=actor,
    )


# ----------------------------------------------------------------- registration


def test_registration_records_one_event_with_normalised_fields(actor, names):
    first17 = "15010219800101009"
    assert national_id_check_char(first17) == "X"

    volunteer = register(actor, f" {first17}x ", name=" Wang Jun ")

    events = volunteer.collect_events()
    assert names(events) == ["Registered"]
    assert events[0].national_id == f"{first17}X"
    assert events[0].actor == actor
    assert (volunteer.name, volunteer.phone, volunteer.skills) == (
        "Wang Jun",
        "13800000000",
        ["first aid"],
    )
    assert volunteer.status is VolunteerStatus.ACTIVE
    assert volunteer.balance == volunteer.lifetime_points == 0


@pytest.mark.parametrize(
    ("national_id", "rule"),
    [
        ("15010219800101001", "national-id-format"),  # 17 characters
        ("1501021980010100144", "national-id-format"),  # 19 characters
        ("1501021980A101001" + "4", "national-id-format"),  # a letter among the digits
        ("15010219800101001" + "5", "national-id-check"),  # check char should be 4
        ("15010219800101009" + "0", "national-id-check"),  # check char should be X
        ("   ", "required-field"),
    ],
)
def test_registration_rejects_a_bad_national_id(actor, national_id, rule):
    with pytest.raises(DomainError) as err:
        register(actor, national_id)
    assert err.value.rule == rule
    assert national_id.strip() in str(err.value)


@pytest.mark.parametrize("field", ["name", "township"])
def test_registration_rejects_an_empty_field(actor, national_id, field):
    with pytest.raises(DomainError) as err:
        register(actor, national_id(1), **{field: "  "})
    assert err.value.rule == "required-field"
    assert field in str(err.value)


def test_a_superscript_digit_is_a_format_error_not_a_crash(actor):
    with pytest.raises(DomainError) as err:
        register(actor, "150102198001010²14")
    assert err.value.rule == "national-id-format"


def test_full_width_digits_are_stored_as_ascii(actor, national_id):
    ascii_id = national_id(1)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ascii_id)
    assert register(actor, full_width).national_id == ascii_id


# ----------------------------------------------------------------- insurance


def test_recorded_insurance_covers_its_period_inclusively(volunteer, actor, policy, names):
    extra = policy("P-2023", date(2023, 1, 1), date(2023, 6, 30))

    volunteer.record_insurance(extra, actor)

    events = volunteer.collect_events()
    assert names(events) == ["InsuranceRecorded"]
    assert events[0].policy == extra
    assert volunteer.cover_on(date(2023, 1, 1)) == extra
    assert volunteer.cover_on(date(2023, 6, 30)) == extra
    assert volunteer.cover_on(date(2022, 12, 31)).policy_number == "P-2022"
    assert volunteer.cover_on(date(2023, 7, 1)) is None
    assert volunteer.cover_on(date(2021, 12, 31)) is None


def test_cover_on_prefers_the_policy_ending_last(volunteer, actor, policy):
    longer = policy("P-LONG", date(2022, 6, 1), date(2023, 5, 31))
    volunteer.record_insurance(longer, actor)

    assert volunteer.cover_on(date(2022, 7, 1)) == longer


def test_the_same_policy_is_recorded_once(volunteer, actor, policy, rejects):
    with rejects(volunteer, "policy-once"):
        volunteer.record_insurance(policy(), actor)


def test_cancelled_insurance_no_longer_covers(volunteer, actor, names):
    volunteer.cancel_insurance("P-2022", "policy lapsed", actor)

    events = volunteer.collect_events()
    assert names(events) == ["InsuranceCancelled"]
    assert (events[0].policy_number, events[0].reason) == ("P-2022", "policy lapsed")
    assert volunteer.cover_on(date(2022, 5, 1)) is None


def test_cancelling_an_unknown_policy_is_refused(volunteer, actor, rejects):
    with rejects(volunteer, "policy-unknown"):
        volunteer.cancel_insurance("P-NONE", "typo", actor)


@pytest.mark.parametrize(
    ("category", "rejected"),
    [
        ("health_education", True),
        ("epidemic_prevention", True),
        ("environmental_protection", True),
        ("emergency_rescue", False),  # flagged, not rejected
    ],
)
def test_check_insured_rejects_or_flags_per_rulebook(make_volunteer, rules, category, rejected):
    uninsured = make_volunteer(insured=False)
    if rejected:
        with pytest.raises(DomainError) as err:
            uninsured.check_insured(rules, Category(category), date(2022, 5, 1))
        assert err.value.rule == "insurance-required"
        assert "2022-05-01" in str(err.value)
    else:
        assert uninsured.check_insured(rules, Category(category), date(2022, 5, 1)) is None


def test_check_insured_returns_the_covering_policy(volunteer, rules):
    found = volunteer.check_insured(rules, Category("health_education"), date(2022, 5, 1))
    assert found.policy_number == "P-2022"


def test_check_insured_on_an_unknown_category_is_refused(volunteer, rules):
    with pytest.raises(DomainError) as err:
        volunteer.check_insured(rules, Category("knitting"), date(2022, 5, 1))
    assert err.value.rule == "unknown-category"


# ----------------------------------------------------------------- training


def test_training_earns_one_point_per_hour_but_no_service_hours(volunteer, actor, rules, names):
    entry = volunteer.complete_training(
        course="First aid",
        hours=Decimal("2.5"),
        completed_on=date(2022, 3, 1),
        rules=rules,
        rulebook_hash="h",
        actor=actor,
    )

    events = volunteer.collect_events()
    assert names(events) == ["TrainingCompleted"]
    assert (events[0].entry_id, events[0].points, events[0].rulebook_version) == (
        entry,
        Decimal("2.5"),
        "2022.1",
    )
    assert volunteer.balance == volunteer.lifetime_points == Decimal("2.5")
    assert volunteer.training_hours == Decimal("2.5")
    assert volunteer.credited_hours == 0


@pytest.mark.parametrize(
    ("course", "hours", "rule"),
    [
        ("First aid", Decimal("2"), "training-once"),  # same course, same day
        ("  ", Decimal("2"), "required-field"),
        ("CPR", Decimal("0"), "training-hours"),
        ("CPR", Decimal("24.5"), "training-hours"),
    ],
)
def test_training_rejections(volunteer, actor, rules, rejects, course, hours, rule):
    day = date(2022, 3, 1)
    volunteer.complete_training(
        course="First aid",
        hours=Decimal(1),
        completed_on=day,
        rules=rules,
        rulebook_hash="h",
        actor=actor,
    )
    with rejects(volunteer, rule):
        volunteer.complete_training(
            course=course,
            hours=hours,
            completed_on=day,
            rules=rules,
            rulebook_hash="h",
            actor=actor,
        )


def test_profile_update_keeps_what_is_not_given(volunteer, actor, names):
    volunteer.update_profile(phone=" 139 ", township=None, skills=["driving", ""], actor=actor)

    events = volunteer.collect_events()
    assert names(events) == ["ProfileUpdated"]
    assert (volunteer.phone, volunteer.township, volunteer.skills) == (
        "139",
        "Hulunbuir",
        ["driving"],
    )


def test_an_insurance_policy_cannot_end_before_it_starts(policy):
    with pytest.raises(DomainError) as err:
        policy("P-BAD", date(2022, 2, 1), date(2022, 2, 1) - timedelta(days=1))
    assert err.value.rule == "policy-period"
