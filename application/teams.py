"""Use cases for volunteer service teams: form, enrol, leave, lead, commend, dissolve."""

from __future__ import annotations

from application.base import command
from application.commands.people import (
    AppointLeader,
    CommendTeam,
    DissolveTeam,
    EnrolMember,
    FormTeam,
    MemberLeaves,
)
from application.results import Recorded
from application.stations import StationCommands
from domain.errors import rule_violation
from domain.team import VolunteerTeam
from domain.values import Actor
from domain.volunteer import Volunteer


class TeamCommands(StationCommands):
    @command
    def form_team(self, cmd: FormTeam, *, actor: Actor) -> Recorded:
        """Form a volunteer service team at banner or township level, at a registered station."""
        station = self.registered_station(cmd.station_id, "have new teams")
        team = VolunteerTeam.form(
            name=cmd.name,
            level=cmd.level,
            township=cmd.township,
            station=station.name,
            station_id=station.id,
            actor=actor,
        )
        return self.recorded(team)

    @command
    def enrol_member(self, cmd: EnrolMember, *, actor: Actor) -> Recorded:
        """Enrol a registered, active volunteer as member, leader or deputy."""
        team = self.load(VolunteerTeam, cmd.team_id, cmd.expected_version)
        volunteer = self.load(Volunteer, cmd.volunteer_id, read_only=True)
        volunteer.require_active("join a team")
        team.enrol(cmd.volunteer_id, cmd.role, actor)
        return self.recorded(team)

    @command
    def member_leaves(self, cmd: MemberLeaves, *, actor: Actor) -> Recorded:
        return self.change(
            VolunteerTeam,
            cmd.team_id,
            cmd.expected_version,
            lambda team: team.leave(cmd.volunteer_id, cmd.reason, actor),
        )

    @command
    def appoint_leader(self, cmd: AppointLeader, *, actor: Actor) -> Recorded:
        return self.change(
            VolunteerTeam,
            cmd.team_id,
            cmd.expected_version,
            lambda team: team.appoint_leader(cmd.volunteer_id, actor),
        )

    @command
    def commend_team(self, cmd: CommendTeam, *, actor: Actor) -> Recorded:
        """Commend a team; ``created`` names the new ``commendation_id``."""
        self._check_basis(cmd.basis_position)
        team = self.load(VolunteerTeam, cmd.team_id, cmd.expected_version)
        commendation_id = team.commend(
            title=cmd.title,
            period=cmd.period,
            basis_position=cmd.basis_position,
            reason=cmd.reason,
            actor=actor,
        )
        return self.recorded(team, commendation_id=commendation_id)

    @command
    def dissolve_team(self, cmd: DissolveTeam, *, actor: Actor) -> Recorded:
        return self.change(
            VolunteerTeam,
            cmd.team_id,
            cmd.expected_version,
            lambda team: team.dissolve(cmd.reason, actor),
        )

    def _check_basis(self, basis_position: int) -> None:
        """A decision's basis is a position the log has reached."""
        head = self.current_position()
        if not 0 <= basis_position <= head:
            raise rule_violation(
                "basis-position",
                f"basis_position {basis_position} must lie between 0 and the log head {head}",
            )
