"""The VolunteerTeam aggregate: a banner-level or township-level team and its members."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.awards import derived_entry_id
from domain.copying import CopiedOnLoad
from domain.errors import rule_violation
from domain.text import require_filled, require_nonblank
from domain.values import Actor, MemberRole, TeamLevel, check_text

T = "volunteer-ledger:VolunteerTeam"


class VolunteerTeam(CopiedOnLoad, Aggregate):
    """A volunteer service team (志愿服务队) in the two-level system."""

    TOPIC = T

    class Created(Aggregate.Created):
        """The library's generic creation event, unused here but needing a topic of its own."""

        TOPIC = f"{T}.Created"

    class Formed(Aggregate.Created):
        """Version 2 names the registered station (``station_id``) besides its name;
        version 1 teams named a free-text station only."""

        TOPIC = f"{T}.Formed"
        class_version = 2
        name: str
        level: TeamLevel
        township: str
        station: str
        station_id: UUID | None
        actor: Actor

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["station_id"] = None

    @event(Formed)
    def __init__(
        self,
        name: str,
        level: TeamLevel,
        township: str,
        station: str,
        station_id: UUID | None,
        actor: Actor,
    ) -> None:
        self.name = name
        self.level = level
        self.township = township
        self.station = station
        self.station_id = station_id
        self.members: dict[UUID, MemberRole] = {}
        self.commendations: set[UUID] = set()
        # The period each commendation is for: one commendation per period.
        self.commended_periods: dict[str, str] = {}
        self.dissolved = False

    @classmethod
    def form(
        cls,
        *,
        name: str,
        level: TeamLevel,
        township: str,
        station: str,
        actor: Actor,
        station_id: UUID | None = None,
    ) -> VolunteerTeam:
        """``station``: the name of the station ``station_id`` (registered, open)."""
        require_filled("team", ("name", name))
        if level is TeamLevel.TOWNSHIP and not township.strip():
            raise rule_violation("township-team", "a township-level team must name its township")
        check_text("name", name)
        check_text("township", township, required=False)
        check_text("station", station, required=False)
        return cls(
            name=name.strip(),
            level=level,
            township=township.strip(),
            station=station.strip(),
            station_id=station_id,
            actor=actor,
        )

    def _require_active(self, doing: str) -> None:
        if self.dissolved:
            raise rule_violation("team-dissolved", f"team {self.id} is dissolved: cannot {doing}")

    @property
    def leader(self) -> UUID | None:
        return next((v for v, r in self.members.items() if r is MemberRole.LEADER), None)

    def enrol(self, volunteer_id: UUID, role: MemberRole, actor: Actor) -> None:
        self._require_active("enrol members")
        if volunteer_id in self.members:
            raise rule_violation(
                "member-once", f"volunteer {volunteer_id} is already a member of team {self.id}"
            )
        if role is MemberRole.LEADER and self.leader is not None:
            raise rule_violation(
                "one-leader",
                f"team {self.id} already has leader {self.leader}: appoint a new leader instead",
            )
        self._member_enrolled(volunteer_id=volunteer_id, role=role, actor=actor)

    @event("MemberEnrolled", topic=f"{T}.MemberEnrolled")
    def _member_enrolled(self, volunteer_id: UUID, role: MemberRole, actor: Actor) -> None:
        self.members[volunteer_id] = role

    def leave(self, volunteer_id: UUID, reason: str, actor: Actor) -> None:
        self._require_active("change members")
        check_text("reason", reason, multiline=True, required=False)
        if volunteer_id not in self.members:
            raise rule_violation(
                "member-unknown", f"volunteer {volunteer_id} is not a member of team {self.id}"
            )
        self._member_left(volunteer_id=volunteer_id, reason=reason, actor=actor)

    @event("MemberLeft", topic=f"{T}.MemberLeft")
    def _member_left(self, volunteer_id: UUID, reason: str, actor: Actor) -> None:
        del self.members[volunteer_id]

    def appoint_leader(self, volunteer_id: UUID, actor: Actor) -> None:
        self._require_active("appoint a leader")
        if volunteer_id not in self.members:
            raise rule_violation(
                "leader-is-member",
                f"volunteer {volunteer_id} must be a member of team {self.id} to lead it",
            )
        if self.leader == volunteer_id:
            raise rule_violation("leader-changes", f"{volunteer_id} already leads team {self.id}")
        self._leader_appointed(volunteer_id=volunteer_id, previous=self.leader, actor=actor)

    @event("LeaderAppointed", topic=f"{T}.LeaderAppointed")
    def _leader_appointed(self, volunteer_id: UUID, previous: UUID | None, actor: Actor) -> None:
        if previous is not None:
            self.members[previous] = MemberRole.MEMBER
        self.members[volunteer_id] = MemberRole.LEADER

    def commend(
        self, *, title: str, period: str, basis_position: int, reason: str, actor: Actor
    ) -> UUID:
        self._require_active("be commended")
        require_nonblank(title, "required-field", "a commendation needs a title")
        check_text("title", title)
        check_text("period", period, max_length=40)
        check_text("reason", reason, multiline=True, required=False)
        period = period.strip()
        held = self.commended_periods.get(period)
        if held is not None:
            raise rule_violation(
                "commendation-once",
                f"team {self.id} already holds {held!r} for {period}: one commendation per period",
                f"该队伍{period}期间已获表彰（{held}），同一期间只能表彰一次",
            )
        commendation_id = derived_entry_id("team-commendation", self.id, title.strip(), period)
        self._commended(
            commendation_id=commendation_id,
            title=title.strip(),
            period=period,
            basis_position=basis_position,
            reason=reason,
            actor=actor,
        )
        return commendation_id

    @event("Commended", topic=f"{T}.Commended")
    def _commended(
        self,
        commendation_id: UUID,
        title: str,
        period: str,
        basis_position: int,
        reason: str,
        actor: Actor,
    ) -> None:
        self.commendations.add(commendation_id)
        self.commended_periods[period.strip()] = title

    def dissolve(self, reason: str, actor: Actor) -> None:
        self._require_active("dissolve again")
        check_text("reason", reason, multiline=True, required=False)
        self._dissolved(reason=reason, actor=actor)

    @event("Dissolved", topic=f"{T}.Dissolved")
    def _dissolved(self, reason: str, actor: Actor) -> None:
        self.dissolved = True

    def state(self) -> dict[str, Any]:
        return dict(vars(self))
