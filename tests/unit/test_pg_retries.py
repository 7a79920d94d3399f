"""The event store's recorder retries a call once on a lost connection, never after a
bound ran out (trying again would only wait as long again)."""

from __future__ import annotations

import psycopg
from eventsourcing.persistence import OperationalError
from psycopg_pool import PoolTimeout

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
