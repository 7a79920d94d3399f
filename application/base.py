"""The application's plumbing: saving aggregates, and the rules in force (loading them is in
:mod:`application.loading`; a use case's attempt, its errors translated and its retry on
fresh state, in :mod:`application.attempts`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    Recording,
    Transcoding,
)
from eventsourcing.utils import Environment

from application.attempts import command as command  # use cases import it from here
from application.attempts import evict, translated_errors
from application.errors import ConcurrencyConflict, StoreUnavailable
from application.loading import A, AggregateLoading
from application.loading import (  # infrastructure/aggregate_queries.py imports it from here
    latest_versions_one_by_one as latest_versions_one_by_one,
)
from application.results import Recorded
from domain.rulebook import Rulebook, RulebookVersion
from domain.values import Interval

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerBase(AggregateLoading):
    """Load (see :class:`AggregateLoading`), decide, save. Subclasses add one method per
    use case."""

    name = "VolunteerLedger"

    def __init__(
        self,
        *,
        rulebook: Rulebook,
        env: dict[str, str] | None = None,
        transcodings: Sequence[Transcoding] = (),
        clock: Clock = utc_now,
        mapper: Callable[[Mapper[UUID]], Mapper[UUID]] | None = None,
    ) -> None:
        """``mapper``: given the library's mapper, the one to use instead (one that stores
        the same events, faster)."""
        self.rulebook = rulebook
        self.clock = clock
        self._transcodings = list(transcodings)
        self._mapper = mapper
        # Why the last write failed, until one succeeds again (shown by /readyz): a full
        # disk or a read-only store fails writes while reads still answer.
        self.last_write_error: str | None = None
        with translated_errors():
            super().__init__(env=env)

    def construct_env(self, name: str, env: Any = None) -> Environment:
        # Our Settings class is the only reader of the process environment.
        merged = dict(type(self).env)
        merged.update(env or {})
        return Environment(name, merged)

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = super().construct_mapper()
        return mapper if self._mapper is None else self._mapper(mapper)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in self._transcodings:
            transcoder.register(transcoding)

    # ----------------------------------------------------------------- rules

    def rules_for(self, interval: Interval) -> RulebookVersion:
        """The rulebook version in force on the interval's service date."""
        return self.rulebook.in_force_on(interval.local_date(self.rulebook.latest.utc_offset))

    def rules_today(self) -> RulebookVersion:
        return self.rulebook.in_force_on(self.clock().astimezone(UTC).date())

    def rules_on(self, day: date) -> RulebookVersion:
        return self.rulebook.in_force_on(day)

    def tolerance(self, rules: RulebookVersion) -> timedelta:
        return timedelta(minutes=rules.window_tolerance_minutes)

    # ----------------------------------------------------------------- load and save

    def change(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        decide: Callable[[A], object],
    ) -> Recorded:
        """The shape of most commands: load the aggregate (checking ``If-Match``), let it
        decide (its method records the events or refuses), save it once."""
        aggregate = self.load(cls, aggregate_id, expected_version)
        decide(aggregate)
        return self.recorded(aggregate)

    def recorded(self, aggregate: Aggregate, **created: UUID) -> Recorded:
        """Save one aggregate's new events; its id, version and the log position, and what
        the command ``created`` within it (``entry_id=...``), by name."""
        return Recorded(aggregate.id, aggregate.version, self.record(aggregate), created)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """As the library's, and the saved aggregates then carry the time their events were
        recorded at: the store stamps every event of one insert with one time, its own
        (infrastructure/stamping.py), not the time this process gave them. A cached copy
        is then the same as a copy read back from the store."""
        recordings = super()._record(processing_event)
        if recordings and getattr(self.recorder, "stamps_recording_times", False):
            last: Any = self.mapper.to_domain_event(recordings[-1].notification)
            _stamp_recorded_at(processing_event, last.timestamp)
        return recordings

    def record(self, *aggregates: Aggregate) -> int:
        """Save every pending event of ``aggregates`` atomically; return the last log position."""
        try:
            with translated_errors():
                recordings = self.save(*aggregates)
        except StoreUnavailable as e:
            self.last_write_error = f"{utc_now().isoformat(timespec='seconds')}: {e}"
            raise
        except ConcurrencyConflict:
            self._evict(aggregates)
            raise
        self.last_write_error = None
        if not recordings:
            return self.current_position()
        return max(r.notification.id for r in recordings)

    def _evict(self, aggregates: Iterable[Aggregate]) -> None:
        """Drop the cached copies of ``aggregates`` (their save conflicted: they are stale)."""
        if self.repository.cache is not None:
            for aggregate in aggregates:
                evict(self.repository.cache, aggregate.id)

    def current_position(self) -> int:
        with translated_errors():
            return self.recorder.max_notification_id() or 0


def _stamp_recorded_at(processing_event: ProcessingEvent[UUID], recorded: datetime) -> None:
    """The saved aggregates were modified at ``recorded``, the store's time; those the
    events created were created then too."""
    created = {e.originator_id for e in processing_event.events if e.originator_version == 1}
    for aggregate_id, aggregate in processing_event.aggregates.items():
        if isinstance(aggregate, Aggregate):
            aggregate.modified_on = recorded
            if aggregate_id in created:
                aggregate._created_on = recorded
