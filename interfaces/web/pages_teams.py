"""队伍: the teams, and one team with its members."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from interfaces.http.problems import Problem
from interfaces.web.render import page
from interfaces.web.routing import PageRoute, container_of, volunteer_names
from interfaces.web.session import SignedIn, require_township_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/teams")
async def team_list(request: Request, visitor: SignedIn) -> Response:
    reads = container_of(request).read_models()
    teams = await run_in_threadpool(lambda: reads.teams(limit=1000)["items"])
    return page(request, "teams.html", visitor=visitor, nav="teams", teams=teams)


@router.get("/teams/{team_id}")
async def team_page(request: Request, visitor: SignedIn, team_id: UUID) -> Response:
    reads = container_of(request).read_models()

    def load() -> dict[str, Any]:
        team = reads.team(str(team_id))
        if team is None:
            raise Problem(404, "not-found", "未找到", f"没有编号为 {team_id} 的队伍")
        require_township_view(visitor, str(team["township"]), "队伍")
        ids = [m["volunteer_id"] for m in team["members"]]
        return {"team": team, "names": volunteer_names(reads, ids)}

    return page(request, "team.html", visitor=visitor, nav="teams", **await run_in_threadpool(load))
