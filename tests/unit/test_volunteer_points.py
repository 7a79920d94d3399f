"""Volunteer ledger: awards (overlaps, daily cap, backfill, insurance flag), reversals, redemptions."""

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


def test_award_records_its_inputs_under_a_deterministic_id(volunteer, at, award, names):
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11, 30), activity_id=ACTIVITY)

    events = volunteer.collect_events()
    assert names(events) == ["PointsAwarded"]
    awarded = events[0]
    assert entry == awarded.entry_id == award_entry_id(ACTIVITY, volunteer.id, 1)
    assert (awarded.activity_id, awarded.service_date) == (ACTIVITY, date(2022, 5, 1))
    assert (awarded.hours, awarded.points) == (Decimal("2.5"), Decimal("2.5"))
    assert (awarded.rulebook_version, awarded.rulebook_hash) == ("2022.1", "test-rulebook-hash")
    assert awarded.figures.minutes == 150
    assert (awarded.insurance_policy, awarded.uninsured_flag) == ("P-2022", False)
    assert (
        volunteer.balance == volunteer.lifetime_points == volunteer.credited_hours == Decimal("2.5")
    )


@pytest.mark.parametrize(
    ("category", "points"),
    [("emergency_rescue", 4), ("epidemic_prevention", 3), ("condolence_visit", 2)],
)
def test_points_use_the_category_multiplier(volunteer, at, award, category, points):
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11), category=category)
    assert (volunteer.credited_hours, volunteer.lifetime_points) == (2, points)


def test_the_same_award_is_given_once(volunteer, at, award, rejects):
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11), activity_id=ACTIVITY)
    with rejects(volunteer, "award-once"):
        award(volunteer, at(2022, 5, 2, 9), at(2022, 5, 2, 11), activity_id=ACTIVITY)


@pytest.mark.parametrize(
    ("start", "end"),
    [((10, 0), (10, 30)), ((8, 0), (9, 1)), ((10, 59), (13, 0)), ((8, 0), (13, 0))],
)
def test_service_overlapping_another_activity_is_refused(volunteer, at, award, rejects, start, end):
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11))
    with rejects(volunteer, "overlapping-service") as err:
        award(volunteer, at(2022, 5, 1, *start), at(2022, 5, 1, *end))
    assert "overlap" in str(err.value)


def test_back_to_back_service_does_not_overlap(volunteer, at, award, names):
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 11))
    award(volunteer, at(2022, 5, 1, 11), at(2022, 5, 1, 12))
    award(volunteer, at(2022, 5, 1, 8), at(2022, 5, 1, 9))
    assert volunteer.credited_hours == 4


def test_a_standing_award_blocks_a_second_award_for_the_same_activity(volunteer, at, award):
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), activity_id=ACTIVITY)
    volunteer.collect_events()
    with pytest.raises(DomainError):
        award(
            volunteer,
            at(2022, 5, 1, 9),
            at(2022, 5, 1, 12),
            activity_id=ACTIVITY,
            attendance_version=2,
        )
    assert volunteer.collect_events() == []
    assert volunteer.credited_hours == 3


def test_daily_cap_credits_only_the_remainder(volunteer, at, award, names):
    award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 16))  # 10 h
    volunteer.collect_events()

    award(volunteer, at(2022, 5, 1, 17), at(2022, 5, 1, 21), category="emergency_rescue")  # 4 h

    [awarded] = volunteer.collect_events()
    assert (awarded.figures.rounded_hours, awarded.figures.already_credited_that_day) == (4, 10)
    assert (awarded.hours, awarded.points) == (2, 4)
    award(volunteer, at(2022, 5, 1, 21), at(2022, 5, 1, 23))
    assert volunteer.collect_events()[0].hours == 0
    assert volunteer.credited_on(date(2022, 5, 1)) == 12

    award(volunteer, at(2022, 5, 2, 6), at(2022, 5, 2, 10))  # next day: a fresh cap
    assert volunteer.collect_events()[0].hours == 4


def test_the_service_date_is_the_calendar_date_at_utc_plus_8(volunteer, at, award):
    award(volunteer, at(2022, 5, 1, 8), at(2022, 5, 1, 18))  # 10 h on 1 May (+08:00)
    volunteer.collect_events()

    # 11:00–15:00 UTC is 19:00–23:00 on 1 May at +08:00: capped to the 2 h left.
    award(volunteer, datetime(2022, 5, 1, 11, tzinfo=UTC), datetime(2022, 5, 1, 15, tzinfo=UTC))
    first = volunteer.collect_events()[0]
    # 16:00–20:00 UTC on 1 May is 00:00–04:00 on 2 May at +08:00: a new day.
    award(volunteer, datetime(2022, 5, 1, 16, tzinfo=UTC), datetime(2022, 5, 1, 20, tzinfo=UTC))
    second = volunteer.collect_events()[0]

    assert (first.service_date, first.hours) == (date(2022, 5, 1), 2)
    assert (second.service_date, second.hours) == (date(2022, 5, 2), 4)


