"""One score: a team's score and rank in key-support eligibility are its year's ranking."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from application.commands.activities import CompleteActivity, VerifyActivity
from application.commands.people import FormTeam
from domain.values import TeamLevel
from infrastructure.bootstrap import Container
from tests.support.builders import BUREAU, STAFF, activity, at, hours, station, volunteer

DAY = date(2022, 5, 11)


def _team(container: Container, name: str, level: TeamLevel) -> UUID:
    return container.ledger.form_team(
        FormTeam(name=name, level=level, township="巴彦镇", station_id=station(container.ledger)),
        actor=STAFF,
    ).id


def _serve(container: Container, team_id: UUID, people: int, day: date) -> None:
    ledger = container.ledger
    aid = activity(ledger, team_id, day=day)
    for _ in range(people):
        hours(ledger, aid, volunteer(ledger), at(day, 9), at(day, 12))
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)


def test_a_team_alone_in_its_level_ranks_among_all_teams_with_the_ranking_score(
    container: Container,
) -> None:
    banner = _team(container, "旗级服务队", TeamLevel.BANNER)
    _serve(container, banner, 1, DAY)  # the smallest of four: alone at banner level
    for n in range(3):
        township = _team(container, f"镇级服务队{n}", TeamLevel.TOWNSHIP)
        _serve(container, township, 2 + n, DAY + timedelta(days=n + 1))
    container.runner().catch_up()
    reads = container.read_models()

    eligibility = {r["team_id"]: r for r in reads.team_eligibility(2022)}
    ranking = {r["unit_id"]: r for r in reads.rankings("team", "2022")}

    assert eligibility[str(banner)]["rank"] == 4  # not "first of its level"
    assert eligibility[str(banner)]["level"] == "banner"
    for team_id, row in eligibility.items():
        assert (row["score"], row["rank"]) == (ranking[team_id]["score"], ranking[team_id]["rank"])
