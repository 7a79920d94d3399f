"""The projection runner survives being stopped, crashing mid-batch and restarting under writes.

Exactly once and resumable: whatever point a runner stops at, each projection's committed
rows equal an in-memory replay up to the position it committed with them, and a new
runner carries on from there to exactly what a clean replay of the whole log builds.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from typing import Any

import pytest

from application.commands.activities import CompleteActivity, RecordHours, VerifyActivity
from application.readmodel.catalogue import all_projections
from application.readmodel.projections.ledger import LedgerProjection
from application.readmodel.store import RowStore
from application.readmodel.tables import AUDIT_EVENT, ENTRY
from domain.values import HoursSource, Interval
from infrastructure.bootstrap import Container
from infrastructure.runner import ProjectionRunner
from tests.integration.projection_support import (
    Workload,
    assert_each_projection_at_its_tracked_position,
    assert_equal_to_clean_replay,
)
from tests.support.builders import BUREAU, STAFF, activity, at, team, volunteer

# --------------------------------------------------------------------------- (a) stop and resume


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_a_runner_stopped_between_batches_is_resumed_exactly_by_a_new_one(
    container: Container, seed: int
) -> None:
    rng = random.Random(seed)
    ledger = container.ledger
    work = Workload(ledger, seed)
    stopped_at: list[int] = []
    for _ in range(4):
        work.run(work.recorded + rng.randint(15, 40))  # the log grows between runners
        runner = container.runner(batch_size=rng.randint(1, 9))
        for _ in range(rng.randint(0, 6)):
            runner.step()
        del runner  # stopped between two batches, never to run again
        positions = assert_each_projection_at_its_tracked_position(
            ledger, container.store, container.rulebook
        )
        stopped_at.append(min(positions.values()))

    container.runner(batch_size=rng.randint(1, 50)).catch_up()

    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)
    assert stopped_at == sorted(stopped_at), "a new runner went back instead of resuming"
    assert 0 < stopped_at[-1] < ledger.current_position(), "the seed never stopped mid-log"


# --------------------------------------------------------------------------- (b) crash mid-batch


class ExplodingLedger(LedgerProjection):
    """The ledger projection, crashing (like a lost connection) at one chosen position."""

    name = "ledger"

    def __init__(self, rulebook: Any, explode_at: int | None) -> None:
        super().__init__(rulebook)
        self.explode_at = explode_at

    def apply(self, store: RowStore, event: Any, position: int) -> None:
        if position == self.explode_at:
            raise RuntimeError(f"simulated crash at position {position}")
        super().apply(store, event, position)


def _history_with_consecutive_awards(container: Container) -> int:
    """Some history, then one verification awarding three people (three events in a row).

    Returns the position of the last of those awards; more history follows it.
    """
    ledger = container.ledger
    Workload(ledger, seed=5).run(40)
    tid = team(ledger)
    people = [volunteer(ledger) for _ in range(3)]
    day = date(2022, 5, 11)
    aid = activity(ledger, tid, day=day)
    for n, vid in enumerate(people):
        ledger.record_hours(
            RecordHours(
                activity_id=aid,
                volunteer_id=vid,
                interval=Interval(at(day, 9 + n), at(day, 11 + n, 20)),
                source=HoursSource.CHECKIN,
            ),
            actor=STAFF,
        )
    ledger.complete_activity(CompleteActivity(activity_id=aid), actor=STAFF)
    verified = ledger.verify_activity(VerifyActivity(activity_id=aid), actor=BUREAU)
    assert len(verified.awards) == 3
    Workload(ledger, seed=6).run(25)
    return verified.position


def _batch_size_splitting_nothing(last_award: int) -> int:
    """A batch size that puts the award before ``last_award`` in the same batch, not first."""
    for size in range(4, 12):
        if (last_award - 1) % size and last_award % size:
            return size
    raise AssertionError("no suitable batch size")


def _crashing_runner(
    container: Container, explode_at: int, batch_size: int
) -> tuple[ProjectionRunner, ExplodingLedger]:
    exploding = ExplodingLedger(container.rulebook, explode_at)
    projections = [
        exploding if p.name == "ledger" else p for p in all_projections(container.rulebook)
    ]
    runner = ProjectionRunner(container.ledger, container.store, projections, batch_size=batch_size)
    return runner, exploding


def _assert_crash_left_nothing_half_written(
    container: Container, explode_at: int, batch_size: int
) -> None:
    batch_start = (explode_at - 1) // batch_size * batch_size + 1
    ledger_state = container.store.tracking()["ledger"]
    assert ledger_state["position"] == batch_start - 1, (
        "the ledger projection must stay at the end of the last batch before the failing one"
    )
    assert ledger_state["error"] is None, "a crash is not a projection error"
    # The award just before the crash was applied inside the failed transaction: it must be gone.
    assert not container.store.select(ENTRY, after=("position", batch_start - 1))
    assert_each_projection_at_its_tracked_position(
        container.ledger, container.store, container.rulebook
    )


def test_a_crash_mid_batch_rolls_back_and_a_new_runner_recovers(container: Container) -> None:
    explode_at = _history_with_consecutive_awards(container)
    size = _batch_size_splitting_nothing(explode_at)
    runner, _ = _crashing_runner(container, explode_at, size)

    with pytest.raises(RuntimeError, match=f"simulated crash at position {explode_at}"):
        runner.catch_up()
    _assert_crash_left_nothing_half_written(container, explode_at, size)
    with pytest.raises(RuntimeError):  # the same fault again: still nothing moves
        runner.catch_up()
    _assert_crash_left_nothing_half_written(container, explode_at, size)

    container.runner(batch_size=size).catch_up()

    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)


def test_after_a_crash_the_same_runner_carries_on_correctly_once_the_fault_is_gone(
    container: Container,
) -> None:
    """The failed batch had already moved the in-memory mirrors: they must be rolled back too."""
    explode_at = _history_with_consecutive_awards(container)
    size = _batch_size_splitting_nothing(explode_at)
    runner, exploding = _crashing_runner(container, explode_at, size)
    with pytest.raises(RuntimeError):
        runner.catch_up()

    exploding.explode_at = None
    runner.catch_up()

    assert_equal_to_clean_replay(container.ledger, container.store, container.rulebook)


# --------------------------------------------------------------------------- (c) restarts under writes


def test_runners_restarted_while_commands_are_written_leave_no_gaps(container: Container) -> None:
    ledger = container.ledger
    work = Workload(ledger, seed=99)
    work.run(10)
    total = 200
    failures: list[BaseException] = []
    finished = threading.Event()

    def write() -> None:
        try:
            while work.recorded < total:
                work.step()
                time.sleep(0.002)  # a steady stream rather than one burst
        except BaseException as e:
            failures.append(e)
        finally:
            finished.set()

    def applied() -> int:
        return min(t["position"] for t in container.store.tracking().values())

    writer = threading.Thread(target=write, name="writer")
    writer.start()
    runs: list[int] = [0]
    writing: list[bool] = []
    try:
        for until in (total // 4, total // 2, total):
            runner = container.runner(batch_size=7, poll_interval=0.05)
            stop = threading.Event()
            thread = threading.Thread(target=runner.run, args=(stop,), name="runner")
            thread.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (
                (work.recorded >= until or finished.is_set()) and applied() > runs[-1]
            ):
                time.sleep(0.005)
            stop.set()
            thread.join(timeout=10)
            assert not thread.is_alive(), "the runner did not stop"
            runs.append(applied())
            writing.append(not finished.is_set())
    finally:
        writer.join(timeout=60)
    assert not failures, failures
    assert work.recorded >= total

    container.runner(batch_size=11).catch_up()

    head = ledger.current_position()
    positions = {row["position"] for row in container.store.select(AUDIT_EVENT)}
    logged = {n.id for n in ledger.recorder.select_notifications(start=1, limit=head + 100)}
    assert positions == logged, (
        f"missing from the audit trail: {sorted(logged - positions)[:10]}, "
        f"not in the log: {sorted(positions - logged)[:10]}"
    )
    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)
    assert writing[:2] == [True, True], "the restarts did not happen while commands were written"
    assert runs == sorted(set(runs)), f"each runner must take over and make progress: {runs}"


def test_two_runners_at_once_never_apply_an_event_twice(container: Container) -> None:
    """A second runner started by mistake (or a deploy overlap): the tracking check keeps it exact."""
    ledger = container.ledger
    work = Workload(ledger, seed=42)
    work.run(10)
    stop = threading.Event()
    runners = [
        threading.Thread(
            target=container.runner(batch_size=size, poll_interval=0.02).run,
            args=(stop,),
            name=f"runner-{size}",
        )
        for size in (3, 7)
    ]
    for thread in runners:
        thread.start()
    try:
        work.run(150)
        container.wait_for(ledger.current_position(), timeout=30)
    finally:
        stop.set()
        for thread in runners:
            thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in runners)

    assert_equal_to_clean_replay(ledger, container.store, container.rulebook)
