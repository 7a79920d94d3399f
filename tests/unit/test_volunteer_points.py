"""Volunteer ledger: awards (overlaps, daily cap, backfill, insurance flag), reversals, redemptions.

One behaviour per test, given / when / then. ``award(volunteer, start, end)`` (conftest)
awards service at +08:00; the fixture ``volunteer`` is insured for 2022.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.awards import award_entry_id
from domain.errors import DomainError
from domain.values import HoursSource

ACTIVITY = UUID(int=101)


# ----------------------------------------------------------------- award_points


def test_an_award_is_recorded_under_a_deterministic_id(volunteer, at, award, names):
    # When 2.5 hours of service on 1 May are awarded
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11, 30), activity_id=ACTIVITY)

    # Then one award is recorded, its id derived from activity, volunteer and version
    events = volunteer.collect_events()
    assert names(events) == ["PointsAwarded"]
    assert entry == events[0].entry_id == award_entry_id(ACTIVITY, volunteer.id, 1)


def test_an_award_records_its_inputs(volunteer, at, award):
    # When 2.5 hours of service on 1 May are awarded
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11, 30), activity_id=ACTIVITY)

    # Then the award names the activity, day, figures, rulebook and covering policy
    [awarded] = volunteer.collect_events()
    assert (awarded.activity_id, awarded.service_date) == (ACTIVITY, date(2022, 5, 1))
    assert (awarded.hours, awarded.points) == (Decimal("2.5"), Decimal("2.5"))
    assert (awarded.rulebook_version, awarded.rulebook_hash) == ("2022.1", "test-rulebook-hash")
    assert awarded.figures.minutes == 150
    assert (awarded.insurance_policy, awarded.uninsured_flag) == ("P-2022", False)


def test_an_award_adds_to_the_balance_lifetime_points_and_credited_hours(volunteer, at, award):
    # When 2.5 hours are awarded
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11, 30))

    # Then balance, lifetime points and credited hours each grow by 2.5
    assert (
        volunteer.balance == volunteer.lifetime_points == volunteer.credited_hours == Decimal("2.5")
    )


@pytest.mark.parametrize(
    ("category", "points"),
    [("emergency_rescue", 4), ("epidemic_prevention", 3), ("condolence_visit", 2)],
)
def test_points_use_the_category_multiplier(volunteer, at, award, category, points):
    # When two hours are awarded in a category
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11), category=category)

    # Then two hours are credited, and points by the category's multiplier
    assert (volunteer.credited_hours, volunteer.lifetime_points) == (2, points)


def test_the_same_award_is_given_once(volunteer, at, award, rejects):
    # Given an award for the activity's first attendance version
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11), activity_id=ACTIVITY)

    # When the same version is awarded again, then that is refused
    with rejects(volunteer, "award-once"):
        award(volunteer, at(2022, 5, 2, 9), at(2022, 5, 2, 11), activity_id=ACTIVITY)


@pytest.mark.parametrize(
    ("start", "end"),
    [((10, 0), (10, 30)), ((8, 0), (9, 1)), ((10, 59), (13, 0)), ((8, 0), (13, 0))],
)
def test_service_overlapping_credited_service_is_refused(volunteer, at, award, rejects, start, end):
    # Given service credited 09:00-11:00
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11))

    # When overlapping service is awarded, then it is refused, saying so
    with rejects(volunteer, "overlapping-service") as refused:
        award(volunteer, at(2022, 5, 1, *start), at(2022, 5, 1, *end))
    assert "overlap" in str(refused.value)


def test_back_to_back_service_does_not_overlap(volunteer, at, award):
    # Given service credited 09:00-11:00
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11))

    # When the hours just after and just before are awarded
    award(volunteer, at(2022, 5, 1, 11), at(2022, 5, 1, 12))
    award(volunteer, at(2022, 5, 1, 8), at(2022, 5, 1, 9))

    # Then all four hours are credited
    assert volunteer.credited_hours == 4


def test_a_standing_award_blocks_a_second_award_for_the_same_hours(volunteer, at, award):
    # Given the activity's award standing
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), activity_id=ACTIVITY)
    volunteer.collect_events()

    # When its next attendance version is awarded over the same hours
    with pytest.raises(DomainError):
        award(
            volunteer,
            at(2022, 5, 1, 9),
            at(2022, 5, 1, 12),
            activity_id=ACTIVITY,
            attendance_version=2,
        )

    # Then it is refused and the hours stay credited once
    assert volunteer.collect_events() == []
    assert volunteer.credited_hours == 3


def test_the_daily_cap_credits_only_the_hours_left_that_day(volunteer, at, award):
    # Given 10 hours credited on 1 May
    award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 16))
    volunteer.collect_events()

    # When 4 more hours of emergency rescue are awarded that day
    award(volunteer, at(2022, 5, 1, 17), at(2022, 5, 1, 21), category="emergency_rescue")

    # Then 2 hours (the 12-hour cap) are credited, at the category's multiplier
    [awarded] = volunteer.collect_events()
    assert (awarded.figures.rounded_hours, awarded.figures.already_credited_that_day) == (4, 10)
    assert (awarded.hours, awarded.points) == (2, 4)


def test_service_beyond_the_daily_cap_credits_no_hours(volunteer, at, award):
    # Given 12 hours credited on 1 May
    award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 18))
    volunteer.collect_events()

    # When more service that day is awarded
    award(volunteer, at(2022, 5, 1, 21), at(2022, 5, 1, 23))

    # Then it credits nothing, and the day stays at 12 hours
    assert volunteer.collect_events()[0].hours == 0
    assert volunteer.credited_on(date(2022, 5, 1)) == 12


def test_the_next_day_has_a_fresh_cap(volunteer, at, award):
    # Given 12 hours credited on 1 May
    award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 18))
    volunteer.collect_events()

    # When 4 hours on 2 May are awarded, then all 4 are credited
    award(volunteer, at(2022, 5, 2, 6), at(2022, 5, 2, 10))
    assert volunteer.collect_events()[0].hours == 4


def test_the_service_date_is_the_calendar_date_at_utc_plus_8(volunteer, at, award):
    # Given 10 hours credited on 1 May (+08:00)
    award(volunteer, at(2022, 5, 1, 8), at(2022, 5, 1, 18))
    volunteer.collect_events()

    # When service from 11:00 and from 16:00 UTC on 1 May is awarded
    award(volunteer, datetime(2022, 5, 1, 11, tzinfo=UTC), datetime(2022, 5, 1, 15, tzinfo=UTC))
    first = volunteer.collect_events()[0]
    award(volunteer, datetime(2022, 5, 1, 16, tzinfo=UTC), datetime(2022, 5, 1, 20, tzinfo=UTC))
    second = volunteer.collect_events()[0]

    # Then 19:00-23:00 at +08:00 falls on 1 May (capped to the 2 hours left), and
    # 00:00-04:00 at +08:00 on 2 May (a new day)
    assert (first.service_date, first.hours) == (date(2022, 5, 1), 2)
    assert (second.service_date, second.hours) == (date(2022, 5, 2), 4)


def test_backfilled_hours_are_awarded_without_points(volunteer, at, award):
    # When three backfilled hours are awarded
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), source=HoursSource.BACKFILL)

    # Then the award credits the hours and earns no points
    [awarded] = volunteer.collect_events()
    assert (awarded.hours, awarded.points, awarded.figures.earns_points) == (3, 0, False)


def test_backfilled_hours_count_as_credited_and_backfilled_hours(volunteer, at, award):
    # When three backfilled hours are awarded
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), source=HoursSource.BACKFILL)

    # Then they count as credited and as backfilled hours, with no points
    assert (volunteer.credited_hours, volunteer.backfilled_hours) == (3, 3)
    assert volunteer.balance == volunteer.lifetime_points == 0


def test_uninsured_emergency_rescue_is_awarded_and_flagged(make_volunteer, at, award):
    # Given an uninsured volunteer
    uninsured = make_volunteer(insured=False)

    # When an hour of emergency rescue is awarded
    award(uninsured, at(2022, 5, 1, 9), at(2022, 5, 1, 10), category="emergency_rescue")

    # Then it is awarded in full, flagged as uninsured
    [awarded] = uninsured.collect_events()
    assert (awarded.uninsured_flag, awarded.insurance_policy, awarded.points) == (True, None, 2)


def test_uninsured_service_in_other_categories_is_refused(make_volunteer, at, award, rejects):
    # Given an uninsured volunteer
    uninsured = make_volunteer(insured=False)

    # When epidemic prevention is awarded, then it is refused
    with rejects(uninsured, "insurance-required"):
        award(uninsured, at(2022, 5, 1, 9), at(2022, 5, 1, 10), category="epidemic_prevention")


def test_cover_is_checked_on_the_service_date_at_utc_plus_8(volunteer, award, rejects):
    # When service at 17:00 UTC on 31 Dec 2022 (1 Jan 2023 at +08:00, after the policy
    # ends) is awarded, then it is refused as uninsured
    with rejects(volunteer, "insurance-required"):
        award(
            volunteer,
            datetime(2022, 12, 31, 17, tzinfo=UTC),
            datetime(2022, 12, 31, 18, tzinfo=UTC),
        )


def test_an_award_in_an_unknown_category_is_refused(volunteer, at, award, rejects):
    # When service in a category the rulebook lacks is awarded, then it is refused
    with rejects(volunteer, "unknown-category"):
        award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 10), category="knitting")


# ----------------------------------------------------------------- reverse_award


@pytest.fixture
def rescue(volunteer, at, award):
    """The entry id of 3 hours of emergency rescue on 1 May (6 points); events collected."""
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), category="emergency_rescue")
    volunteer.collect_events()
    return entry


def test_a_reversal_names_its_award_and_its_reason(volunteer, actor, rescue, names):
    # When the award is reversed with a padded reason
    reversal = volunteer.reverse_award(entry_id=rescue, reason=" wrong person ", actor=actor)

    # Then the reversal names itself, the award and the reason trimmed
    events = volunteer.collect_events()
    assert names(events) == ["PointsReversed"]
    assert (events[0].entry_id, events[0].reverses, events[0].reason) == (
        reversal,
        rescue,
        "wrong person",
    )


def test_a_reversal_withdraws_the_award_in_full(volunteer, actor, rescue):
    # When the award is reversed
    volunteer.reverse_award(entry_id=rescue, reason="wrong person", actor=actor)

    # Then all its points and hours are withdrawn and it is marked reversed
    [reversed_] = volunteer.collect_events()
    assert (reversed_.points, reversed_.hours) == (6, 3)
    assert volunteer.balance == volunteer.lifetime_points == volunteer.credited_hours == 0
    assert volunteer.awards[rescue].reversed


def test_reversing_a_backfill_takes_back_its_backfilled_hours(volunteer, actor, at, award):
    # Given backfilled hours awarded
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), source=HoursSource.BACKFILL)

    # When the award is reversed
    volunteer.reverse_award(entry_id=entry, reason="duplicate sheet", actor=actor)

    # Then neither credited nor backfilled hours remain
    assert volunteer.credited_hours == volunteer.backfilled_hours == 0


def test_a_reversal_must_name_an_award_of_this_volunteer(volunteer, actor, rejects):
    # When an unknown award is reversed, then that is refused
    with rejects(volunteer, "reversal-names-award"):
        volunteer.reverse_award(entry_id=uuid4(), reason="typo", actor=actor)


def test_reversing_an_award_twice_is_refused(volunteer, actor, rescue, rejects):
    # Given a reversed award
    volunteer.reverse_award(entry_id=rescue, reason="first", actor=actor)

    # When it is reversed again, then that is refused and nothing more is withdrawn
    with rejects(volunteer, "reversal-once"):
        volunteer.reverse_award(entry_id=rescue, reason="second", actor=actor)
    assert volunteer.lifetime_points == 0


def test_a_reversal_without_a_reason_is_refused(volunteer, actor, rescue, rejects):
    # When the award is reversed with a blank reason, then that is refused
    with rejects(volunteer, "reason-required"):
        volunteer.reverse_award(entry_id=rescue, reason="  ", actor=actor)


def test_a_reversed_award_frees_its_interval_and_its_share_of_the_cap(volunteer, actor, at, award):
    # Given a reversed award of the whole day's cap (06:00-18:00)
    entry = award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 18))
    volunteer.reverse_award(entry_id=entry, reason="wrong activity", actor=actor)
    volunteer.collect_events()

    # When service within those hours is awarded
    award(volunteer, at(2022, 5, 1, 8), at(2022, 5, 1, 12))

    # Then it is credited in full, as if nothing had been credited that day
    [awarded] = volunteer.collect_events()
    assert (awarded.hours, awarded.figures.already_credited_that_day) == (4, 0)
    assert volunteer.credited_hours == 4


# ----------------------------------------------------------------- redeem


@pytest.fixture
def earned(volunteer, at, award):
    """A volunteer with a balance of 10 points (5 h of emergency rescue)."""
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 14), category="emergency_rescue")
    volunteer.collect_events()
    return volunteer


def test_a_redemption_is_recorded_with_the_benefit_trimmed(earned, actor, names):
    # When 7.5 points are redeemed for a padded benefit name
    entry = earned.redeem(points=Decimal("7.5"), benefit=" park pass ", actor=actor)

    # Then the redemption is recorded under its entry, the benefit trimmed
    events = earned.collect_events()
    assert names(events) == ["PointsRedeemed"]
    assert (events[0].entry_id, events[0].points, events[0].benefit) == (
        entry,
        Decimal("7.5"),
        "park pass",
    )


def test_a_redemption_spends_the_balance_not_the_lifetime_points(earned, actor):
    # When 7.5 of 10 points are redeemed
    earned.redeem(points=Decimal("7.5"), benefit="park pass", actor=actor)

    # Then 2.5 remain to spend and the lifetime points stay at 10
    assert (earned.balance, earned.lifetime_points) == (Decimal("2.5"), 10)


def test_the_whole_balance_can_be_redeemed(earned, actor):
    # When all 10 points are redeemed, then the balance is 0
    earned.redeem(points=Decimal(10), benefit="bus card", actor=actor)
    assert earned.balance == 0


@pytest.mark.parametrize(
    ("points", "benefit", "rule"),
    [
        (Decimal("10.5"), "bus card", "redemption-within-balance"),
        (Decimal(0), "bus card", "redemption-positive"),
        (Decimal(-1), "bus card", "redemption-positive"),
        (Decimal(1), "  ", "required-field"),
    ],
    ids=["beyond-balance", "zero", "negative", "no-benefit"],
)
def test_a_redemption_beyond_the_balance_not_positive_or_unnamed_is_refused(
    earned, actor, rejects, points, benefit, rule
):
    # When such a redemption is asked, then it is refused and the balance stays
    with rejects(earned, rule):
        earned.redeem(points=points, benefit=benefit, actor=actor)
    assert earned.balance == 10
