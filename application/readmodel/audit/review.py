"""The annual review: replay history (to a cut) and report the year, byte-identically each time.

Per volunteer the year's hours and points, the star level, the township and teams; the
year's station and team rankings; every commendation and certification decision
re-checked against eligibility as it stood at the position the decision recorded;
insurance gaps; the corrections and reversals that touched the year's service; and for
the director's report, people served, the year by township, station, team, category
and month, needs met, media coverage and courtesy vouchers issued (``annual``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application

from application.readmodel.audit.annual import annual_sections, volunteer_places
from application.readmodel.audit.collector import ZERO, Collector
from application.readmodel.audit.rechecks import decision_year, recheck, take_team_figures
from application.readmodel.projections.benefits import MediaProjection, VoucherProjection
from application.readmodel.projections.insurance import InsuranceProjection
from application.readmodel.projections.needs import NeedsProjection
from application.readmodel.projections.ranking import RankingProjection
from application.readmodel.projections.registers import RegistersProjection
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import Decoder, read_events, read_notifications
from application.readmodel.store import MemoryStore, Row
from application.readmodel.values import num
from domain.rulebook import Rulebook
from domain.team import VolunteerTeam


def annual_review(
    app: Application[Any],
    rulebook: Rulebook,
    year: int,
    *,
    upto: int | None = None,
    chain: Callable[[int], dict[str, Any]] | None = None,
    decoder: Decoder | None = None,
) -> dict[str, Any]:
    """Build the review of ``year`` from the log up to position ``upto`` (the head when None).

    ``chain`` names the hash-chain head at the review's cut and the seal covering it;
    ``decoder`` turns stored events into domain events as the library's mapper would.
    """
    store = MemoryStore()
    collector = Collector(rulebook, year)
    team_figures, cut = _replay(app, rulebook, store, collector, upto, decoder)
    queries = ReadModels(store, rulebook)
    volunteers = _volunteer_rows(store, rulebook, collector)
    return {
        "year": year,
        "position": cut,
        "rulebook_hash": rulebook.file_hash,
        "totals": _totals(volunteers, collector),
        "volunteers": volunteers,
        "rankings": {
            "station": queries.rankings("station", str(year)),
            "team": queries.rankings("team", str(year)),
        },
        "decisions": [recheck(rulebook, collector, d, team_figures) for d in collector.decisions],
        "insurance_gaps": queries.insurance_gaps(year=year),
        "corrections": collector.corrections,
        "reversals": collector.reversals,
        # Courtesy benefits redeemed in the year (Asia/Shanghai dates), and whether each
        # voucher was handed over by the cut.
        "redemptions": list(collector.redemptions.values()),
        **annual_sections(store, rulebook, year),
        **({"chain": chain(cut)} if chain is not None else {}),
    }


def _replay(
    app: Application[Any],
    rulebook: Rulebook,
    store: MemoryStore,
    collector: Collector,
    upto: int | None,
    decoder: Decoder | None,
) -> tuple[dict[int, dict[str, Row]], int]:
    """Apply the log up to ``upto`` to the review's projections and ``collector``; return
    the teams' figures at each team commendation's basis position, and the last position.

    Team commendations are re-checked against the rankings as they stood at their basis
    position: find those positions first (a filtered read of one event type), then take
    the figures while streaming past them — one pass over the log, not one per decision."""
    projections = [
        RankingProjection(rulebook),
        InsuranceProjection(rulebook),
        RegistersProjection(rulebook),
        NeedsProjection(rulebook),
        VoucherProjection(rulebook),
        MediaProjection(rulebook),
    ]
    bases = sorted(_team_commendation_bases(app, collector, upto))
    team_figures: dict[int, dict[str, Row]] = {}
    cut = 0
    for events in read_events(app, upto=upto, batch=5000, decoder=decoder):
        for position, event in events:
            while bases and bases[0][0] < position:
                take_team_figures(store, rulebook, bases.pop(0), team_figures)
            for projection in projections:
                projection.apply(store, event, position)
            collector.apply(event, position)
            cut = position
    while bases:
        take_team_figures(store, rulebook, bases.pop(0), team_figures)
    return team_figures, cut


def _volunteer_rows(store: MemoryStore, rulebook: Rulebook, collector: Collector) -> list[Row]:
    """Every volunteer's year, by id: hours, points, star level, township and teams."""
    rules = rulebook.latest
    places = volunteer_places(store)
    return [
        {
            "volunteer_id": vid,
            "name": p.name,
            "township": places.get(vid, ("", []))[0],
            "teams": places.get(vid, ("", []))[1],
            "hours": num(p.hours),
            "points": num(p.points),
            "training_points": num(p.training_points),
            "lifetime_points": num(p.lifetime),
            "star_level": rules.star_level(p.credited),
        }
        for vid, p in sorted(collector.people.items())
    ]


def _totals(volunteers: list[Row], collector: Collector) -> Row:
    people = collector.people.values()
    return {
        "volunteers_serving": sum(1 for v in volunteers if v["hours"] != "0"),
        "hours": num(sum((p.hours for p in people), ZERO)),
        "points": num(sum((p.points for p in people), ZERO)),
    }


def _team_commendation_bases(
    app: Application[Any], collector: Collector, upto: int | None
) -> set[tuple[int, int]]:
    """(basis position, year) of every team commendation the review will re-check."""
    topic = VolunteerTeam.Commended.TOPIC
    found: set[tuple[int, int]] = set()
    for notifications in read_notifications(app, upto=upto, batch=1000, topics=[topic]):
        for n in notifications:
            event: Any = app.mapper.to_domain_event(n)
            if collector.concerns_year(event):
                found.add((event.basis_position, decision_year(str(event.period), collector.year)))
    return found


def review_json(review: dict[str, Any]) -> str:
    return json.dumps(review, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
