"""Loading aggregates: one, or many at once, from this process's cache when it holds a
current copy, else from the store (saving them is in :mod:`application.base`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from functools import partial
from itertools import groupby
from operator import attrgetter
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.domain import Aggregate

from application.attempts import Attempt, evict, translated_errors
from application.errors import NotFound, VersionMismatch

A = TypeVar("A", bound=Aggregate)

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


class AggregateLoading(Application[UUID]):
    """Load an aggregate to change or to look at; many at once to look at."""

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


def latest_versions_one_by_one(recorder: Any, aggregate_ids: Sequence[UUID]) -> dict[UUID, int]:
    """The version each aggregate has reached in the store (those with no events absent),
    one query each: for a recorder that cannot ask for them all at once."""
    return {
        i: found[-1].originator_version
        for i in aggregate_ids
        if (found := recorder.select_events(i, desc=True, limit=1))
    }
