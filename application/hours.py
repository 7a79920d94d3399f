"""Use cases for service hours: one participant's, or a whole sign-in sheet's at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from application.base import LedgerBase, command
from application.commands.activities import RecordHours, RecordSheet
from application.errors import BulkRejected, NotFound, RowError
from application.results import HoursRow, Recorded
from domain.activity import ServiceActivity
from domain.errors import DomainError
from domain.rulebook import RulebookVersion
from domain.values import Actor, Interval
from domain.volunteer import Volunteer

_Terms = tuple[RulebookVersion, date, timedelta]


class HoursCommands(LedgerBase):
    @command
    def record_hours(self, cmd: RecordHours, *, actor: Actor) -> Recorded:
        """Record a participant's service hours (insurance and overlaps are checked now)."""
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        self._admit(activity, HoursRow(cmd.volunteer_id, cmd.interval, cmd.source), actor, {}, {})
        return self.recorded(activity)

    @command
    def record_hours_bulk(self, cmd: RecordSheet, *, actor: Actor) -> Recorded:
        """Record a whole sign-in sheet atomically: every bad row is reported, or all are recorded."""
        activity = self.load(ServiceActivity, cmd.activity_id, cmd.expected_version)
        if not cmd.rows:
            raise BulkRejected([RowError(0, "rows", "the sheet has no rows")])
        errors = self._admit_sheet(activity, cmd.rows, actor)
        if errors:
            raise BulkRejected(errors)
        return self.recorded(activity)

    def check_hours_bulk(self, cmd: RecordSheet, *, actor: Actor) -> None:
        """The rows of a sheet already refused for rows that could not be read, checked as
        :meth:`record_hours_bulk` would (raising ``BulkRejected`` naming the bad ones), so
        one answer names every bad row. Records nothing."""
        activity = self.load(ServiceActivity, cmd.activity_id)
        errors = self._admit_sheet(activity, cmd.rows, actor)
        if errors:
            raise BulkRejected(errors)

    def _admit_sheet(
        self, activity: ServiceActivity, rows: list[HoursRow], actor: Actor
    ) -> list[RowError]:
        errors: list[RowError] = []
        known: dict[datetime, _Terms] = {}
        volunteers = self.load_many(Volunteer, (row.volunteer_id for row in rows))
        for line, row in enumerate(rows, start=1):
            try:
                self._admit(activity, row, actor, known, volunteers)
            except NotFound as e:
                errors.append(RowError(line, "volunteer_id", str(e), message_zh="没有这名志愿者"))
            except DomainError as e:
                errors.append(RowError(line, _row_field(e.rule), str(e), e.rule, e.message_zh))
        return errors

    def _admit(
        self,
        activity: ServiceActivity,
        row: HoursRow,
        actor: Actor,
        known: dict[datetime, _Terms],
        volunteers: dict[UUID, Volunteer],
    ) -> None:
        """Check the volunteer may serve then, and record the hours on the activity
        (``known``: the terms worked out so far, by start time; ``volunteers``: those already
        loaded, by id)."""
        volunteer = volunteers.get(row.volunteer_id)
        if volunteer is None:
            volunteer = self.load(Volunteer, row.volunteer_id, read_only=True)
        volunteer.require_active("serve")
        rules, day, tolerance = self._terms(row.interval, known)
        volunteer.check_no_overlap(row.interval, activity.id)
        volunteer.check_insured(rules, activity.category, day)
        activity.record_hours(
            volunteer_id=row.volunteer_id,
            interval=row.interval,
            source=row.source,
            tolerance=tolerance,
            actor=actor,
        )

    def _terms(self, interval: Interval, known: dict[datetime, _Terms]) -> _Terms:
        """The rules in force for hours starting when ``interval`` does, its service date
        under them and their window tolerance — worked out once per start time of a
        sheet (they depend on the start instant only)."""
        found = known.get(interval.start)
        if found is None:
            rules = self.rules_for(interval)
            found = known[interval.start] = (
                rules,
                interval.local_date(rules.utc_offset),
                self.tolerance(rules),
            )
        return found


# The field a refused row is reported under, by the rule that refused it.
_ROW_FIELDS = {
    "hours-in-window": "started_at",
    "interval-order": "ended_at",
    "insurance-required": "volunteer_id",
    "overlapping-service": "started_at",
    "hours-once": "volunteer_id",
    "capacity": "volunteer_id",
    "signup-required": "volunteer_id",
    "volunteer-not-active": "volunteer_id",
}


def _row_field(rule: str) -> str:
    return _ROW_FIELDS.get(rule, "row")
