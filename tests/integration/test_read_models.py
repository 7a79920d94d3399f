"""Read models against a small history worked out by hand from the default rulebook."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal
from typing import Any

import pytest

from application.commands.activities import (
    CompleteActivity,
    RecordFeedback,
    RecordMedia,
    VerifyActivity,
)
from application.commands.people import (
    CommendTeam,
    CommendVolunteer,
    CompleteTraining,
    FormTeam,
    ReverseAward,
)
from application.readmodel.audit.review import annual_review, review_json
from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import read_notifications, replay
from domain.values import MediaLevel
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, STAFF, activity, at, hours, station, volunteer

D1, D2, D3 = date(2022, 5, 11), date(2022, 5, 12), date(2022, 6, 1)


def _team(ledger: Any, name: str, township: str) -> Any:
    from domain.values import TeamLevel

    return ledger.form_team(
        FormTeam(
            name=name,
            level=TeamLevel.TOWNSHIP,
            township=township,
            station_id=station(ledger, township),
        ),
        actor=STAFF,
    ).id


@pytest.fixture
def history(container: Container) -> dict[str, Any]:
    """Two stations, four volunteers (one uninsured), three activities, a reversal."""
    ledger = container.ledger
    team_a = _team(ledger, "巴彦镇志愿服务队", "巴彦镇")
    team_b = _team(ledger, "乌兰苏木志愿服务队", "乌兰苏木")
    v1, v2, v3 = volunteer(ledger), volunteer(ledger), volunteer(ledger)
    v4 = volunteer(ledger, insured=False)

    a1 = activity(ledger, team_a, day=D1)  # health_education ×1.0
    hours(ledger, a1, v1, at(D1, 9), at(D1, 12, 40))  # 3 h 40 → 3.5 h, 3.5 points
    hours(ledger, a1, v2, at(D1, 9), at(D1, 11, 10))  # 2 h 10 → 2 h, 2 points
    ledger.record_feedback(
        RecordFeedback(activity_id=a1, satisfaction=5, comment="", given_on=D1), actor=STAFF
    )
    ledger.record_feedback(
        RecordFeedback(activity_id=a1, satisfaction=4, comment="", given_on=D1), actor=STAFF
    )
    ledger.record_media(
        RecordMedia(
            activity_id=a1, outlet="通辽日报", level=MediaLevel.CITY, url="", published_on=D1
        ),
        actor=STAFF,
    )
    ledger.complete_activity(CompleteActivity(activity_id=a1), actor=STAFF)
    verified_a1 = ledger.verify_activity(VerifyActivity(activity_id=a1), actor=BUREAU)

    b1 = activity(ledger, team_b, day=D2, category="emergency_rescue", township="乌兰苏木")  # ×2.0
    hours(ledger, b1, v3, at(D2, 8), at(D2, 10, 20))  # 2 h 20 → 2.5 h, 5 points
    hours(ledger, b1, v4, at(D2, 8), at(D2, 9))  # uninsured: recorded and flagged, 2 points
    ledger.record_feedback(
        RecordFeedback(activity_id=b1, satisfaction=3, comment="", given_on=D2), actor=STAFF
    )
    ledger.complete_activity(CompleteActivity(activity_id=b1), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=b1), actor=BUREAU)

    b2 = activity(ledger, team_b, day=D3, category="epidemic_prevention", township="乌兰苏木")
    hours(ledger, b2, v1, at(D3, 8), at(D3, 9, 50))
    ledger.record_feedback(
        RecordFeedback(activity_id=b2, satisfaction=5, comment="", given_on=D3), actor=STAFF
    )
    ledger.complete_activity(
        CompleteActivity(activity_id=b2), actor=STAFF
    )  # completed, never verified

    ledger.complete_training(
        CompleteTraining(volunteer_id=v2, course="应急救护", hours=Decimal("2.5"), completed_on=D1),
        actor=STAFF,
    )
    for month in (3, 4):
        ledger.complete_training(
            CompleteTraining(
                volunteer_id=v3,
                course="心理疏导",
                hours=Decimal(24),
                completed_on=date(2022, month, 1),
            ),
            actor=STAFF,
        )
    v2_award = next(a for a in verified_a1.awards if a.volunteer_id == v2)
    ledger.reverse_award(
        ReverseAward(volunteer_id=v2, entry_id=v2_award.entry_id, reason="重复登记"), actor=BUREAU
    )
    runner = container.runner(batch_size=7)
    runner.catch_up()
    return {"v": (v1, v2, v3, v4), "a": (a1, b1, b2), "teams": (team_a, team_b)}


def test_ledgers_match_the_hand_computed_figures(
    container: Container, history: dict[str, Any]
) -> None:
    v1, v2, v3, v4 = (str(v) for v in history["v"])
    reads = container.read_models()
    one = reads.ledger(v1)
    assert one is not None
    assert (one["balance"], one["lifetime_points"], one["credited_hours"]) == ("3.5", "3.5", "3.5")
    two = reads.ledger(v2)
    assert two is not None
    assert [e["kind"] for e in two["entries"]] == ["award", "training", "reversal"]
    assert [e["balance_after"] for e in two["entries"]] == ["2", "4.5", "2.5"]
    assert two["entries"][2]["reverses"] == two["entries"][0]["entry_id"]
    assert two["entries"][0]["reversed"] is True
    assert (two["balance"], two["credited_hours"]) == ("2.5", "0")
    three = reads.ledger(v3)
    assert three is not None and three["balance"] == "53" and three["credited_hours"] == "2.5"
    four = reads.ledger(v4)
    assert four is not None and four["balance"] == "2"
    assert four["entries"][0]["detail"]["uninsured_flag"] is True


def test_eligibility_matches_the_rulebook(container: Container, history: dict[str, Any]) -> None:
    v1, _, v3, _ = (str(v) for v in history["v"])
    rows = {
        r["volunteer_id"]: r
        for r in container.read_models().volunteer_eligibility(year=2022, limit=10)["items"]
    }
    assert rows[v3]["courtesy_tier"] == "bronze" and rows[v3]["star_level_reached"] == 0
    assert rows[v1]["courtesy_tier"] is None and rows[v1]["commendation_candidate"] is False


def test_station_ranking_is_exactly_the_rulebook_formula(
    container: Container, history: dict[str, Any]
) -> None:
    rows = container.read_models().rankings("station", "2022")
    # S1: 1 activity, 3.5 h, 1 person, 4.5 mean, 5 media → every metric is the maximum → 100.
    # S2: 1 activity, 3.5 h, 2 people, mean (3+5)/2 = 4, 0 media:
    #     0.3 + 0.3 + 0.1 + 0.2 × 4/4.5 + 0 = 0.87777… → 87.78; S1 loses 0.1 × ½ → 95.
    assert [(r["name"], r["score"], r["rank"]) for r in rows] == [
        ("巴彦镇退役军人服务站", "95", 1),
        ("乌兰苏木退役军人服务站", "87.78", 2),
    ]
    s2 = rows[1]
    assert (s2["activities"], s2["volunteer_hours"], s2["distinct_volunteers"]) == (1, "3.5", 2)
    assert (s2["mean_satisfaction"], s2["media_points"], s2["rank_change"]) == ("4", "0", None)
    quarter = container.read_models().rankings("team", "2022-Q2")
    assert [r["score"] for r in quarter] == ["95", "87.78"]
    assert container.read_models().rankings("station", "2022-07")[0]["score"] == "0"


def test_a_ranking_changes_rank_against_the_period_before(
    container: Container, history: dict[str, Any]
) -> None:
    # June: only 乌兰苏木's completed (unverified) activity, with feedback 5 → 20 points;
    # in May 巴彦镇 was first and 乌兰苏木 second, so it moved up one place. 巴彦镇 held
    # nothing in June: listed with zero figures, unranked.
    june = container.read_models().rankings("station", "2022-06")
    assert [(r["name"], r["score"], r["rank"], r["rank_change"]) for r in june] == [
        ("乌兰苏木退役军人服务站", "20", 1, 1),
        ("巴彦镇退役军人服务站", "0", None, None),
    ]


def test_live_answers_equal_those_of_an_in_memory_replay(
    container: Container, history: dict[str, Any]
) -> None:
    """The SQL store answers ledgers (account and entries in one query) and rankings (both
    periods' facts read at once) exactly as the in-memory store does."""
    newcomer = str(volunteer(container.ledger))  # an account without entries
    container.runner().catch_up()
    live = container.read_models()
    memory, _ = replay(container.ledger, all_projections(container.rulebook))
    replayed = ReadModels(memory, container.rulebook)
    for v in [*(str(v) for v in history["v"]), newcomer, "00000000-0000-0000-0000-000000000000"]:
        assert live.ledger(v) == replayed.ledger(v), v
    newcomer_ledger = live.ledger(newcomer)
    assert newcomer_ledger is not None and newcomer_ledger["entries"] == []
    for unit in ("station", "team"):
        for period in ("2022", "2022-Q2", "2022-05", "2022-06", "2023-Q1"):
            assert live.rankings(unit, period) == replayed.rankings(unit, period), (unit, period)
    assert live.team_eligibility(2022) == replayed.team_eligibility(2022)


def test_insurance_gaps_and_cover_per_activity(
    container: Container, history: dict[str, Any]
) -> None:
    _, _, v3, v4 = (str(v) for v in history["v"])
    b1 = str(history["a"][1])
    reads = container.read_models()
    assert [
        (g["volunteer_id"], g["activity_id"], g["flagged"]) for g in reads.insurance_gaps()
    ] == [(v4, b1, True)]
    cover = {c["volunteer_id"]: c for c in reads.activity_insurance(b1) or []}
    assert cover[v3]["covered"] and cover[v3]["policy_number"].startswith("PICC-")
    assert not cover[v4]["covered"]


def test_team_key_support_shows_its_figures(container: Container, history: dict[str, Any]) -> None:
    rows = container.read_models().team_eligibility(2022)
    assert [r["key_support_eligible"] for r in rows] == [False, False]  # < 6 activities
    assert rows[0]["activities"] == 1 and rows[0]["rules"]["min_activities"] == 6


def test_live_tables_equal_a_rebuild_and_an_in_memory_replay(
    container: Container, history: dict[str, Any]
) -> None:
    from infrastructure.rebuild import rebuild

    live = _snapshot(container)
    memory, _ = replay(container.ledger, all_projections(container.rulebook))
    for projection in all_projections(container.rulebook):
        assert live[projection.name] == memory.snapshot(projection.tables), projection.name
        rebuild(container.ledger, container.store, projection, batch_size=5)
    assert _snapshot(container) == live


def test_replay_to_a_past_position_answers_as_the_live_models_did(
    container: Container, history: dict[str, Any]
) -> None:
    ledger = container.ledger
    v1 = str(history["v"][0])
    before = container.read_models().ledger(v1)
    past = ledger.current_position()
    a = activity(ledger, history["teams"][0], day=date(2022, 7, 1))
    hours(ledger, a, history["v"][0], at(date(2022, 7, 1), 9), at(date(2022, 7, 1), 10))
    ledger.complete_activity(CompleteActivity(activity_id=a), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=a), actor=BUREAU)
    container.runner().catch_up()
    assert container.read_models().ledger(v1) != before
    memory, _ = replay(ledger, all_projections(container.rulebook), upto=past)
    assert ReadModels(memory, container.rulebook).ledger(v1) == before


