"""Operations: liveness, readiness (store reachable, projection lag) and the caller's identity."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from infrastructure.bootstrap import Container
from interfaces.http.auth import CallerDep
from interfaces.http.deps import ContainerDep
from interfaces.http.schemas import Me


class Health(BaseModel):
    status: Literal["ok"]


class ProjectionState(BaseModel):
    position: int
    lag: int  # log positions behind the head
    error: str | None  # why the projection stopped, if it did


class Readiness(BaseModel):
    status: Literal["ready", "failing", "not ready"]
    failing: list[str]  # projections stopped on an event they cannot apply
    last_write_error: str | None
    head: int
    read_position: int
    lag: int
    projections: dict[str, ProjectionState]


ops = APIRouter(tags=["operations"])
router = APIRouter(tags=["users"])


@ops.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """The process is up (says nothing about the store)."""
    return {"status": "ok"}


@ops.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"description": "a projection failing or writes failing"}},
)
def readyz(container: ContainerDep, response: Response) -> dict[str, Any]:
    """The store answers; each projection's position and lag behind the log head.

    503 when a projection has stopped on an event it cannot apply (``status: failing``,
    the projections with their ``error``) or when this process's last write failed
    (``status: not ready``, ``last_write_error``; ready again once a write succeeds)."""
    body = readiness(container)
    if body["status"] != "ready":
        response.status_code = 503
    return body


def readiness(container: Container) -> dict[str, Any]:
    """What /readyz answers (the office console shows it too)."""
    head = container.ledger.current_position()
    tracking = container.store.tracking()
    read_position = min((t["position"] for t in tracking.values()), default=0)
    failing = sorted(name for name, t in tracking.items() if t["error"])
    write_error = container.ledger.last_write_error
    status = "not ready" if write_error else "failing" if failing else "ready"
    return {
        "status": status,
        "failing": failing,
        "last_write_error": write_error,
        "head": head,
        "read_position": read_position,
        "lag": head - read_position,
        "projections": _projections(head, tracking),
    }


def _projections(head: int, tracking: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each projection's position, how far it is behind ``head``, and its error, by name."""
    return {
        name: {"position": t["position"], "lag": head - t["position"], "error": t["error"]}
        for name, t in sorted(tracking.items())
    }


@router.get("/me")
async def me(caller: CallerDep) -> Me:
    """The caller's user name, role and scope (township or team id)."""
    return Me(name=caller.user.name, role=caller.role, scope=caller.user.scope)
