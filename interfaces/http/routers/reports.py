"""Reports over the projections: eligibility, rankings (JSON or CSV) and insurance gaps."""

from __future__ import annotations

import csv
import io
import re
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from application.readmodel.queries.readmodels import ReadModels
from interfaces.http.auth import CallerDep
from interfaces.http.deps import Cached, ContainerDep, Cursor, Limit, Reads
from interfaces.http.problems import Problem
from interfaces.http.report_schemas import InsuranceGaps, Ranking, TeamEligibility
from interfaces.http.rule_text import detail_zh
from interfaces.http.schemas import Page

router = APIRouter(tags=["reports"])

# A year of 1900–2199, a quarter of it or a month of it: checked here, so that a period the
# calendar cannot hold is a 422 naming the field, not a rule violation (409).
PERIOD_PATTERN = r"^(19|20|21)[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
PERIOD = re.compile(PERIOD_PATTERN)

RANKING_COLUMNS = (
    "unit_id",
    "name",
    "activities",
    "volunteer_hours",
    "distinct_volunteers",
    "mean_satisfaction",
    "media_points",
    "score",
    "rank",
    "rank_change",
)


class VolunteerEligibilityPage(Page):
    """A page of volunteer eligibility for ``year``, with the commendation criteria in force."""

    year: int
    rules: dict[str, Any]


@router.get("/eligibility/volunteers")
def volunteer_eligibility(
    _: CallerDep,
    reads: Reads,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    year: int | None = Query(
        default=None, ge=2000, le=2100, description="the year of candidacy (default: this year)"
    ),
) -> VolunteerEligibilityPage:
    """Per volunteer: star level reached and certified, courtesy tier, and commendation
    candidacy for ``year`` (this year, Asia/Shanghai, when not given) by the rulebook
    version in force for it: the year's credited hours and verified activities, awards of
    the year withdrawn, and whether a commendation for the year is held already."""
    if year is None:
        year = (container.ledger.clock() + container.rulebook.latest.utc_offset).year
    return VolunteerEligibilityPage(
        **reads.volunteer_eligibility(year=year, limit=limit, cursor=cursor)
    )


@router.get("/eligibility/teams", response_model=TeamEligibility)
def team_eligibility(
    _: CallerDep, reads: Reads, year: int = Query(ge=2000, le=2100)
) -> dict[str, Any]:
    """Per team: key-support eligibility for the year, with the figures behind it."""
    return {"year": year, "items": reads.team_eligibility(year)}


@router.get(
    "/rankings",
    # The answer is sent as the cache encoded it: the model documents it, validates nothing.
    response_model=Ranking,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def rankings(
    request: Request,
    _: CallerDep,
    cached: Cached,
    unit: Literal["station", "team"] = "station",
    period: str = Query(
        description="`2022`, `2022-Q3` or `2022-07`",
        examples=["2022"],
        pattern=PERIOD_PATTERN,
    ),
    level: Literal["township", "village"] | None = Query(
        None,
        description="stations: rank those of this level (default township); the banner "
        "service centre is never ranked",
    ),
) -> Any:
    """The supervision ranking of stations or teams for a year, quarter or month.

    Stations rank within one level; a station with no activity in the period is listed
    after the ranked ones with zero figures and `rank: null`.
    `Accept: text/csv` gives the same rows as CSV."""
    as_csv = "text/csv" in request.headers.get("accept", "")
    level = level if unit == "station" else None
    key = ("rankings", unit, period, as_csv) + ((level,) if level else ())
    compute = partial(ranking_answer, cached.reads, unit, period, level)
    try:
        body = await cached.answer(("ranking",), key, compute, ranking_csv if as_csv else None)
    except ValueError as e:
        raise Problem(
            422,
            "validation",
            "Invalid request",
            str(e),
            errors=[{"field": "period", "message": str(e)}],
            detail_zh=detail_zh("period-format", str(e)),
        ) from None
    if as_csv:
        return Response(body, media_type="text/csv; charset=utf-8")
    return Response(body, media_type="application/json")


def ranking_answer(reads: ReadModels, unit: str, period: str, level: str | None) -> dict[str, Any]:
    answer: dict[str, Any] = {"unit": unit, "period": period}
    if unit == "station":
        answer["level"] = level or "township"
    answer["items"] = reads.rankings(unit, period, level)
    return answer


def ranking_csv(answer: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RANKING_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(answer["items"])
    return out.getvalue().encode("utf-8")


@router.get("/insurance/gaps", response_model=InsuranceGaps)
def insurance_gaps(_: CallerDep, reads: Reads, year: int | None = None) -> dict[str, Any]:
    """Participations that no policy covered on their service date."""
    return {"items": reads.insurance_gaps(year=year)}
