"""Volunteer: registration, profile, insurance and training.

Awards, reversals and redemptions: test_volunteer_points.py; star levels, commendations
and status: test_volunteer_status.py. One behaviour per test, given / when / then; the
fixture ``volunteer`` is registered and insured for 2022 (policy P-2022).
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


def train(volunteer, actor, rules, *, course="First aid", hours=Decimal("2.5")):
    return volunteer.complete_training(
        course=course,
        hours=hours,
        completed_on=date(2022, 3, 1),
        rules=rules,
        rulebook_hash="h",
        actor=actor,
    )


# ----------------------------------------------------------------- registration

ID_WITH_X = "15010219800101009"  # its check character is X


def test_registration_records_one_event_naming_the_national_id_in_capitals(actor, names):
    # When a volunteer registers with a padded id ending in a lower-case x
    volunteer = register(actor, f" {ID_WITH_X}x ")

    # Then one registration is recorded, the id trimmed and upper-cased, and who registered
    events = volunteer.collect_events()
    assert national_id_check_char(ID_WITH_X) == "X"
    assert names(events) == ["Registered"]
    assert (events[0].national_id, events[0].actor) == (f"{ID_WITH_X}X", actor)


def test_registration_trims_the_name_phone_and_skills_and_drops_blank_skills(actor):
    # When a volunteer registers with padded fields and a blank skill
    volunteer = register(actor, f"{ID_WITH_X}X", name=" Wang Jun ")

    # Then the fields are held trimmed, the blank skill dropped
    assert (volunteer.name, volunteer.phone, volunteer.skills) == (
        "Wang Jun",
        "13800000000",
        ["first aid"],
    )


def test_a_new_volunteer_is_active_with_no_points(actor):
    # When a volunteer registers
    volunteer = register(actor, f"{ID_WITH_X}X")

    # Then they are active, with no points
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
def test_registration_with_a_bad_national_id_is_refused_naming_it(actor, national_id, rule):
    # When a volunteer registers with a malformed id
    with pytest.raises(DomainError) as refused:
        register(actor, national_id)

    # Then the refusal names the rule and the id
    assert refused.value.rule == rule
    assert national_id.strip() in str(refused.value)


@pytest.mark.parametrize("field", ["name", "township"])
def test_registration_without_a_name_or_township_is_refused(actor, national_id, field):
    # When the name or township is blank
    with pytest.raises(DomainError) as refused:
        register(actor, national_id(1), **{field: "  "})

    # Then the refusal names the field
    assert refused.value.rule == "required-field"
    assert field in str(refused.value)


def test_a_superscript_digit_is_a_format_error_not_a_crash(actor):
    # When the id holds a superscript two, then it is refused as malformed
    with pytest.raises(DomainError) as refused:
        register(actor, "150102198001010²14")
    assert refused.value.rule == "national-id-format"


def test_full_width_digits_are_stored_as_ascii(actor, national_id):
    # Given an id typed with full-width digits
    ascii_id = national_id(1)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ascii_id)

    # When the volunteer registers, then the id is held in ASCII
    assert register(actor, full_width).national_id == ascii_id


def test_a_profile_update_changes_what_is_given_and_keeps_the_rest(volunteer, actor, names):
    # When the phone and skills are updated, the township not given
    volunteer.update_profile(phone=" 139 ", township=None, skills=["driving", ""], actor=actor)

    # Then the update is recorded; phone and skills change, trimmed; the township stays
    assert names(volunteer.collect_events()) == ["ProfileUpdated"]
    assert (volunteer.phone, volunteer.township, volunteer.skills) == (
        "139",
        "Hulunbuir",
        ["driving"],
    )


# ----------------------------------------------------------------- insurance


def test_recording_insurance_records_the_policy(volunteer, actor, policy, names):
    # When a 2023 policy is recorded
    extra = policy("P-2023", date(2023, 1, 1), date(2023, 6, 30))
    volunteer.record_insurance(extra, actor)

    # Then it is recorded as given
    events = volunteer.collect_events()
    assert names(events) == ["InsuranceRecorded"]
    assert events[0].policy == extra


@pytest.mark.parametrize(
    ("day", "covering"),
    [
        (date(2023, 1, 1), "P-2023"),
        (date(2023, 6, 30), "P-2023"),
        (date(2022, 12, 31), "P-2022"),
        (date(2023, 7, 1), None),
        (date(2021, 12, 31), None),
    ],
)
def test_a_policy_covers_its_first_and_last_day_and_nothing_outside(
    volunteer, actor, policy, day, covering
):
    # Given policies for 2022 and for the first half of 2023
    volunteer.record_insurance(policy("P-2023", date(2023, 1, 1), date(2023, 6, 30)), actor)

    # When the cover on a day is asked, then it is the policy covering it, if any
    found = volunteer.cover_on(day)
    assert (found.policy_number if found else None) == covering


def test_cover_on_prefers_the_policy_ending_last(volunteer, actor, policy):
    # Given two policies covering July 2022, one ending in 2023
    longer = policy("P-LONG", date(2022, 6, 1), date(2023, 5, 31))
    volunteer.record_insurance(longer, actor)

    # When the cover on 1 July 2022 is asked, then it is the one ending last
    assert volunteer.cover_on(date(2022, 7, 1)) == longer


def test_recording_the_same_policy_twice_is_refused(volunteer, actor, policy, rejects):
    # Given P-2022 recorded (the fixture), when it is recorded again, then that is refused
    with rejects(volunteer, "policy-once"):
        volunteer.record_insurance(policy(), actor)


def test_cancelling_a_policy_records_the_reason(volunteer, actor, names):
    # When P-2022 is cancelled
    volunteer.cancel_insurance("P-2022", "policy lapsed", actor)

    # Then the cancellation is recorded with its reason
    events = volunteer.collect_events()
    assert names(events) == ["InsuranceCancelled"]
    assert (events[0].policy_number, events[0].reason) == ("P-2022", "policy lapsed")


def test_a_cancelled_policy_no_longer_covers(volunteer, actor):
    # When P-2022 is cancelled
    volunteer.cancel_insurance("P-2022", "policy lapsed", actor)

    # Then nothing covers a day in 2022
    assert volunteer.cover_on(date(2022, 5, 1)) is None


def test_cancelling_an_unknown_policy_is_refused(volunteer, actor, rejects):
    # When a policy the volunteer does not hold is cancelled, then that is refused
    with rejects(volunteer, "policy-unknown"):
        volunteer.cancel_insurance("P-NONE", "typo", actor)


@pytest.mark.parametrize(
    "category", ["health_education", "epidemic_prevention", "environmental_protection"]
)
def test_service_needing_insurance_is_refused_without_cover(make_volunteer, rules, category):
    # Given an uninsured volunteer
    uninsured = make_volunteer(insured=False)

    # When service the rulebook insures is checked, then it is refused, naming the day
    with pytest.raises(DomainError) as refused:
        uninsured.check_insured(rules, Category(category), date(2022, 5, 1))
    assert refused.value.rule == "insurance-required"
    assert "2022-05-01" in str(refused.value)


def test_uninsured_emergency_rescue_is_flagged_not_refused(make_volunteer, rules):
    # Given an uninsured volunteer
    uninsured = make_volunteer(insured=False)

    # When emergency rescue is checked, then it passes with no covering policy (flagged later)
    assert uninsured.check_insured(rules, Category("emergency_rescue"), date(2022, 5, 1)) is None


def test_checking_insurance_returns_the_covering_policy(volunteer, rules):
    # When an insured volunteer's service is checked, then the covering policy is returned
    found = volunteer.check_insured(rules, Category("health_education"), date(2022, 5, 1))
    assert found.policy_number == "P-2022"


def test_checking_insurance_for_an_unknown_category_is_refused(volunteer, rules):
    # When a category the rulebook lacks is checked, then it is refused
    with pytest.raises(DomainError) as refused:
        volunteer.check_insured(rules, Category("knitting"), date(2022, 5, 1))
    assert refused.value.rule == "unknown-category"


def test_an_insurance_policy_cannot_end_before_it_starts(policy):
    # When a policy ends the day before it starts, then it is not a policy
    with pytest.raises(DomainError) as refused:
        policy("P-BAD", date(2022, 2, 1), date(2022, 2, 1) - timedelta(days=1))
    assert refused.value.rule == "policy-period"


# ----------------------------------------------------------------- training


def test_training_is_recorded_under_the_rulebook_version(volunteer, actor, rules, names):
    # When 2.5 hours of training are recorded
    entry = train(volunteer, actor, rules)

    # Then the training is recorded with its entry, points and rulebook version
    events = volunteer.collect_events()
    assert names(events) == ["TrainingCompleted"]
    assert (events[0].entry_id, events[0].points, events[0].rulebook_version) == (
        entry,
        Decimal("2.5"),
        "2022.1",
    )


def test_training_earns_a_point_per_hour_but_no_service_hours(volunteer, actor, rules):
    # When 2.5 hours of training are recorded
    train(volunteer, actor, rules)

    # Then 2.5 points are earned and 2.5 training hours held, but no service hours credited
    assert volunteer.balance == volunteer.lifetime_points == Decimal("2.5")
    assert volunteer.training_hours == Decimal("2.5")
    assert volunteer.credited_hours == 0


def test_the_same_course_on_the_same_day_is_recorded_once(volunteer, actor, rules, rejects):
    # Given First aid recorded on 1 March
    train(volunteer, actor, rules, hours=Decimal(1))

    # When it is recorded again that day, then that is refused
    with rejects(volunteer, "training-once"):
        train(volunteer, actor, rules, hours=Decimal(2))


@pytest.mark.parametrize(
    ("course", "hours", "rule"),
    [
        ("  ", Decimal("2"), "required-field"),
        ("CPR", Decimal("0"), "training-hours"),
        ("CPR", Decimal("24.5"), "training-hours"),
    ],
    ids=["no-course", "no-hours", "more-than-a-day"],
)
def test_training_needs_a_course_and_more_than_0_hours_up_to_24(
    volunteer, actor, rules, rejects, course, hours, rule
):
    # When training names no course, or no hours, or more than 24, then it is refused
    with rejects(volunteer, rule):
        train(volunteer, actor, rules, course=course, hours=hours)
