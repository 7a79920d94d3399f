"""The event store's recorder retries a call once on a lost connection, never after a
bound ran out (trying again would only wait as long again)."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from psycopg_pool import PoolTimeout

from infrastructure import pgrecorder
from infrastructure.pgbounds import AnswerTimeout
from infrastructure.pgrecorder import timed_out


def _raised_while_handling(first: BaseException, then: BaseException) -> BaseException:
    try:
        try:
            raise first
        except BaseException:
            raise then  # noqa: B904 - as a rollback failing after the wait ran out does
    except BaseException as e:
        return e


def test_an_error_from_a_rollback_after_the_answer_timed_out_counts_as_timed_out() -> None:
    rollback = _raised_while_handling(
        AnswerTimeout("no answer in 3.5 s"), psycopg.OperationalError("the connection is lost")
    )
    library = OperationalError(str(rollback))
    library.__cause__ = rollback
    assert timed_out(library)


def test_no_connection_in_time_counts_as_timed_out() -> None:
    library = OperationalError("couldn't get a connection")
    library.__cause__ = PoolTimeout("couldn't get a connection after 2.00 sec")
    assert timed_out(library)


def test_a_connection_lost_with_its_server_is_worth_one_retry() -> None:
    library = OperationalError("server closed the connection unexpectedly")
    library.__cause__ = psycopg.OperationalError("server closed the connection unexpectedly")
    assert not timed_out(library)


def test_a_failure_that_was_slow_to_come_is_not_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []

    def commit_on_a_closed_connection() -> None:
        calls.append(1)
        clock[0] += pgrecorder.QUICK_FAILURE_SECONDS + 2  # the wait that ran out before it
        raise OperationalError("the connection is closed")

    clock = [0.0]
    monkeypatch.setattr(pgrecorder.time, "monotonic", lambda: clock[0])
    with pytest.raises(OperationalError):
        pgrecorder._bounded(commit_on_a_closed_connection)()
    assert len(calls) == 1


def test_a_quick_failure_is_tried_once_more(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def lost_then_fine() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "ok"

    monkeypatch.setattr(pgrecorder.time, "sleep", lambda _: None)
    assert pgrecorder._bounded(lost_then_fine)() == "ok"
    assert len(calls) == 2
