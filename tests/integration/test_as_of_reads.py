"""Time travel without replaying the whole log, and bounded: a volunteer's ledger at a cut
built from that volunteer's events equals the one a replay from position 0 gives; a cached
replay equals a fresh one and stays so as the log grows; a full gate refuses at once."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import replay
from application.readmodel.tables import ACCOUNT
from demo import generate_year
from infrastructure.asof import Busy
from infrastructure.bootstrap import Container
from tests.integration.projection_support import Workload


@pytest.fixture
def year(container: Container) -> Iterator[Container]:
    """A small demo year with corrections, reversals and redemptions, caught up."""
    generate_year(container.ledger, year=2022, seed=11, townships=2, volunteers=8, activities=6)
    Workload(container.ledger, seed=13).run(60)
    container.catch_up()
    yield container


def _replayed(container: Container, cut: int) -> ReadModels:
    memory, _ = replay(container.ledger, all_projections(container.rulebook), upto=cut)
    return ReadModels(memory, container.rulebook)


def _volunteers(container: Container) -> list[UUID]:
    return [UUID(r["volunteer_id"]) for r in container.store.select(ACCOUNT)]


def test_a_ledger_from_the_volunteers_events_equals_a_replay_from_zero(year: Container) -> None:
    head = year.ledger.current_position()
    volunteers = _volunteers(year)
    assert len(volunteers) >= 8

    @given(cut=st.integers(min_value=0, max_value=head))
    @settings(
        max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(cut: int) -> None:
        replayed = _replayed(year, cut)
        for v in volunteers:
            assert year.as_of.ledger_at(year.store, v, cut) == replayed.ledger(str(v)), (v, cut)

    check()
    # At the head it is the live ledger, entries and all.
    live = year.read_models()
    at_head = {v: year.as_of.ledger_at(year.store, v, head) for v in volunteers}
    assert sum(len(found["entries"]) for found in at_head.values() if found) > 20
    assert at_head == {v: live.ledger(str(v)) for v in volunteers}


def test_a_cached_replay_equals_a_fresh_one_after_the_log_has_grown(year: Container) -> None:
    cut = year.ledger.current_position() - 5
    first = year.as_of.read_models_at(cut)
    Workload(year.ledger, seed=17).run(20)  # the log grows past the cut
    again = year.as_of.read_models_at(cut)
    assert again is first  # kept: the log below the cut cannot change
    fresh = _replayed(year, cut)
    for unit in ("station", "team"):
        assert again.rankings(unit, "2022") == fresh.rankings(unit, "2022")
    for v in _volunteers(year):
        assert again.ledger(str(v)) == fresh.ledger(str(v))
    assert again.volunteers(limit=1000) == fresh.volunteers(limit=1000)


def test_a_full_replay_gate_refuses_at_once(year: Container) -> None:
    cut = year.ledger.current_position()
    v = _volunteers(year)[0]
    slots = [year.as_of.gate.held() for _ in range(year.settings.max_replays)]
    for slot in slots:
        slot.__enter__()
    try:
        with pytest.raises(Busy):
            year.as_of.read_models_at(cut)
        with pytest.raises(Busy):
            year.as_of.ledger_at(year.store, v, cut)
    finally:
        for slot in slots:
            slot.__exit__(None, None, None)
    assert year.as_of.ledger_at(year.store, v, cut) is not None
