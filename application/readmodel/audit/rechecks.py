"""Re-checking a decision against eligibility as it stood at the position it recorded:
the same code for the annual review (every decision of a year) and for one decision."""

from __future__ import annotations

from typing import Any

from application.readmodel.audit.collector import Collector, Standing
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.store import MemoryStore, Row
from application.readmodel.values import num
from domain.rulebook import Rulebook, RulebookVersion


def decision_year(decision_period: str, default: int) -> int:
    return int(decision_period[:4]) if decision_period[:4].isdigit() else default


def take_team_figures(
    store: MemoryStore, rulebook: Rulebook, basis: tuple[int, int], into: dict[int, dict[str, Row]]
) -> None:
    position, year = basis
    rows = ReadModels(store, rulebook).team_eligibility(year)
    into[position] = {r["team_id"]: r for r in rows}


def recheck(
    rulebook: Rulebook,
    collector: Collector,
    decision: dict[str, Any],
    team_figures: dict[int, dict[str, Row]],
) -> dict[str, Any]:
    """Was the decision's subject eligible at the position the decision recorded?"""
    basis = int(decision["basis_position"])
    if decision["kind"] == "team_commendation":
        # Team candidacy is the rulebook's basis for the year (key support), read with the
        # rankings as they stood at the basis position.
        row = team_figures.get(basis, {}).get(decision["subject_id"])
        eligible = bool(row and row["commendation_candidate"])
        return {**decision, "eligible_at_basis": eligible, "figures": row}
    was = collector.people[decision["subject_id"]].at(basis)
    figures = _standing_figures(rulebook.latest, was)
    if decision["kind"] == "star_certification":
        eligible = rulebook.latest.star_level(was.credited) >= int(decision["level"])
    else:
        eligible, year_figures = _year_candidacy(rulebook, collector.year, was)
        figures |= year_figures
    return {**decision, "eligible_at_basis": eligible, "figures": figures}


def _standing_figures(rules: RulebookVersion, was: Standing) -> dict[str, Any]:
    """A volunteer's lifetime figures at the basis position."""
    return {
        "credited_hours": num(was.credited),
        "lifetime_points": num(was.lifetime),
        "star_level_reached": rules.star_level(was.credited),
        "courtesy_tier": rules.courtesy_tier(was.lifetime),
        "commendations_held": was.held,
    }


def _year_candidacy(rulebook: Rulebook, year: int, was: Standing) -> tuple[bool, dict[str, Any]]:
    """Volunteer candidacy for the year the commendation names, by the rulebook version in
    force for that year, and the figures it rests on: the year's service as it stood at
    the basis position."""
    year_rules = rulebook.for_year(year)
    figures = {
        "year": year,
        "hours_in_year": num(was.year_hours),
        "activities_in_year": was.year_activities,
        "awards_withdrawn_in_year": was.year_withdrawn,
        "commended_in_year": was.commended_in_year,
        "rulebook_version": year_rules.version,
    }
    eligible = (
        year_rules.commendation.volunteer_qualifies(
            was.year_hours, was.year_activities, was.year_withdrawn
        )
        and not was.commended_in_year
    )
    return eligible, figures
