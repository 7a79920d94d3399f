"""Recording times never go back in log order, so a past cut by time (``known_at``) never
changes, even when a second API process's clock is two hours behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import eventsourcing.domain
import pytest

from application.readmodel.replay import position_known_at, read_events
from infrastructure.bootstrap import Container, bootstrap
from infrastructure.settings import Settings
from tests.support.builders import team


@contextmanager
def clock_behind(monkeypatch: pytest.MonkeyPatch, hours: int) -> Iterator[None]:
    """This process's clock, as the library reads it to time events, set ``hours`` back:
    a second API process on a host whose clock is wrong."""
    real = eventsourcing.domain.datetime_now_with_tzinfo
    with monkeypatch.context() as patch:
        patch.setattr(
            eventsourcing.domain,
            "datetime_now_with_tzinfo",
            lambda: real() - timedelta(hours=hours),
        )
        yield


@pytest.fixture
def two_processes(store: Settings) -> Iterator[tuple[Container, Container]]:
    """Two application instances on one store, as two API processes are."""
    first, second = bootstrap(store), bootstrap(store)
    try:
        yield first, second
    finally:
        second.close()
        first.close()


def test_a_process_whose_clock_is_behind_cannot_change_a_past_cut(
    two_processes: tuple[Container, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    honest, behind = two_processes
    team(honest.ledger)
    cut = datetime.now(UTC)  # after that event was recorded
    before = position_known_at(honest.ledger, cut)
    assert before == honest.ledger.current_position()

    with clock_behind(monkeypatch, hours=2):
        team(behind.ledger)

    assert position_known_at(honest.ledger, cut) == before
    honest.catch_up()
    assert honest.read_models().position_known_at(cut.isoformat()) == before


def test_recording_times_never_go_back_in_log_order(
    two_processes: tuple[Container, Container], monkeypatch: pytest.MonkeyPatch
) -> None:
    honest, behind = two_processes
    for n in range(6):
        if n % 2:
            with clock_behind(monkeypatch, hours=2):
                team(behind.ledger)
        else:
            team(honest.ledger)

    times = [e.timestamp for batch in read_events(honest.ledger) for _, e in batch]
    assert len(times) == 8  # six teams, and the station each process's builder registered
    assert times == sorted(times)
