"""A verified activity and a correction proposed to it: the start of the four-eyes tests."""

from __future__ import annotations

from uuid import UUID

from application.commands.activities import (
    CompleteActivity,
    CorrectHours,
    VerifyActivity,
)
from application.ledger import VolunteerLedger
from domain.values import Actor, Interval, Role
from tests.support.builders import BUREAU, DAY, STAFF, activity, at, hours, team, volunteer

CLERK = Actor("staff-clerk", Role.STATION_STAFF, "req-clerk")


def verified_activity(ledger: VolunteerLedger) -> tuple[UUID, UUID, UUID]:
    """An activity whose 09:00–10:00 hours STAFF recorded and BUREAU verified (1 point)."""
    vid = volunteer(ledger)
    aid = activity(ledger, team(ledger))
    hours(ledger, aid, vid, at(DAY, 9), at(DAY, 10))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    (award,) = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU).awards
    return aid, vid, award.entry_id


def propose_correction(ledger: VolunteerLedger, aid: UUID, vid: UUID, by: Actor = CLERK) -> UUID:
    proposed = ledger.correct_hours(
        CorrectHours(
            activity_id=aid,
            volunteer_id=vid,
            interval=Interval(at(DAY, 8), at(DAY, 12)),
            reason="漏记",
        ),
        actor=by,
    )
    return proposed.created["correction_id"]
