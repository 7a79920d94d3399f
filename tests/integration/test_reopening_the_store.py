"""What the application records is durable: a second process opening the same store
(a real SQLite file, a real PostgreSQL database) sees exactly what was recorded."""

from __future__ import annotations

from decimal import Decimal

from application.commands.activities import (
    CompleteActivity,
    RecordFeedback,
    SignUp,
    VerifyActivity,
)
from domain.awards import award_entry_id
from domain.values import HoursSource
from domain.volunteer import Volunteer
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer
from tests.support.clock import fixed_clock


def test_activity_life_is_durable_and_awards_points(container: Container, store: Settings) -> None:
    ledger = container.ledger
    tid = team(ledger)
    v1, v2 = volunteer(ledger), volunteer(ledger, name="李桂英")
    aid = activity(ledger, tid)
    ledger.sign_up(SignUp(activity_id=aid, volunteer_id=v1), actor=STAFF)
    hours(ledger, aid, v1, at(DAY, 9), at(DAY, 12, 40))  # 3 h 40 min → 3.5 h
    hours(ledger, aid, v2, at(DAY, 9), at(DAY, 11), HoursSource.BACKFILL)  # hours, no points
    ledger.record_feedback(
        RecordFeedback(activity_id=aid, satisfaction=5, comment="很好，谢谢志愿者"), actor=STAFF
    )
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)

    result = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)

    by_volunteer = {a.volunteer_id: a for a in result.awards}
    assert by_volunteer[v1].hours == Decimal("3.5") and by_volunteer[v1].points == Decimal("3.5")
    assert by_volunteer[v2].hours == Decimal(2) and by_volunteer[v2].points == 0
    assert by_volunteer[v1].entry_id == award_entry_id(aid, v1, 1)
    assert result.position == ledger.current_position()

    # A second process opening the same store sees exactly what was recorded.
    reopened = bootstrap(store, clock=fixed_clock)
    try:
        again = reopened.ledger.repository.get(v1)
        assert isinstance(again, Volunteer)
        assert again.balance == Decimal("3.5") and again.credited_hours == Decimal("3.5")
        assert again == ledger.repository.get(v1)
        assert reopened.ledger.repository.get(v2).backfilled_hours == Decimal(2)
    finally:
        reopened.close()
