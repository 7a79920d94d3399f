"""The repository cache hands out copies: a command on a copy never changes the original."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from domain.activity import ServiceActivity
from domain.values import Actor, HoursSource, Interval
from domain.volunteer import Volunteer
from tests.unit.ratings import terms


def test_a_copied_volunteer_changes_alone(
    volunteer: Volunteer, award: Callable[..., object], at: Callable[..., datetime], actor: Actor
) -> None:
    # Given an insured volunteer with an award
    entry = award(volunteer, at(2022, 5, 11, 9), at(2022, 5, 11, 12))
    volunteer.collect_events()
    before = copy.deepcopy(volunteer.state())

    # When a copy has the award reversed, another awarded and the insurance cancelled
    changed = copy.deepcopy(volunteer)
    changed.reverse_award(entry_id=entry, reason="重复登记", actor=actor)
    award(changed, at(2022, 5, 12, 9), at(2022, 5, 12, 10))
    changed.cancel_insurance(next(iter(changed.policies)), "退保", actor)

    # Then the original is as it was, and differs from the copy
    assert volunteer.state() == before
    assert not volunteer.awards[entry].reversed and changed.awards[entry].reversed
    assert changed != volunteer and copy.deepcopy(volunteer) == volunteer


def test_a_copied_activity_changes_alone(
    activity: ServiceActivity, at: Callable[..., datetime], actor: Actor, tolerance: object
) -> None:
    # Given a planned activity
    before = copy.deepcopy(activity.state())

    # When a copy records hours and a rating
    changed = copy.deepcopy(activity)
    changed.record_hours(
        volunteer_id=uuid4(),
        interval=Interval(at(2022, 6, 1, 9), at(2022, 6, 1, 10)),
        source=HoursSource.CHECKIN,
        tolerance=tolerance,  # type: ignore[arg-type]
        actor=actor,
    )
    changed.record_feedback(5, "好", actor, **terms())

    # Then the original is as it was
    assert activity.state() == before
    assert len(changed.attendance) == 1 and not activity.attendance