def test_backfilled_hours_count_as_hours_but_earn_no_points(volunteer, at, award):
    award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), source=HoursSource.BACKFILL)

    [awarded] = volunteer.collect_events()
    assert (awarded.hours, awarded.points, awarded.figures.earns_points) == (3, 0, False)
    assert (volunteer.credited_hours, volunteer.backfilled_hours) == (3, 3)
    assert volunteer.balance == volunteer.lifetime_points == 0


def test_uninsured_emergency_rescue_is_awarded_and_flagged(make_volunteer, at, award):
    uninsured = make_volunteer(insured=False)

    award(uninsured, at(2022, 5, 1, 9), at(2022, 5, 1, 10), category="emergency_rescue")

    [awarded] = uninsured.collect_events()
    assert (awarded.uninsured_flag, awarded.insurance_policy, awarded.points) == (True, None, 2)


def test_uninsured_service_in_other_categories_is_refused(make_volunteer, at, award, rejects):
    uninsured = make_volunteer(insured=False)
    with rejects(uninsured, "insurance-required"):
        award(uninsured, at(2022, 5, 1, 9), at(2022, 5, 1, 10), category="epidemic_prevention")


def test_cover_is_checked_on_the_service_date_at_utc_plus_8(volunteer, award, rejects):
    # 17:00 UTC on 31 Dec 2022 is already 1 Jan 2023 at +08:00, after the policy ends.
    with rejects(volunteer, "insurance-required"):
        award(
            volunteer,
            datetime(2022, 12, 31, 17, tzinfo=UTC),
            datetime(2022, 12, 31, 18, tzinfo=UTC),
        )


def test_an_unknown_category_is_refused(volunteer, at, award, rejects):
    with rejects(volunteer, "unknown-category"):
        award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 10), category="knitting")


# ----------------------------------------------------------------- reverse_award


def test_a_reversal_names_its_award_and_withdraws_it_in_full(volunteer, actor, at, award, names):
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), category="emergency_rescue")
    volunteer.collect_events()

    reversal = volunteer.reverse_award(entry_id=entry, reason=" wrong person ", actor=actor)

    events = volunteer.collect_events()
    assert names(events) == ["PointsReversed"]
    reversed_ = events[0]
    assert (reversed_.entry_id, reversed_.reverses, reversed_.reason) == (
        reversal,
        entry,
        "wrong person",
    )
    assert (reversed_.points, reversed_.hours) == (6, 3)
    assert volunteer.balance == volunteer.lifetime_points == volunteer.credited_hours == 0
    assert volunteer.awards[entry].reversed


def test_reversing_a_backfill_takes_back_its_backfilled_hours(volunteer, actor, at, award):
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12), source=HoursSource.BACKFILL)
    volunteer.reverse_award(entry_id=entry, reason="duplicate sheet", actor=actor)
    assert volunteer.credited_hours == volunteer.backfilled_hours == 0


def test_a_reversal_must_name_an_award_of_this_volunteer(volunteer, actor, rejects):
    with rejects(volunteer, "reversal-names-award"):
        volunteer.reverse_award(entry_id=uuid4(), reason="typo", actor=actor)


def test_an_award_is_reversed_once(volunteer, actor, at, award, rejects):
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12))
    volunteer.reverse_award(entry_id=entry, reason="first", actor=actor)
    with rejects(volunteer, "reversal-once"):
        volunteer.reverse_award(entry_id=entry, reason="second", actor=actor)
    assert volunteer.lifetime_points == 0


def test_a_reversal_needs_a_reason(volunteer, actor, at, award, rejects):
    entry = award(volunteer, at(2022, 5, 1, 9), at(2022, 5, 1, 12))
    with rejects(volunteer, "reason-required"):
        volunteer.reverse_award(entry_id=entry, reason="  ", actor=actor)


def test_a_reversed_award_frees_its_interval_and_its_share_of_the_cap(volunteer, actor, at, award):
    entry = award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 18))  # 12 h: the whole cap
    volunteer.reverse_award(entry_id=entry, reason="wrong activity", actor=actor)
    volunteer.collect_events()

    award(volunteer, at(2022, 5, 1, 8), at(2022, 5, 1, 12))

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


def test_redemption_spends_the_balance_not_the_lifetime_points(earned, actor, names):
    entry = earned.redeem(points=Decimal("7.5"), benefit=" park pass ", actor=actor)

    events = earned.collect_events()
    assert names(events) == ["PointsRedeemed"]
    assert (events[0].entry_id, events[0].points, events[0].benefit) == (
        entry,
        Decimal("7.5"),
        "park pass",
    )
    assert (earned.balance, earned.lifetime_points) == (Decimal("2.5"), 10)


def test_the_whole_balance_can_be_redeemed(earned, actor):
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
)
def test_redemption_rejections(earned, actor, rejects, points, benefit, rule):
    with rejects(earned, rule):
        earned.redeem(points=points, benefit=benefit, actor=actor)
    assert earned.balance == 10
