"""Awards do not depend on the order of verification: a day's cap is applied in the order
the service happened (earliest shift first), whatever order the shifts are verified in."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.awards import derived_entry_id

MORNING, AFTERNOON = UUID(int=201), UUID(int=202)


def _ledger(volunteer) -> tuple[Decimal, Decimal, list[tuple[UUID, Decimal, Decimal]]]:
    standing = sorted(
        (a.activity_id, a.hours, a.points) for a in volunteer.awards.values() if not a.reversed
    )
    return volunteer.balance, volunteer.credited_hours, standing


@pytest.fixture
def morning_after_afternoon(volunteer, at, award):
    """The afternoon's 8 h (1.0x) credited first, then the morning's 8 h emergency rescue
    (2.0x) verified: (the afternoon's award event, the morning's entry id, the new events)."""
    award(volunteer, at(2022, 5, 1, 14), at(2022, 5, 1, 22), activity_id=AFTERNOON)
    [afternoon] = volunteer.collect_events()
    morning = award(
        volunteer,
        at(2022, 5, 1, 6),
        at(2022, 5, 1, 14),
        category="emergency_rescue",
        activity_id=MORNING,
    )
    return afternoon, morning, volunteer.collect_events()


def test_an_earlier_shift_verified_later_reverses_the_later_ones_first(
    morning_after_afternoon, names
):
    # Given the afternoon credited, when the morning is verified
    afternoon, morning, events = morning_after_afternoon

    # Then the afternoon is reversed, naming the morning, before the morning is credited
    assert names(events) == [
        "PointsReversed",
        "PointsAwarded",
        "PointsAwarded",
        "AwardsResequenced",
    ]
    reversal = events[0]
    assert reversal.reverses == afternoon.entry_id and str(morning) in reversal.reason


def test_an_earlier_shift_verified_later_is_credited_in_full(morning_after_afternoon):
    # Given the afternoon credited, when the morning is verified
    _, morning, events = morning_after_afternoon

    # Then the morning's 8 h are credited in full at 2.0x
    first = events[1]
    assert (first.entry_id, first.hours, first.points) == (morning, 8, 16)


def test_the_later_shift_is_credited_again_within_what_the_cap_leaves(morning_after_afternoon):
    # Given the afternoon credited, when the morning is verified
    afternoon, morning, events = morning_after_afternoon

    # Then the afternoon is credited again, under a derived id, for the 12 - 8 = 4 h left
    again = events[2]
    assert again.entry_id == derived_entry_id("reaward", afternoon.entry_id, morning)
    assert (again.activity_id, again.hours, again.points) == (AFTERNOON, 4, 4)


def test_a_note_names_the_cause_of_the_resequencing(morning_after_afternoon):
    # Given the afternoon credited, when the morning is verified
    afternoon, morning, events = morning_after_afternoon

    # Then a note names the morning as the cause, the reversed and the re-awarded entries
    again, note = events[2], events[3]
    assert (note.cause, note.reversed_ids, note.reawarded_ids) == (
        morning,
        [afternoon.entry_id],
        [again.entry_id],
    )


def test_after_resequencing_the_day_holds_the_cap_in_the_order_served(
    volunteer, morning_after_afternoon
):
    # Given the afternoon credited, when the morning is verified
    # Then 12 h are credited: 16 points for the morning, 4 for the afternoon
    assert (volunteer.balance, volunteer.credited_hours) == (20, 12)


def test_a_later_shift_verified_last_changes_nothing_before_it(volunteer, at, award, names):
    # Given the morning's 8 h emergency rescue credited
    award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 14), category="emergency_rescue")
    volunteer.collect_events()

    # When the afternoon is verified
    award(volunteer, at(2022, 5, 1, 14), at(2022, 5, 1, 22))

    # Then only its award is recorded, capped at the 4 h left
    assert names(volunteer.collect_events()) == ["PointsAwarded"]
    assert volunteer.balance == 20


SHIFTS = [  # (start hour, end hour, category) on one day, none overlapping
    (5, 8, "emergency_rescue"),
    (8, 12, "health_education"),
    (12, 16, "epidemic_prevention"),
    (16, 21, "emergency_rescue"),
    (21, 23, "health_education"),
]


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(len(SHIFTS))))
def test_any_order_of_verification_gives_the_same_ledger(
    make_volunteer, at, award, order: list[int]
) -> None:
    def verify_in(sequence: list[int]):
        volunteer = make_volunteer()
        for n in sequence:
            start, end, category = SHIFTS[n]
            award(
                volunteer,
                at(2022, 5, 1, start),
                at(2022, 5, 1, end),
                category=category,
                activity_id=UUID(int=300 + n),
            )
        return _ledger(volunteer)

    # Given five shifts on one day, when they are verified in any order,
    # then the ledger is the one verifying them in the order served gives
    assert verify_in(order) == verify_in(list(range(len(SHIFTS))))
