"""Who may change an activity: the check every activity write makes before its use case."""

from __future__ import annotations

from uuid import UUID

from domain.activity import ServiceActivity
from interfaces.http.auth import Caller
from interfaces.http.deps import ContainerDep


def may_write(
    container: ContainerDep, caller: Caller, activity_id: UUID, what: str
) -> ServiceActivity:
    """The activity, once ``caller`` may write ``what`` on it (admin, the staff of its
    township, or its team's leader); else 403."""
    activity: ServiceActivity = container.ledger.load(ServiceActivity, activity_id, read_only=True)
    caller.require_activity(str(activity.township), str(activity.team_id), what)
    return activity