def test_annual_review_is_byte_identical_and_rechecks_decisions(
    container: Container, history: dict[str, Any]
) -> None:
    ledger = container.ledger
    v3 = history["v"][2]
    ledger.commend_volunteer(
        CommendVolunteer(
            volunteer_id=v3, title="优秀志愿者", period="2022", basis_position=3, reason=""
        ),
        actor=BUREAU,
    )
    team_a = history["teams"][0]
    ledger.commend_team(
        CommendTeam(
            team_id=team_a,
            title="优秀志愿服务队",
            period="2022",
            basis_position=ledger.current_position(),
            reason="",
        ),
        actor=BUREAU,
    )
    first = review_json(annual_review(ledger, container.rulebook, 2022))
    assert first == review_json(annual_review(ledger, container.rulebook, 2022))
    review = annual_review(ledger, container.rulebook, 2022)
    people = {v["volunteer_id"]: v for v in review["volunteers"]}
    assert people[str(v3)]["points"] == "5" and people[str(v3)]["training_points"] == "48"
    assert review["totals"]["hours"] == "7"  # 3.5 + 2.5 + 1 (v2's 2 h were reversed)
    person, squad = review["decisions"]
    assert person["eligible_at_basis"] is False  # at position 3 nobody had any points
    assert squad["kind"] == "team_commendation" and squad["eligible_at_basis"] is False
    assert squad["figures"]["activities"] == 1  # key support needs 6 verified activities
    assert squad["figures"]["rank"] == 1
    assert [r["volunteer_id"] for r in review["reversals"]] == [str(history["v"][1])]
    assert [g["volunteer_id"] for g in review["insurance_gaps"]] == [str(history["v"][3])]


