"""Catch-up shared out over worker processes, and a runner that skips what all its
projections ignore, build exactly what one runner over every projection builds."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from application.readmodel.base import EventHeader, Projection, handles
from application.readmodel.catalogue import all_projections
from application.readmodel.events import PREFIX, event_types
from application.readmodel.tables import RANK_AWARD
from domain.volunteer import Volunteer
from infrastructure.bootstrap import Container
from infrastructure.logreader import SKIPPED
from infrastructure.parallel_catch_up import share_out
from infrastructure.rulebook_loader import load_rulebook
from infrastructure.runner import ProjectionRunner
from tests.integration.projection_support import Workload, assert_equal_to_clean_replay


def test_catch_up_in_worker_processes_equals_a_clean_replay(container: Container) -> None:
    """On PostgreSQL two processes share the projections; SQLite runs them here."""
    Workload(container.ledger, seed=11).run(150)
    head = container.ledger.current_position()
    assert container.catch_up(batch_size=50, workers=2) == head
    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)
    # More history, and again: each projection resumes from its own position.
    Workload(container.ledger, seed=12).run(60)
    container.catch_up(batch_size=50, workers=3)
    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)


def test_catch_up_in_big_batches_equals_a_clean_replay(container: Container) -> None:
    """Batches big enough that rows go in by COPY (on PostgreSQL), where a created-once row
    is inserted without an upsert: sign-ups withdrawn and made again, within a batch and
    across batches, hours, corrections and reversals."""
    workload = Workload(container.ledger, seed=21)
    workload.run(700)
    container.catch_up(batch_size=5000, workers=2)
    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)
    workload.run(1100)
    container.catch_up(batch_size=5000, workers=2)
    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)
    withdrew = container.store.execute(
        "SELECT count(*) FROM au_event WHERE event_type = 'VolunteerWithdrew'"
    )[0][0]
    assert withdrew >= 10, withdrew
    assert workload.signed_up_again >= 5, workload.signed_up_again


def test_every_projection_lands_in_exactly_one_group() -> None:
    projections = all_projections(load_rulebook())
    names = [p.name for p in projections]
    for workers in (1, 2, 3, 6, 10):
        groups = share_out(projections, workers)
        assert len(groups) <= workers
        assert sorted(n for g in groups for n in g) == sorted(names)


def _first_batch(runner: ProjectionRunner) -> list[tuple[int, Any]]:
    """The runner's first batch of the log, as its projections are given it."""
    return runner.reader.decode(runner.reader.fetch(0))


def test_a_runner_skips_decoding_only_what_all_its_projections_ignore(
    container: Container,
) -> None:
    Workload(container.ledger, seed=13).run(120)
    runner = container.runner(batch_size=40, only=frozenset({"ledger", "eligibility"}))
    assert "volunteer-ledger:ServiceActivity.VolunteerSignedUp" in runner.skipped
    assert "volunteer-ledger:Volunteer.PointsAwarded" not in runner.skipped
    read = _first_batch(runner)
    assert any(event is SKIPPED for _, event in read)
    runner.catch_up()
    # With the audit trail, which reads only every event's header: the events the others
    # skip come as headers, not decoded.
    with_audit = container.runner(
        batch_size=40, only=frozenset({"ledger", "eligibility", "ranking", "audit"})
    )
    assert "volunteer-ledger:ServiceActivity.VolunteerSignedUp" in with_audit.skipped
    read = _first_batch(with_audit)
    headers = {e.topic for _, e in read if type(e) is EventHeader}
    decoded = {type(e).TOPIC for _, e in read if type(e) is not EventHeader}
    assert "volunteer-ledger:ServiceActivity.VolunteerSignedUp" in headers
    assert "volunteer-ledger:Volunteer.Registered" in decoded
    assert not headers & decoded
    assert not any(event is SKIPPED for _, event in read)
    with_audit.catch_up()
    # The rest, by a runner of every projection: only what none but the audit trail reads
    # (seals, for one) goes undecoded.
    everything = container.runner(batch_size=40)
    assert "volunteer-ledger:ChainSeal.Sealed" in everything.skipped
    assert "volunteer-ledger:Volunteer.PointsAwarded" not in everything.skipped
    everything.catch_up()
    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)


def test_each_projection_caught_up_alone_equals_a_clean_replay(container: Container) -> None:
    """Alone, a projection's runner converts only what that projection reads of each event
    (and skips what it ignores): whatever it reads, it builds what every projection does."""
    Workload(container.ledger, seed=14).run(250)
    names = [p.name for p in all_projections(container.rulebook)]
    for name in names:
        runner = container.runner(batch_size=60, only=frozenset({name}))
        runner.catch_up()
    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)


def _events_of(runner: ProjectionRunner, topic: str) -> list[Any]:
    return [e for _, e in _first_batch(runner) if getattr(type(e), "TOPIC", None) == topic]


def test_a_runner_converts_an_events_fields_only_as_its_projections_read_them(
    container: Container,
) -> None:
    """Nothing is converted before it is read; what is read of one event is converted up
    front in the next ones of its class (a projection reads the same fields each time)."""
    Workload(container.ledger, seed=15).run(120)
    runner = container.runner(batch_size=500, only=frozenset({"ranking", "insurance"}))
    awarded = PREFIX + "Volunteer.PointsAwarded"
    events = _events_of(runner, awarded)
    assert events and all(isinstance(e, Volunteer.PointsAwarded) for e in events)
    award = events[0]
    assert set(vars(award)) == {"originator_id", "originator_version"}
    hours = award.hours
    assert type(hours) is Decimal and hours > 0
    assert award.hours is hours  # converted once, then kept
    assert set(vars(award)) == {"originator_id", "originator_version", "hours"}
    again = _events_of(runner, awarded)
    assert all(set(vars(e)) == {"originator_id", "originator_version", "hours"} for e in again)
    assert [e.hours for e in again] == [e.hours for e in events]


class _ReadsAFieldTheEventLacks(Projection):
    name = "reads_a_typo"
    tables = (RANK_AWARD,)
    ignored = event_types() - {Volunteer.PointsAwarded}

    @handles
    def _awarded(self, store: object, e: Volunteer.PointsAwarded, position: int) -> None:
        _ = e.figurs  # type: ignore[attr-defined]


def test_a_handler_reading_a_field_the_event_lacks_stops_the_runner_naming_it(
    container: Container,
) -> None:
    """As reading it from the library's event would: never a default, never skipped."""
    Workload(container.ledger, seed=16).run(60)
    runner = ProjectionRunner(
        container.ledger, container.store, [_ReadsAFieldTheEventLacks(container.rulebook)]
    )
    with pytest.raises(
        AttributeError, match=re.escape("'PointsAwarded' object has no attribute 'figurs'")
    ):
        runner.catch_up()
    assert (
        container.store.tracking()["reads_a_typo"]["position"] < container.ledger.current_position()
    )


def test_a_handled_event_no_aggregate_records_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match=re.escape("has no attribute 'PointAwarded'")):

        class _Misspelt(Projection):
            name = "misspelt"
            tables = (RANK_AWARD,)

            @handles
            def _awarded(self, store: object, e: Volunteer.PointAwarded, position: int) -> None: ...
