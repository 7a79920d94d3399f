"""Order-independent awards through the application: verifying an earlier shift after a
later one credits the day in the order served, and every award still recomputes exactly."""

from __future__ import annotations

from uuid import UUID

from application.commands.activities import CompleteActivity, PlanActivity, VerifyActivity
from application.ledger import VolunteerLedger
from application.readmodel.audit.explain import explain_award
from domain.values import BeneficiaryType, Category, Interval
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, DAY, STAFF, at, hours, station, team, volunteer


def _shift(ledger: VolunteerLedger, tid: UUID, vid: UUID, start: int, end: int, cat: str) -> UUID:
    aid = ledger.plan_activity(
        PlanActivity(
            title=f"{start}–{end} 时班次",
            category=Category(cat),
            team_id=tid,
            township="巴彦镇",
            station_id=station(ledger),
            location="巴彦镇",
            window=Interval(at(DAY, start), at(DAY, end)),
            beneficiary_types=[BeneficiaryType.PUBLIC],
            capacity=5,
        ),
        actor=STAFF,
    ).id
    hours(ledger, aid, vid, at(DAY, start), at(DAY, end))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    return aid


def test_verifying_the_morning_after_the_afternoon_gives_what_the_other_order_gives(
    container: Container,
) -> None:
    ledger = container.ledger
    tid = team(ledger)
    vid = volunteer(ledger)
    morning = _shift(ledger, tid, vid, 6, 14, "emergency_rescue")  # 8 h × 2.0
    afternoon = _shift(ledger, tid, vid, 14, 22, "health_education")  # 8 h × 1.0

    ledger.verify_activity(VerifyActivity(activity_id=afternoon), actor=BUREAU)
    ledger.verify_activity(VerifyActivity(activity_id=morning), actor=BUREAU)

    container.runner().catch_up()
    account = container.read_models().ledger(str(vid))
    assert account is not None
    assert (account["balance"], account["credited_hours"]) == ("20", "12")
    standing = [e for e in account["entries"] if e["kind"] == "award" and not e.get("reversed")]
    for entry in standing:
        x = explain_award(ledger, container.rulebook, container.store, UUID(entry["entry_id"]))
        assert x.matches and x.recomputed_points == x.points, x.checks
