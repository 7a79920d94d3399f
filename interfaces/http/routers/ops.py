"""Operations: liveness, readiness (store reachable, projection lag) and the caller's identity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas import Me

ops = APIRouter(tags=["operations"])
router = APIRouter(tags=["users"])


@ops.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (says nothing about the store)."""
    return {"status": "ok"}


@ops.get("/readyz")
def readyz(container: ContainerDep) -> dict[str, Any]:
    """The store answers; each projection's position and lag behind the log head."""
    head = container.ledger.current_position()
    tracking = container.store.tracking()
    projections = {
        name: {"position": t["position"], "lag": head - t["position"], "error": t["error"]}
        for name, t in sorted(tracking.items())
    }
    read_position = min((t["position"] for t in tracking.values()), default=0)
    return {
        "status": "ready",
        "head": head,
        "read_position": read_position,
        "lag": head - read_position,
        "projections": projections,
    }


@router.get("/me")
async def me(caller: CallerDep) -> Me:
    """The caller's user name, role and scope (township or team id)."""
    return Me(name=caller.user.name, role=caller.role, scope=caller.user.scope)
