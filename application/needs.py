"""Use cases for needs and the project library: raise, close and decline a need; draft,
activate and close a project."""

from __future__ import annotations

from uuid import UUID

from application.base import command
from application.commands.needs import (
    ActivateProject,
    CloseNeed,
    CloseProject,
    DeclineNeed,
    DraftProject,
    RaiseNeed,
)
from application.errors import NotFound, UnknownReference
from application.results import Recorded
from application.stations import StationCommands
from domain.activity import ServiceActivity
from domain.errors import rule_violation
from domain.need import DECLINED, DIFFICULTIES, Need
from domain.project import Project
from domain.team import VolunteerTeam
from domain.values import ActivityStatus, Actor, Category


class NeedCommands(StationCommands):
    def _need_category(self, category: str) -> str:
        """One of the plan's difficulties or a service category of the rulebook in force
        (else 422 naming ``category``)."""
        if category in DIFFICULTIES:
            return category
        self.rules_today().category(Category(category))
        return category

    @command
    def raise_need(self, cmd: RaiseNeed, *, actor: Actor) -> Recorded:
        """Record a need raised at a registered, open station of its township."""
        station = self.registered_station(cmd.station_id, "take new needs")
        need = Need.raise_need(
            township=cmd.township,
            station_id=station.id,
            station_township=station.township,
            beneficiary_type=cmd.beneficiary_type,
            category=self._need_category(cmd.category),
            description=cmd.description,
            raised_by_name=cmd.raised_by_name,
            raised_by_contact=cmd.raised_by_contact,
            actor=actor,
        )
        return self.recorded(need)

    @command
    def close_need(self, cmd: CloseNeed, *, actor: Actor) -> Recorded:
        """Close a need as met, naming the verified activity that met it (and so its project)."""
        need = self.load(Need, cmd.need_id, cmd.expected_version)
        try:
            activity = self.load(ServiceActivity, cmd.activity_id, read_only=True)
        except NotFound:
            raise UnknownReference("activity_id", "activity", cmd.activity_id) from None
        need.meet(
            activity_id=activity.id,
            activity_township=activity.township,
            activity_verified=activity.status is ActivityStatus.VERIFIED,
            project_id=activity.project_id,
            outcome=cmd.outcome,
            actor=actor,
        )
        return self.recorded(need)

    @command
    def decline_need(self, cmd: DeclineNeed, *, actor: Actor) -> Recorded:
        return self.change(
            Need, cmd.need_id, cmd.expected_version, lambda need: need.decline(cmd.reason, actor)
        )

    @command
    def draft_project(self, cmd: DraftProject, *, actor: Actor) -> Recorded:
        """Enter a project in the library (as a draft), owned by a team, answering needs."""
        self.rules_today().category(cmd.category)
        team = self._owning_team(cmd.team_id)
        self._check_answerable(cmd.need_ids)
        project = Project.draft(
            title=cmd.title,
            category=cmd.category,
            description=cmd.description,
            team_id=team.id,
            township=team.township,
            need_ids=cmd.need_ids,
            target_beneficiaries=cmd.target_beneficiaries,
            actor=actor,
        )
        return self.recorded(project)

    def _owning_team(self, team_id: UUID) -> VolunteerTeam:
        """The team a project is drafted for: one that exists and is not dissolved."""
        try:
            team = self.load(VolunteerTeam, team_id, read_only=True)
        except NotFound:
            raise UnknownReference("team_id", "team", team_id) from None
        if team.dissolved:
            raise rule_violation("team-dissolved", f"team {team_id} is dissolved")
        return team

    def _check_answerable(self, need_ids: list[UUID]) -> None:
        """Each need a project answers exists and was not declined."""
        needs = self.load_many(Need, need_ids)
        for i, need_id in enumerate(need_ids):
            need = needs.get(need_id)
            if need is None:
                raise UnknownReference(f"need_ids[{i}]", "need", need_id)
            if need.status == DECLINED:
                raise rule_violation(
                    "need-declined",
                    f"need {need_id} was declined: a project cannot answer it",
                    f"需求 {need_id} 已不予受理，项目不能对应该需求",
                )

    @command
    def activate_project(self, cmd: ActivateProject, *, actor: Actor) -> Recorded:
        """Put a drafted project on the service menu."""
        return self.change(
            Project, cmd.project_id, cmd.expected_version, lambda project: project.activate(actor)
        )

    @command
    def close_project(self, cmd: CloseProject, *, actor: Actor) -> Recorded:
        return self.change(
            Project,
            cmd.project_id,
            cmd.expected_version,
            lambda project: project.close(cmd.reason, actor),
        )

    def active_project(self, project_id: UUID, doing: str) -> Project:
        """The active project a command names; an id naming no project is bad input (422)."""
        try:
            project = self.load(Project, project_id, read_only=True)
        except NotFound:
            raise UnknownReference("project_id", "project", project_id) from None
        project.require_active(doing)
        return project
