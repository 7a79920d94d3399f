"""Awards do not depend on the order of verification: a day's cap is applied in the order
the service happened (earliest shift first), whatever order the shifts are verified in."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.awards import derived_entry_id

MORNING, AFTERNOON = UUID(int=201), UUID(int=202)


def _ledger(volunteer) -> tuple[Decimal, Decimal, list[tuple[UUID, Decimal, Decimal]]]:
    standing = sorted(
        (a.activity_id, a.hours, a.points) for a in volunteer.awards.values() if not a.reversed
    )
    return volunteer.balance, volunteer.credited_hours, standing


def test_an_earlier_shift_verified_later_is_credited_first(volunteer, at, award, names):
    # given the afternoon's 8 h (1.0×) credited first
    award(volunteer, at(2022, 5, 1, 14), at(2022, 5, 1, 22), activity_id=AFTERNOON)
    [afternoon] = volunteer.collect_events()

    # when the morning's 8 h emergency rescue (2.0×) is verified
    morning = award(
        volunteer,
        at(2022, 5, 1, 6),
        at(2022, 5, 1, 14),
        category="emergency_rescue",
        activity_id=MORNING,
    )

    # then the afternoon award is reversed, the morning credited in full, the afternoon
    # credited again within what the cap leaves (12 - 8 = 4 h), and a note names the cause
    events = volunteer.collect_events()
    assert names(events) == [
        "PointsReversed",
        "PointsAwarded",
        "PointsAwarded",
        "AwardsResequenced",
    ]
    reversal, first, again, note = events
    assert reversal.reverses == afternoon.entry_id and str(morning) in reversal.reason
    assert (first.entry_id, first.hours, first.points) == (morning, 8, 16)
    assert again.entry_id == derived_entry_id("reaward", afternoon.entry_id, morning)
    assert (again.activity_id, again.hours, again.points) == (AFTERNOON, 4, 4)
    assert (note.cause, note.reversed_ids, note.reawarded_ids) == (
        morning,
        [afternoon.entry_id],
        [again.entry_id],
    )
    assert (volunteer.balance, volunteer.credited_hours) == (20, 12)


def test_a_later_shift_verified_last_changes_nothing_before_it(volunteer, at, award, names):
    award(volunteer, at(2022, 5, 1, 6), at(2022, 5, 1, 14), category="emergency_rescue")
    volunteer.collect_events()
    award(volunteer, at(2022, 5, 1, 14), at(2022, 5, 1, 22))
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

    assert verify_in(order) == verify_in(list(range(len(SHIFTS))))
