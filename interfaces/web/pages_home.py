"""首页 (the dashboard) and 排名 (rankings): charts drawn on the server from the read models."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from application.readmodel.queries.readmodels import ReadModels
from domain.errors import DomainError
from domain.ranking import Period
from infrastructure.bootstrap import Container
from interfaces.http.deps import AnswerCache, answer_cache, replayed
from interfaces.http.routers.ops import readiness
from interfaces.web.render import SHANGHAI, Bar, bar_chart, end_of_day, page
from interfaces.web.routing import PageRoute, container_of, of_township
from interfaces.web.session import SignedIn

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def latest_year(reads: ReadModels) -> int:
    """The year of the latest activity, or this year in Asia/Shanghai when there is none."""
    latest = reads.latest_activity_date()
    return int(latest[:4]) if latest else datetime.now(SHANGHAI).year


def _ranking_chart(rows: list[dict[str, Any]], title: str) -> Any:
    ranked = [r for r in rows if r["rank"] is not None][:15]
    return bar_chart(
        [Bar(f"{r['rank']}. {r['name']}", float(r["score"] or 0)) for r in ranked],
        title=title,
        unit="综合得分",
    )


DASHBOARD_PROJECTIONS = ("ranking", "directory", "insurance", "needs")
EXPIRING_DAYS = 30
OPEN_NEEDS_SHOWN = 8


def _figures(reads: ReadModels, year: int, today: date, township: str | None) -> dict[str, Any]:
    """What the dashboard shows of the read models: computed once between two moves of
    the projections it reads, and kept in the API's answer cache (as JSON) meanwhile.

    The charts are the banner's; the work lists (activities to verify, open needs, gaps,
    expiring policies) are ``township``'s when it is given: a station clerk's own."""
    stations = reads.rankings("station", str(year))
    months = _monthly_hours(reads, year)
    gaps = of_township(reads.insurance_gaps(year=year), township)
    expiring = of_township(reads.expiring(today, EXPIRING_DAYS), township)
    needs = reads.needs(today=today, status="open", township=township, limit=OPEN_NEEDS_SHOWN)
    return {
        "ranking_chart": str(_ranking_chart(stations, f"{year} 年服务站排名（综合得分）")),
        "hours_chart": str(bar_chart(months, title=f"{year} 年各月志愿服务时长", unit="小时")),
        "total_hours": sum((Decimal(str(b.value)) for b in months), Decimal(0)),
        "waiting": reads.activities(status="completed", township=township, limit=20)["items"],
        "gaps": gaps[:10],
        "gap_count": len(gaps),
        "expiring": expiring[:10],
        "expiring_count": len(expiring),
        # Oldest first: the needs waiting longest lead.
        "open_needs": needs["items"],
        "more_needs": needs["next_cursor"] is not None,
    }


def _monthly_hours(reads: ReadModels, year: int) -> list[Bar]:
    """The banner's volunteer hours in each month of ``year``, one bar a month."""
    periods = [Period.parse(f"{year}-{month:02d}") for month in range(1, 13)]
    return [
        Bar(f"{month} 月", float(sum((m.volunteer_hours for m in metrics), Decimal(0))))
        for month, metrics in enumerate(reads.unit_metrics_of("station", periods), start=1)
    ]


def _dashboard(
    container: Container, cache: AnswerCache, year: int | None, township: str | None
) -> dict[str, Any]:
    reads = container.read_models()
    year = year or latest_year(reads)
    today = (container.ledger.clock() + container.rulebook.latest.utc_offset).date()
    body, _ = cache.answer(
        reads,
        DASHBOARD_PROJECTIONS,
        ("console-dashboard", year, today, township),
        partial(_figures, reads, year, today, township),
        ask=False,
    )
    assert body is not None
    figures = json.loads(body)
    figures["ranking_chart"] = Markup(figures["ranking_chart"])
    figures["hours_chart"] = Markup(figures["hours_chart"])
    return {
        **figures,
        "year": year,
        "expiring_days": EXPIRING_DAYS,
        "ready": readiness(container),
    }


@router.get("/")
async def dashboard(
    request: Request,
    visitor: SignedIn,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """首页: this period's station ranking, hours by month, work waiting, gaps, projection lag."""
    context = await run_in_threadpool(
        _dashboard, container_of(request), answer_cache(request), year, visitor.own_township
    )
    return page(request, "dashboard.html", visitor=visitor, nav="home", **context)


@router.get("/rankings")
async def rankings(
    request: Request,
    visitor: SignedIn,
    unit: Annotated[str, Query(pattern="^(station|team)$")] = "station",
    period: Annotated[str | None, Query(max_length=7)] = None,
    known_on: date | None = None,
) -> Response:
    """排名: the API's ranking rows for a period and unit, with their chart; with ``known_on``
    as known at the end of that day (the log replayed, as the API's ``known_at``)."""
    reads = await _reads_known_on(container_of(request), known_on)
    chosen = period or str(await run_in_threadpool(latest_year, reads))
    drawn = partial(
        page,
        request,
        "rankings.html",
        visitor=visitor,
        nav="rankings",
        unit=unit,
        period=chosen,
        known_on=known_on or "",
    )
    try:
        Period.parse(chosen)
    except (ValueError, DomainError):  # a malformed period is the domain's InvalidValue
        return drawn(
            status=422,
            rows=[],
            chart="",
            error=f"期间“{chosen}”格式不正确：应为 2022、2022-Q3 或 2022-07。",
        )
    rows = await run_in_threadpool(reads.rankings, unit, chosen)
    return drawn(
        rows=rows,
        chart=_ranking_chart(rows, f"{chosen} {UNIT_ZH[unit]}排名（综合得分）"),
        error="",
    )


UNIT_ZH = {"station": "服务站", "team": "队伍"}


async def _reads_known_on(container: Container, known_on: date | None) -> ReadModels:
    """The read models now; with ``known_on``, as known at the end of that day (replayed)."""
    if known_on is None:
        return container.read_models()
    return await run_in_threadpool(replayed, container, None, end_of_day(known_on))
