"""Use cases for the stations register: register, rename, close a station."""

from __future__ import annotations

from uuid import UUID

from application.base import LedgerBase, command
from application.commands.stations import CloseStation, RegisterStation, RenameStation
from application.errors import NotFound, UnknownReference
from application.results import Recorded
from domain.station import Station
from domain.values import Actor


class StationCommands(LedgerBase):
    def registered_station(
        self, station_id: UUID, doing: str, field: str = "station_id"
    ) -> Station:
        """The open station a command names; an id naming no station is bad input (422)."""
        try:
            station = self.load(Station, station_id, read_only=True)
        except NotFound:
            raise UnknownReference(field, "station", station_id) from None
        station.require_open(doing)
        return station

    @command
    def register_station(self, cmd: RegisterStation, *, actor: Actor) -> Recorded:
        """Register a station; a village station names its township station as parent."""
        parent = None
        if cmd.parent_id is not None:
            parent = self.registered_station(cmd.parent_id, "have village stations", "parent_id")
        station = Station.register(
            name=cmd.name, level=cmd.level, township=cmd.township, parent=parent, actor=actor
        )
        return self.recorded(station)

    @command
    def rename_station(self, cmd: RenameStation, *, actor: Actor) -> Recorded:
        return self.change(
            Station,
            cmd.station_id,
            cmd.expected_version,
            lambda station: station.rename(cmd.name, actor),
        )

    @command
    def close_station(self, cmd: CloseStation, *, actor: Actor) -> Recorded:
        """A closed station keeps its history; no new team or activity may name it."""
        return self.change(
            Station,
            cmd.station_id,
            cmd.expected_version,
            lambda station: station.close(cmd.reason, actor),
        )