def test_the_reviews_insurance_gaps_name_the_volunteer_as_the_read_models_do(
    container: Container, history: dict[str, Any]
) -> None:
    review = annual_review(container.ledger, container.rulebook, 2022)
    container.catch_up()
    live = container.read_models().insurance_gaps(year=2022)
    assert [g["volunteer_name"] for g in live] == ["王建国"]
    assert review["insurance_gaps"] == live


def _snapshot(container: Container) -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {
        p.name: {
            t.name: [r for _, r in sorted(container.store.load_table(t).items())] for t in p.tables
        }
        for p in all_projections(container.rulebook)
    }


def test_the_audit_trail_lists_every_event_as_recorded(
    container: Container, history: dict[str, Any]
) -> None:
    """Each row of the trail against the event itself, decoded by the library: who (id and
    role), on which request, to which aggregate, what, and when."""
    ledger = container.ledger
    trail = {
        row["position"]: row
        for row in ReadModels(container.store, container.rulebook).audit_events(limit=10_000)[
            "items"
        ]
    }
    notifications = [n for batch in read_notifications(ledger, batch=100) for n in batch]
    assert sorted(trail) == [n.id for n in notifications]
    roles = set()
    for n in notifications:
        event = ledger.mapper.to_domain_event(n)
        aggregate_type, _, event_type = n.topic.removeprefix("volunteer-ledger:").partition(".")
        assert trail[n.id] == {
            "position": n.id,
            "aggregate_id": str(event.originator_id),
            "aggregate_version": event.originator_version,
            "aggregate_type": aggregate_type,
            "event_type": event_type,
            "actor_id": event.actor.user_id,
            "actor_role": event.actor.role.value,
            "correlation_id": event.actor.correlation_id,
            "recorded_at": event.timestamp.astimezone(UTC).isoformat(),
            "request_id": event.actor.request_id or None,
        }, n.id
        roles.add(event.actor.role.value)
    assert roles == {"station_staff", "admin"}  # the builders' staff and bureau users
