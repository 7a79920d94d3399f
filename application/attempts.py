"""A use case's attempt: library and driver errors translated into the application's own,
and one more run on fresh state when a command failed on state this process had cached."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    RecordConflictError,
)

from application.errors import BulkRejected, ConcurrencyConflict, StoreUnavailable
from domain.errors import DomainError

if TYPE_CHECKING:
    from application.base import LedgerBase

C = TypeVar("C", bound=Callable[..., Any])


@contextmanager
def translated_errors() -> Iterator[None]:
    """Library and driver errors become the application's own, with clear messages."""
    try:
        yield
    except (IntegrityError, RecordConflictError) as e:
        raise ConcurrencyConflict(
            "another request changed the same record first; nothing was recorded — "
            "reload and try again"
        ) from e
    except (OperationalError, InterfaceError) as e:
        raise StoreUnavailable(f"the event store is unavailable: {e}") from e
    except DatabaseError as e:
        raise StoreUnavailable(f"the event store failed: {e}") from e


class Attempt(threading.local):
    """What the command running on this thread has loaded from the cache."""

    def __init__(self) -> None:
        self.running = False
        self.is_fresh = False
        self.cached: set[UUID] = set()

    @classmethod
    def fresh(cls) -> bool:
        return _ATTEMPT.is_fresh

    @classmethod
    def served_from_cache(cls, aggregate_id: UUID) -> None:
        if _ATTEMPT.running:
            _ATTEMPT.cached.add(aggregate_id)


_ATTEMPT = Attempt()


def command(method: C) -> C:
    """Mark a use case. If it fails on state this process had cached (another process may
    have changed it meanwhile), it runs once more on state read fresh from the store, so
    a stale cache can cost time but never a wrong refusal or a spurious conflict."""

    @functools.wraps(method)
    def run(self: LedgerBase, *args: Any, **kwargs: Any) -> Any:
        if _ATTEMPT.running:
            return method(self, *args, **kwargs)
        _ATTEMPT.running, _ATTEMPT.is_fresh, _ATTEMPT.cached = True, False, set()
        try:
            try:
                return method(self, *args, **kwargs)
            except (ConcurrencyConflict, DomainError, BulkRejected):
                if not _ATTEMPT.cached:
                    raise
                if self.repository.cache is not None:
                    for aggregate_id in _ATTEMPT.cached:
                        evict(self.repository.cache, aggregate_id)
                _ATTEMPT.is_fresh, _ATTEMPT.cached = True, set()
                return method(self, *args, **kwargs)
        finally:
            _ATTEMPT.running, _ATTEMPT.is_fresh, _ATTEMPT.cached = False, False, set()

    return run  # type: ignore[return-value]


def evict(cache: Any, aggregate_id: UUID) -> None:
    with suppress(KeyError):
        cache.get(aggregate_id, evict=True)
