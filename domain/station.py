"""The Station aggregate: a registered veterans' service station (退役军人服务站).

Teams and activities name a station by its id, so a typo cannot create a phantom station
that is then ranked; a station is ranked only with stations of its own level.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.copying import CopiedOnLoad
from domain.errors import rule_violation
from domain.text import require_filled, require_nonblank
from domain.values import Actor, StationLevel, check_text

T = "volunteer-ledger:Station"


class Station(CopiedOnLoad, Aggregate):
    """A station of the banner: the service centre, a township station or a village station."""

    TOPIC = T

    class Created(Aggregate.Created):
        """The library's generic creation event, unused here but needing a topic of its own."""

        TOPIC = f"{T}.Created"

    @event("Registered", topic=f"{T}.Registered")
    def __init__(
        self,
        name: str,
        level: StationLevel,
        township: str,
        parent_id: UUID | None,
        actor: Actor,
    ) -> None:
        self.name = name
        self.level = level
        self.township = township
        self.parent_id = parent_id
        self.closed = False

    @classmethod
    def register(
        cls,
        *,
        name: str,
        level: StationLevel,
        township: str,
        parent: Station | None,
        actor: Actor,
    ) -> Station:
        """``parent``: a village station's township station (loaded by the caller)."""
        check_text("name", name)
        check_text("township", township, required=False)
        require_filled("station", ("name", name))
        if level is not StationLevel.BANNER_CENTRE and not township.strip():
            raise rule_violation(
                "station-township", f"a {level.value} station must name its township"
            )
        _check_parent(level, township.strip(), parent)
        return cls(
            name=name.strip(),
            level=level,
            township=township.strip(),
            parent_id=None if parent is None else parent.id,
            actor=actor,
        )

    def require_open(self, doing: str) -> None:
        if self.closed:
            raise rule_violation("station-closed", f"station {self.id} is closed: cannot {doing}")

    def rename(self, name: str, actor: Actor) -> None:
        self.require_open("be renamed")
        check_text("name", name)
        require_filled("station", ("name", name))
        if name.strip() == self.name:
            raise rule_violation("station-name-changes", f"station {self.id} is already {name!r}")
        self._renamed(name=name.strip(), previous=self.name, actor=actor)

    @event("Renamed", topic=f"{T}.Renamed")
    def _renamed(self, name: str, previous: str, actor: Actor) -> None:
        self.name = name

    def close(self, reason: str, actor: Actor) -> None:
        self.require_open("close again")
        check_text("reason", reason, multiline=True, required=False)
        require_nonblank(reason, "reason-required", "closing a station needs a reason")
        self._closed(reason=reason.strip(), actor=actor)

    @event("Closed", topic=f"{T}.Closed")
    def _closed(self, reason: str, actor: Actor) -> None:
        self.closed = True

    def state(self) -> dict[str, Any]:
        return dict(vars(self))


def _check_parent(level: StationLevel, township: str, parent: Station | None) -> None:
    """A village station names an open township station of its township; no other has one."""
    if level is not StationLevel.VILLAGE:
        if parent is not None:
            raise rule_violation(
                "station-parent", f"only a village station has a parent, not a {level.value} one"
            )
        return
    if parent is None:
        raise rule_violation(
            "station-parent", "a village station must name its township station (parent_id)"
        )
    if parent.level is not StationLevel.TOWNSHIP:
        raise rule_violation(
            "station-parent",
            f"parent {parent.id} is a {parent.level.value} station, not a township station",
        )
    if parent.township != township:
        raise rule_violation(
            "station-parent",
            f"parent {parent.id} is in {parent.township}, not in {township}",
        )
    parent.require_open("have village stations")
