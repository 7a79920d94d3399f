"""Checkpoints of the read models: a read at a cut that starts from the latest checkpoint
at or below it and replays only the events after it holds exactly what a replay from
position 0 holds — every table of every read model, for random cuts, on SQLite and
PostgreSQL — and a checkpoint that no longer describes the read models is not used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from application.readmodel.catalogue import all_projections
from application.readmodel.queries.readmodels import ReadModels
from application.readmodel.replay import replay
from application.readmodel.store import MemoryStore
from application.readmodel.tables import ACCOUNT
from demo import generate_year
from infrastructure.asof import Busy
from infrastructure.bootstrap import Container
from infrastructure.checkpoints import Checkpoints, replay_from_checkpoint
from infrastructure.rebuild import rebuild
from interfaces.cli.main import app as cli
from tests.integration.projection_support import Workload

EVERY = 41  # several checkpoints in a small year, at positions no batch boundary meets


@pytest.fixture
def year(container: Container) -> Iterator[Container]:
    """A small demo year with corrections, reversals and redemptions, caught up."""
    generate_year(container.ledger, year=2022, seed=11, townships=2, volunteers=8, activities=6)
    Workload(container.ledger, seed=13).run(60)
    container.catch_up()
    yield container


def _tables(container: Container) -> list:  # type: ignore[type-arg]
    return [t for p in all_projections(container.rulebook) for t in p.tables]


def _full(container: Container, cut: int) -> MemoryStore:
    memory, _ = replay(container.ledger, all_projections(container.rulebook), upto=cut)
    return memory


def test_a_read_from_a_checkpoint_equals_a_replay_from_zero(year: Container) -> None:
    checkpoints = year.as_of.checkpoints
    taken = checkpoints.take(year.ledger, every=EVERY)
    head = year.ledger.current_position()
    assert [t.position for t in taken] == list(range(EVERY, head + 1, EVERY))
    assert len(taken) >= 5 and all(t.rows > 0 for t in taken[1:])
    tables = _tables(year)

    @given(cut=st.integers(min_value=0, max_value=head))
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(cut: int) -> None:
        memory, start = replay_from_checkpoint(year.ledger, checkpoints, cut)
        assert start == cut // EVERY * EVERY  # from the checkpoint, not from position 0
        assert memory.snapshot(tables) == _full(year, cut).snapshot(tables), cut

    check()
    # At a checkpoint's own position nothing is replayed, and a query reads the same.
    cut = taken[-2].position
    memory, start = replay_from_checkpoint(year.ledger, checkpoints, cut)
    assert start == cut
    fresh = ReadModels(_full(year, cut), year.rulebook)
    resumed = ReadModels(memory, year.rulebook)
    for unit in ("station", "team"):
        assert resumed.rankings(unit, "2022") == fresh.rankings(unit, "2022") != []
    for row in year.store.select(ACCOUNT):
        assert resumed.ledger(row["volunteer_id"]) == fresh.ledger(row["volunteer_id"])
    assert resumed.team_eligibility(2022) == fresh.team_eligibility(2022)
    assert resumed.insurance_gaps(year=2022) == fresh.insurance_gaps(year=2022)


def test_the_api_time_travel_path_starts_from_a_checkpoint(year: Container) -> None:
    head = year.ledger.current_position()
    year.as_of.checkpoints.take(year.ledger, every=EVERY)
    cut = head - 3
    assert year.as_of.checkpoints.latest(cut) == cut // EVERY * EVERY > 0
    via_api = year.as_of.read_models_at(cut)
    fresh = ReadModels(_full(year, cut), year.rulebook)
    for unit in ("station", "team"):
        assert via_api.rankings(unit, "2022") == fresh.rankings(unit, "2022")
    assert via_api.volunteer_eligibility(year=2022, limit=1000) == fresh.volunteer_eligibility(
        year=2022, limit=1000
    )
    assert via_api.audit_events(limit=1000) == fresh.audit_events(limit=1000)


def test_a_time_travel_read_builds_only_the_read_models_it_asks(year: Container) -> None:
    year.as_of.checkpoints.take(year.ledger, every=EVERY)
    cut = year.ledger.current_position() - 2
    memory, start = replay_from_checkpoint(year.ledger, year.as_of.checkpoints, cut)
    assert start > 0 and memory.built == frozenset()
    ranked = ReadModels(memory, year.rulebook).rankings("team", "2022")
    assert memory.built == {"ranking"}
    assert ranked == ReadModels(_full(year, cut), year.rulebook).rankings("team", "2022")


def test_a_full_replay_gate_refuses_a_build_at_once(year: Container) -> None:
    year.as_of.checkpoints.take(year.ledger, every=EVERY)
    cut = year.ledger.current_position() - 1
    reads = year.as_of.read_models_at(cut)  # found the checkpoint; builds nothing yet
    slots = [year.as_of.gate.held() for _ in range(year.settings.max_replays)]
    for slot in slots:
        slot.__enter__()
    try:
        with pytest.raises(Busy):
            reads.rankings("team", "2022")
    finally:
        for slot in slots:
            slot.__exit__(None, None, None)
    # Refused, not half-built: the same read answers in full once a slot is free.
    fresh = ReadModels(_full(year, cut), year.rulebook)
    assert reads.rankings("team", "2022") == fresh.rankings("team", "2022") != []


def test_checkpoints_resume_and_grow_with_the_log(year: Container) -> None:
    checkpoints = year.as_of.checkpoints
    first = checkpoints.take(year.ledger, every=EVERY)
    assert checkpoints.take(year.ledger, every=EVERY) == []  # nothing new is due
    Workload(year.ledger, seed=17).run(80)
    year.catch_up()
    more = checkpoints.take(year.ledger, every=EVERY)
    assert more and more[0].position == first[-1].position + EVERY
    assert more[0].replayed <= EVERY  # resumed from the last one, not from position 0
    cut = more[-1].position
    memory, _ = replay_from_checkpoint(year.ledger, checkpoints, cut)
    assert memory.snapshot(_tables(year)) == _full(year, cut).snapshot(_tables(year))


def test_a_checkpoint_waits_for_the_live_audit_trail(year: Container) -> None:
    """The audit trail is not copied into checkpoints: one is never taken beyond the live
    trail, and one the live trail no longer covers is not used."""
    Workload(year.ledger, seed=19).run(30)  # recorded, not yet projected
    reached = year.store.tracking()["audit"]["position"]
    assert year.ledger.current_position() > reached
    taken = year.as_of.checkpoints.take(year.ledger, every=EVERY)
    assert taken[-1].position <= reached
    cut = taken[-1].position
    with year.store.transaction() as tx:
        tx.execute("UPDATE rm_tracking SET position = 0 WHERE projection = 'audit'")
    assert year.as_of.checkpoints.latest(cut) == 0
    memory, start = replay_from_checkpoint(year.ledger, year.as_of.checkpoints, cut)
    assert start == 0
    assert memory.snapshot(_tables(year)) == _full(year, cut).snapshot(_tables(year))


def test_a_checkpoint_of_other_read_models_is_not_used(year: Container) -> None:
    year.as_of.checkpoints.take(year.ledger, every=EVERY)
    head = year.ledger.current_position()
    fewer = Checkpoints(year.store, all_projections(year.rulebook)[:-1], year.rulebook)
    assert fewer.shape != year.as_of.checkpoints.shape
    assert fewer.latest(head) == 0  # made with another catalogue: a read model was added
    assert year.as_of.checkpoints.latest(head) > 0
    # A rebuild means a projection's code changed: every checkpoint is dropped.
    ranking = next(p for p in all_projections(year.rulebook) if p.name == "ranking")
    rebuild(year.ledger, year.store, ranking)
    assert year.as_of.checkpoints.latest(head) == 0


def test_the_snapshot_command_takes_the_due_checkpoints(year: Container) -> None:
    url = year.settings.database_url
    args = ["projections", "snapshot", "--every", str(EVERY), "--database-url", url]
    env = {"VL_POSTGRES_SCHEMA": year.settings.postgres_schema or ""}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    head = year.ledger.current_position()
    assert year.as_of.checkpoints.positions() == list(range(EVERY, head + 1, EVERY))
    assert f"{head // EVERY * EVERY:,}" in result.output
