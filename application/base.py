"""The application's plumbing: loading and saving aggregates (a use case's attempt, its
errors translated and its retry on fresh state, is in :mod:`application.attempts`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import groupby
from operator import attrgetter
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    project_aggregate,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    Recording,
    Transcoding,
)
from eventsourcing.utils import Environment

from application.attempts import Attempt, evict, translated_errors
from application.attempts import command as command  # use cases import it from here
from application.errors import (
    ConcurrencyConflict,
    NotFound,
    StoreUnavailable,
    VersionMismatch,
)
from application.results import Recorded
from domain.rulebook import Rulebook, RulebookVersion
from domain.values import Interval

A = TypeVar("A", bound=Aggregate)
Clock = Callable[[], datetime]

_KIND = {
    "Volunteer": "volunteer",
    "VolunteerTeam": "team",
    "ServiceActivity": "activity",
    "Station": "station",
    "Need": "need",
    "Project": "project",
}


def _kind(cls: type[Aggregate]) -> str:
    """What errors call an aggregate of ``cls`` ("volunteer", "activity", ...)."""
    return _KIND.get(cls.__name__, cls.__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerBase(Application[UUID]):
    """Load, decide, save. Subclasses add one method per use case."""

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

    def load(
        self,
        cls: type[A],
        aggregate_id: UUID,
        expected_version: int | None = None,
        *,
        read_only: bool = False,
    ) -> A:
        """Load an aggregate: from this process's cache when it has it, else from the store.

        A cached copy may miss another process's latest events. For an aggregate the
        command saves, that is safe: saving it conflicts and the command runs again on
        fresh state (see :func:`command`). An ``If-Match`` version is always checked
        against the store.

        ``read_only``: the caller only looks — it checks a rule against this aggregate
        (is the volunteer active, insured, free then?) and never saves it — so the cached
        instance itself is returned, without the deep copy a command needs (cached
        aggregates are replaced on save, never changed in place). Nothing would catch a
        stale copy there, so a cached one is first checked against the version the store
        holds (one indexed query) and read afresh if another process has moved it on.
        """
        self._prepare_cache(aggregate_id, expected_version, read_only)
        aggregate = self._get(cls, aggregate_id, read_only)
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionMismatch(_kind(cls), aggregate_id, expected_version, aggregate.version)
        return aggregate

    def _prepare_cache(
        self, aggregate_id: UUID, expected_version: int | None, read_only: bool
    ) -> None:
        """Drop the cached copy a load must not be served from: any copy when an
        ``If-Match`` version is checked or the attempt runs on fresh state."""
        cache = self.repository.cache
        if cache is None:
            return
        if expected_version is not None or Attempt.fresh():
            evict(cache, aggregate_id)
        elif aggregate_id in cache.cache:
            self._serve_cached(cache, aggregate_id, read_only)

    def _serve_cached(self, cache: Any, aggregate_id: UUID, read_only: bool) -> None:
        """The cached copy serves the load (and the attempt notes it), unless a read-only
        look finds it behind the store: then it is dropped and read afresh."""
        if read_only and self._behind(cache, [aggregate_id]):
            evict(cache, aggregate_id)
        else:
            Attempt.served_from_cache(aggregate_id)

    def _get(self, cls: type[A], aggregate_id: UUID, read_only: bool) -> A:
        """The aggregate from the repository (the cached instance itself when read-only, a
        deep copy of it otherwise); ``NotFound`` when the id names no ``cls``."""
        with translated_errors():
            try:
                aggregate: Aggregate | None = self.repository.get(
                    aggregate_id, deepcopy_from_cache=not read_only
                )
            except AggregateNotFoundError:
                aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(_kind(cls), aggregate_id)
        return aggregate

    def load_many(self, cls: type[A], aggregate_ids: Iterable[UUID]) -> dict[UUID, A]:
        """Aggregates to look at only (as ``load(..., read_only=True)``), by id; an id
        naming no ``cls`` is absent. Those this process has cached come from the cache
        (marked as :meth:`load` marks them); the rest are read from the store in one
        query — not one per aggregate — and cached."""
        found, missing = self._cached_copies(list(dict.fromkeys(aggregate_ids)))
        found.update(self._read_many(cls, missing))
        return {k: v for k, v in found.items() if isinstance(v, cls)}

    def _cached_copies(self, wanted: list[UUID]) -> tuple[dict[UUID, Any], list[UUID]]:
        """The cached copies of ``wanted`` that are current, and the ids left to read."""
        cache = self.repository.cache
        if cache is None or Attempt.fresh():
            return {}, wanted
        self._evict_behind(cache, wanted)
        found: dict[UUID, Any] = {}
        missing: list[UUID] = []
        for aggregate_id in wanted:
            if aggregate_id in cache.cache:
                Attempt.served_from_cache(aggregate_id)
                with suppress(KeyError):
                    found[aggregate_id] = cache.get(aggregate_id)
                    continue
            missing.append(aggregate_id)
        return found, missing

    def _evict_behind(self, cache: Any, wanted: list[UUID]) -> None:
        """Cached copies among ``wanted`` that another process has moved on are dropped, to
        be read afresh (see ``load``)."""
        for aggregate_id in self._behind(cache, [i for i in wanted if i in cache.cache]):
            evict(cache, aggregate_id)

    def _read_many(self, cls: type[A], aggregate_ids: list[UUID]) -> dict[UUID, Any]:
        """``aggregate_ids`` read from the store, in one query when the recorder can (and no
        snapshots are kept), each cached; one by one otherwise."""
        select = getattr(self.recorder, "select_events_of", None)
        if select is None or self.repository.snapshot_store is not None:
            return self._load_each(cls, aggregate_ids)
        if not aggregate_ids:
            return {}
        with translated_errors():
            stored = select(aggregate_ids)
        return self._projected_and_cached(stored)

    def _load_each(self, cls: type[A], aggregate_ids: list[UUID]) -> dict[UUID, Any]:
        """``aggregate_ids`` loaded one by one (read-only), those naming no ``cls`` left out."""
        found: dict[UUID, Any] = {}
        for aggregate_id in aggregate_ids:
            with suppress(NotFound):
                found[aggregate_id] = self.load(cls, aggregate_id, read_only=True)
        return found

    def _projected_and_cached(self, stored: Iterable[Any]) -> dict[UUID, Any]:
        """The aggregates that ``stored`` events (grouped by aggregate) make, each cached."""
        cache = self.repository.cache
        found: dict[UUID, Any] = {}
        for aggregate_id, events in groupby(stored, key=attrgetter("originator_id")):
            aggregate = project_aggregate(None, map(self.mapper.to_domain_event, events))
            if aggregate is None:
                continue
            if cache is not None:
                cache.put(aggregate_id, aggregate)
            found[aggregate_id] = aggregate
        return found

    def _behind(self, cache: Any, aggregate_ids: list[UUID]) -> set[UUID]:
        """Those of ``aggregate_ids`` whose cached copy is older than the store's, in one
        query (or one per aggregate, with a recorder that cannot do it in one)."""
        if not aggregate_ids:
            return set()
        latest_versions = getattr(
            self.recorder, "latest_versions", partial(latest_versions_one_by_one, self.recorder)
        )
        with translated_errors():
            stored: dict[UUID, int] = latest_versions(aggregate_ids)
        behind = set()
        for aggregate_id in aggregate_ids:
            with suppress(KeyError):
                if stored.get(aggregate_id) != cache.get(aggregate_id).version:
                    behind.add(aggregate_id)
        return behind

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


def latest_versions_one_by_one(recorder: Any, aggregate_ids: Sequence[UUID]) -> dict[UUID, int]:
    """The version each aggregate has reached in the store (those with no events absent),
    one query each: for a recorder that cannot ask for them all at once."""
    return {
        i: found[-1].originator_version
        for i in aggregate_ids
        if (found := recorder.select_events(i, desc=True, limit=1))
    }
