"""Console sign-in on both stores: Argon2id passwords, sessions, idle expiry and lock-out."""

from __future__ import annotations

import pytest

from infrastructure.accounts import USER_FAILURES, WINDOW_SECONDS, Accounts
from infrastructure.bootstrap import Container
from infrastructure.users import UserError, UserStore

PASSWORD = "correct-horse-battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(container: Container, clock: Clock) -> Accounts:
    UserStore(container.store).add("clerk", "station_staff", "巴彦镇")
    found = Accounts(container.store, idle_seconds=600, clock=clock)
    found.set_password("clerk", PASSWORD)
    return found


def test_password_is_stored_only_as_an_argon2id_hash(
    accounts: Accounts, container: Container
) -> None:
    (stored,) = container.store.execute("SELECT password_hash FROM vl_password")[0]
    assert str(stored).startswith("$argon2id$")
    assert PASSWORD not in str(stored)


def test_the_right_password_opens_a_session_of_that_user(accounts: Accounts) -> None:
    signed = accounts.sign_in("clerk", PASSWORD, "10.0.0.1")
    assert signed.session is not None
    found = accounts.session(signed.session.token)
    assert found is not None
    assert (found.user.name, found.user.role, found.user.scope) == (
        "clerk",
        "station_staff",
        "巴彦镇",
    )
    assert found.csrf == signed.session.csrf


def test_a_wrong_password_opens_nothing(accounts: Accounts) -> None:
    signed = accounts.sign_in("clerk", "not-the-password", "10.0.0.1")
    assert signed.session is None
    assert signed.locked_until is None  # one failure does not lock


def test_repeated_failures_lock_the_name_even_for_the_right_password_until_the_window_passes(
    accounts: Accounts, clock: Clock
) -> None:
    for _ in range(USER_FAILURES):
        clock.now += 1
        last = accounts.sign_in("clerk", "wrong-password!", "10.0.0.1")
    assert last.locked_until is not None
    refused = accounts.sign_in("clerk", PASSWORD, "10.0.0.2")  # another address: still locked
    assert refused.session is None
    assert refused.locked_until == last.locked_until
    clock.now = last.locked_until + 1
    assert accounts.sign_in("clerk", PASSWORD, "10.0.0.2").ok


def test_failures_from_one_address_lock_that_address_for_every_name(
    accounts: Accounts, clock: Clock, container: Container
) -> None:
    UserStore(container.store).add("other", "auditor")
    accounts.set_password("other", PASSWORD)
    for i in range(20):
        clock.now += 1
        accounts.sign_in(f"guess-{i % 4}", "wrong-password!", "10.9.9.9")
    locked = accounts.sign_in("other", PASSWORD, "10.9.9.9")
    assert locked.session is None and locked.locked_until is not None
    assert accounts.sign_in("other", PASSWORD, "10.0.0.1").ok


def test_a_session_unused_for_the_idle_time_is_gone(accounts: Accounts, clock: Clock) -> None:
    signed = accounts.sign_in("clerk", PASSWORD, "10.0.0.1")
    assert signed.session is not None
    clock.now += 590
    assert accounts.session(signed.session.token) is not None  # used: idle time starts again
    clock.now += 590
    assert accounts.session(signed.session.token) is not None
    clock.now += 601
    assert accounts.session(signed.session.token) is None


def test_signing_out_ends_the_session(accounts: Accounts) -> None:
    signed = accounts.sign_in("clerk", PASSWORD, "10.0.0.1")
    assert signed.session is not None
    accounts.sign_out(signed.session.token)
    assert accounts.session(signed.session.token) is None


def test_a_new_password_ends_open_sessions_and_the_old_one_stops_working(
    accounts: Accounts,
) -> None:
    signed = accounts.sign_in("clerk", PASSWORD, "10.0.0.1")
    assert signed.session is not None
    accounts.set_password("clerk", "another-long-password")
    assert accounts.session(signed.session.token) is None
    assert not accounts.sign_in("clerk", PASSWORD, "10.0.0.1").ok
    assert accounts.sign_in("clerk", "another-long-password", "10.0.0.1").ok


def test_revoking_the_user_ends_its_sessions(accounts: Accounts, container: Container) -> None:
    signed = accounts.sign_in("clerk", PASSWORD, "10.0.0.1")
    assert signed.session is not None
    UserStore(container.store).revoke("clerk")
    assert accounts.session(signed.session.token) is None
    assert not accounts.sign_in("clerk", PASSWORD, "10.0.0.1").ok


def test_a_short_password_or_an_unknown_user_is_refused(accounts: Accounts) -> None:
    with pytest.raises(UserError, match="at least 10"):
        accounts.set_password("clerk", "short")
    with pytest.raises(UserError, match="no user"):
        accounts.set_password("nobody", PASSWORD)


def test_failures_older_than_the_window_do_not_count(accounts: Accounts, clock: Clock) -> None:
    for _ in range(USER_FAILURES - 1):
        accounts.sign_in("clerk", "wrong-password!", "10.0.0.1")
    clock.now += WINDOW_SECONDS + 1
    assert accounts.sign_in("clerk", "wrong-password!", "10.0.0.1").locked_until is None
