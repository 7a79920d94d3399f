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
        policy = InsurancePolicy(
            cmd.policy_number.strip(),
            cmd.insurer.strip(),
            InsuranceKind.GROUP,
            cmd.covers_from,
            cmd.covers_to,
            cmd.sum_insured,
        )
        if not cmd.members:
            raise BulkRejected([RowError(0, "members", "a group policy lists its members")])
        errors: list[RowError] = []
        seen: dict[UUID, int] = {}
        insured: list[Volunteer] = []
        for index, volunteer_id in enumerate(cmd.members):
            if volunteer_id is None:
                reason = cmd.unidentified.get(index, "no volunteer given")
                errors.append(RowError(index, "members", reason))
                continue
            if volunteer_id in seen:
                errors.append(
                    RowError(
                        index,
                        "members",
                        f"volunteer {volunteer_id} is listed at {seen[volunteer_id]} too",
                    )
                )
                continue
            seen[volunteer_id] = index
            try:
                volunteer = self.load(Volunteer, volunteer_id)
                volunteer.record_insurance(policy, actor)
            except NotFound as e:
                errors.append(RowError(index, "members", str(e)))
            except DomainError as e:
                errors.append(RowError(index, "members", str(e)))
            else:
                insured.append(volunteer)
        if errors:
            raise BulkRejected(errors)
        position = self.record(*insured)
        first = insured[0]
        return Recorded(first.id, first.version, position)
