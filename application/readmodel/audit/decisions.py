"""Re-check one decision: replay the log to the position its eligibility was read at.

Commendations (of volunteers and of teams) and star certifications record
``basis_position``, the log position whose state the decision was based on. An auditor
names the decision by its event (aggregate id and version); we read that event from the
store, replay history up to its basis position and ask whether eligibility then
supported the decision — with the very re-check the annual review applies to every
decision of a year, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.errors import NotADecision, NotFound
from application.readmodel.audit.collector import Collector
from application.readmodel.audit.rechecks import decision_year, recheck, take_team_figures
from application.readmodel.base import Projection
from application.readmodel.events import PREFIX
from application.readmodel.projections.ranking import RankingProjection
from application.readmodel.projections.registers import RegistersProjection
from application.readmodel.replay import read_events
from application.readmodel.store import MemoryStore, RowReader
from application.readmodel.tables import AUDIT_EVENT
from domain.rulebook import Rulebook

DECISIONS = {
    "Volunteer.CommendationGranted": "volunteer_commendation",
    "Volunteer.StarLevelCertified": "star_certification",
    "VolunteerTeam.Commended": "team_commendation",
}


@dataclass(frozen=True)
class DecisionRecheck:
    kind: str
    aggregate_id: UUID
    version: int
    position: int | None
    decided_at: datetime
    decided_by: str
    title: str | None
    level: int | None
    period: str | None
    basis_position: int
    replayed_to: int
    eligible_at_basis: bool
    figures: dict[str, Any] | None


def recheck_decision(
    app: Application[UUID], rulebook: Rulebook, reads: RowReader, aggregate_id: UUID, version: int
) -> DecisionRecheck:
    """Was the decision recorded as event ``version`` of ``aggregate_id`` supported at its basis?

    Raises :class:`NotFound` when there is no such event and :class:`NotADecision` when the
    event is not a commendation or a star certification.
    """
    event, kind = _decision(app, aggregate_id, version)
    year = _year_of(event, rulebook)
    basis = int(event.basis_position)
    collector, team_figures, replayed_to = _replay_to(app, rulebook, kind, year, basis)
    decision = {"kind": kind, "subject_id": str(aggregate_id), "basis_position": basis}
    if kind == "star_certification":
        decision["level"] = event.level
    checked = recheck(rulebook, collector, decision, team_figures)
    rows = reads.select(
        AUDIT_EVENT, {"aggregate_id": str(aggregate_id), "aggregate_version": version}
    )
    return DecisionRecheck(
        kind=kind,
        aggregate_id=aggregate_id,
        version=version,
        position=int(rows[0]["position"]) if rows else None,
        decided_at=event.timestamp,
        decided_by=event.actor.user_id,
        title=getattr(event, "title", None),
        level=getattr(event, "level", None),
        period=getattr(event, "period", None),
        basis_position=basis,
        replayed_to=replayed_to,
        eligible_at_basis=bool(checked["eligible_at_basis"]),
        figures=checked["figures"],
    )


def _decision(app: Application[UUID], aggregate_id: UUID, version: int) -> tuple[Any, str]:
    """The stored event ``version`` of ``aggregate_id``, and which kind of decision it is."""
    found: list[Any] = list(app.events.get(aggregate_id, gt=version - 1, lte=version))
    if not found:
        raise NotFound("event", f"{aggregate_id} version {version}")
    event = found[0]
    topic = str(type(event).TOPIC).removeprefix(PREFIX)
    if topic not in DECISIONS:
        raise NotADecision(aggregate_id, version, topic)
    return event, DECISIONS[topic]


def _year_of(event: Any, rulebook: Rulebook) -> int:
    """The year the decision is about: a certification's service_year, a commendation's
    period; a version 1 certification named none, and is taken as of the year recorded."""
    service_year = getattr(event, "service_year", None)
    if service_year is not None:
        return int(service_year)
    recorded = (event.timestamp + rulebook.latest.utc_offset).year
    return decision_year(str(getattr(event, "period", None) or ""), recorded)


def _figure_projections(rulebook: Rulebook, kind: str) -> list[Projection]:
    """The read models a decision's figures need besides the collector's: for a team
    commendation, the rankings' facts and the teams' register (their levels)."""
    if kind != "team_commendation":
        return []
    return [RankingProjection(rulebook), RegistersProjection(rulebook)]


def _replay_to(
    app: Application[UUID], rulebook: Rulebook, kind: str, year: int, basis: int
) -> tuple[Collector, dict[int, dict[str, Any]], int]:
    """The log replayed up to ``basis``: the collector's figures, the teams' figures there
    (for a team commendation) and the last position replayed."""
    store = MemoryStore()
    collector = Collector(rulebook, year)
    projections = _figure_projections(rulebook, kind)
    replayed_to = 0
    for events in read_events(app, upto=basis, batch=5000):
        for position, e in events:
            for projection in projections:
                projection.apply(store, e, position)
            collector.apply(e, position)
            replayed_to = position
    team_figures: dict[int, dict[str, Any]] = {}
    if projections:
        take_team_figures(store, rulebook, (basis, year), team_figures)
    return collector, team_figures, replayed_to
