"""The application's own errors. Library errors are translated into these at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


class ApplicationError(Exception):
    """Base class of errors a use case raises (besides rule violations)."""


class NotFound(ApplicationError):
    def __init__(self, kind: str, aggregate_id: UUID | str) -> None:
        super().__init__(f"{kind} {aggregate_id} not found")
        self.kind = kind
        self.aggregate_id = aggregate_id


class ConcurrencyConflict(ApplicationError):
    """Someone else changed the same aggregate first; nothing of this command was recorded."""


class VersionMismatch(ApplicationError):
    """``If-Match``: the aggregate is no longer at the version the caller saw."""

    def __init__(self, kind: str, aggregate_id: UUID, expected: int, actual: int) -> None:
        super().__init__(
            f"{kind} {aggregate_id} is at version {actual}, not the expected {expected}"
        )
        self.expected = expected
        self.actual = actual


class StoreUnavailable(ApplicationError):
    """The event store could not be reached (or did not answer in time)."""


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str
    # The rule a domain refusal names, and its Chinese sentence where it has one.
    rule: str | None = None
    message_zh: str | None = None


class BulkRejected(ApplicationError):
    """A bulk sheet had bad rows: every one is listed and nothing was recorded."""

    def __init__(self, errors: list[RowError]) -> None:
        lines = "; ".join(f"line {e.line}: {e.field}: {e.message}" for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} bad row(s), nothing recorded: {lines}{more}")
        self.errors = errors


class NotAnAward(ApplicationError):
    """An explanation was asked of a ledger entry that is not an award (a reversal, say)."""

    def __init__(self, entry_id: UUID, kind: str, reverses: str | None = None) -> None:
        hint = f"; it reverses award {reverses}: explain that one" if reverses else ""
        super().__init__(
            f"ledger entry {entry_id} is a {kind}, not an award: only awards are explained{hint}"
        )
        self.entry_id = entry_id
        self.kind = kind


class NotADecision(ApplicationError):
    """A decision re-check was asked of an event that records no eligibility decision."""

    def __init__(self, aggregate_id: UUID, version: int, event_type: str) -> None:
        super().__init__(
            f"event {version} of {aggregate_id} is {event_type}, not a decision: only "
            "CommendationGranted, StarLevelCertified and team Commended events are re-checked"
        )


class AuditMismatch(ApplicationError):
    """The read models and the event store disagree about what happened: a sign of damage."""


class UnknownReference(ApplicationError):
    """A command names something that is not registered (a station id with a typo, say):
    decidable from the request, so it is bad input (422) naming the field, not a 404."""

    def __init__(self, field: str, kind: str, reference: UUID | str) -> None:
        super().__init__(f"{field}: {kind} {reference} is not registered")
        self.field = field
        self.kind = kind
        self.reference = reference
