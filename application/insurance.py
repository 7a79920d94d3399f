"""Insurance as the office buys it: a group policy recorded for its whole member list at once."""

from __future__ import annotations

from uuid import UUID

from application.base import LedgerBase, command
from application.commands.insurance import RecordGroupPolicy
from application.errors import BulkRejected, NotFound, RowError
from application.results import Recorded
from domain.errors import DomainError
from domain.values import Actor, InsuranceKind, InsurancePolicy
from domain.volunteer import Volunteer


class InsuranceCommands(LedgerBase):
    @command
    def record_group_policy(self, cmd: RecordGroupPolicy, *, actor: Actor) -> Recorded:
        """Record one group policy for every member, all or nothing: a bad member (unknown,
        withdrawn, listed twice, already holding the policy) is named by its index in
        ``members`` and nothing is recorded. ``None`` stands for a member the caller could
        not identify (a national id no one holds), with the reason in ``unidentified``, so
        it is named among the others. Returns the first member's id and version and the log
        position of the last member's coverage."""
        policy = _group_policy(cmd)
        if not cmd.members:
            raise BulkRejected([RowError(0, "members", "a group policy lists its members")])
        insured = self._insured_members(cmd, policy, actor)
        position = self.record(*insured)
        first = insured[0]
        return Recorded(first.id, first.version, position)

    def _insured_members(
        self, cmd: RecordGroupPolicy, policy: InsurancePolicy, actor: Actor
    ) -> list[Volunteer]:
        """Every member with the policy recorded (not yet saved); ``BulkRejected`` naming
        each bad member by its index if there is any."""
        errors: list[RowError] = []
        seen: dict[UUID, int] = {}
        insured: list[Volunteer] = []
        for index, volunteer_id in enumerate(cmd.members):
            try:
                volunteer = self._member(cmd, index, volunteer_id, seen)
                volunteer.record_insurance(policy, actor)
            except (NotFound, DomainError, _BadMember) as e:
                errors.append(RowError(index, "members", str(e)))
            else:
                insured.append(volunteer)
        if errors:
            raise BulkRejected(errors)
        return insured

    def _member(
        self, cmd: RecordGroupPolicy, index: int, volunteer_id: UUID | None, seen: dict[UUID, int]
    ) -> Volunteer:
        """The volunteer at ``index`` of the member list, loaded to be insured; one the
        caller could not identify, or listed before, is a bad member."""
        if volunteer_id is None:
            raise _BadMember(cmd.unidentified.get(index, "no volunteer given"))
        if volunteer_id in seen:
            raise _BadMember(f"volunteer {volunteer_id} is listed at {seen[volunteer_id]} too")
        seen[volunteer_id] = index
        return self.load(Volunteer, volunteer_id)


def _group_policy(cmd: RecordGroupPolicy) -> InsurancePolicy:
    return InsurancePolicy(
        cmd.policy_number.strip(),
        cmd.insurer.strip(),
        InsuranceKind.GROUP,
        cmd.covers_from,
        cmd.covers_to,
        cmd.sum_insured,
    )


class _BadMember(Exception):
    """A member of a group policy's list that names no one to insure; its text is the
    reason."""
