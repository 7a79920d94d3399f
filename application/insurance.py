"""Insurance as the office buys it: a group policy recorded for its whole member list at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.base import LedgerBase, command
from application.errors import BulkRejected, NotFound, RowError
from application.results import Recorded
from domain.errors import DomainError
from domain.values import Actor, InsuranceKind, InsurancePolicy
from domain.volunteer import Volunteer


class InsuranceCommands(LedgerBase):
    @command
    def record_group_policy(
        self,
        *,
        policy_number: str,
        insurer: str,
        covers_from: date,
        covers_to: date,
        sum_insured: Decimal,
        members: list[UUID | None],
        actor: Actor,
        unidentified: dict[int, str] | None = None,
    ) -> Recorded:
        """Record one group policy for every member, all or nothing: a bad member (unknown,
        withdrawn, listed twice, already holding the policy) is named by its index in
        ``members`` and nothing is recorded. ``None`` stands for a member the caller could
        not identify (a national id no one holds), with the reason in ``unidentified``, so
        it is named among the others. Returns the first member's id and version and the log
        position of the last member's coverage."""
        policy = InsurancePolicy(
            policy_number.strip(),
            insurer.strip(),
            InsuranceKind.GROUP,
            covers_from,
            covers_to,
            sum_insured,
        )
        if not members:
            raise BulkRejected([RowError(0, "members", "a group policy lists its members")])
        errors: list[RowError] = []
        seen: dict[UUID, int] = {}
        insured: list[Volunteer] = []
        for index, volunteer_id in enumerate(members):
            if volunteer_id is None:
                reason = (unidentified or {}).get(index, "no volunteer given")
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
