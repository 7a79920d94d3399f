"""The stations register: register, rename and close stations; list and read them."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, status

from application.commands import stations as commands
from domain.station import Station
from domain.values import StationLevel
from interfaces.http.auth import Caller, CallerDep
from interfaces.http.deps import ContainerDep, Cursor, IfMatch, Limit, Reads
from interfaces.http.people_answers import StationEntry, StationPage
from interfaces.http.problems import Problem
from interfaces.http.register_schemas import Reason, RegisterStation, RenameStation
from interfaces.http.schemas import WriteResult

router = APIRouter(tags=["stations"])


def _may_write(caller: Caller, level: StationLevel, township: str) -> None:
    """The banner's service centre is the bureau's (admin); a township's or village's
    station is also its township's station staff's."""
    if level is StationLevel.BANNER_CENTRE:
        caller.require_admin("register or change the banner service centre")
    else:
        caller.require_township(township, "stations")


@router.post("/stations", status_code=status.HTTP_201_CREATED)
def register_station(
    body: RegisterStation, caller: CallerDep, container: ContainerDep
) -> WriteResult:
    """Register a station; teams and activities then name it by its id."""
    level = body.level
    _may_write(caller, level, body.township.strip())
    return WriteResult.of(
        container.ledger.register_station(
            commands.RegisterStation(
                name=body.name, level=level, township=body.township, parent_id=body.parent_id
            ),
            actor=caller.actor,
        )
    )


@router.post("/stations/{station_id}/rename")
def rename_station(
    station_id: UUID,
    body: RenameStation,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Rename a station (its rankings and history keep its id)."""
    station = container.ledger.load(Station, station_id, read_only=True)
    _may_write(caller, station.level, station.township)
    return WriteResult.of(
        container.ledger.rename_station(
            commands.RenameStation(
                station_id=station_id, name=body.name, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.post("/stations/{station_id}/close")
def close_station(
    station_id: UUID,
    body: Reason,
    caller: CallerDep,
    container: ContainerDep,
    if_match: IfMatch,
) -> WriteResult:
    """Close a station, with the reason: no new team or activity may name it."""
    station = container.ledger.load(Station, station_id, read_only=True)
    _may_write(caller, station.level, station.township)
    return WriteResult.of(
        container.ledger.close_station(
            commands.CloseStation(
                station_id=station_id, reason=body.reason, expected_version=if_match
            ),
            actor=caller.actor,
        )
    )


@router.get("/stations")
def list_stations(
    _: CallerDep,
    reads: Reads,
    level: Literal["banner_centre", "township", "village"] | None = None,
    township: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> StationPage:
    """Registered stations in id order, optionally of one level or township."""
    return StationPage.model_validate(
        reads.stations(level=level, township=township, limit=limit, cursor=cursor)
    )


@router.get("/stations/{station_id}", response_model=StationEntry)
def get_station(station_id: UUID, _: CallerDep, reads: Reads) -> dict[str, Any]:
    """One station."""
    station = reads.station(str(station_id))
    if station is None:
        raise Problem(404, "not-found", "Not found", f"station {station_id} not found")
    return station
