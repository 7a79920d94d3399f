"""Failed authentications counted in a sliding window, per address and per user."""

from __future__ import annotations

from interfaces.http.throttle import FailureThrottle, address_key, user_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_past_the_limit_waits_until_its_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    throttle = FailureThrottle(limit=3, window=60, clock=clock)
    here = address_key("10.0.0.7")
    for step in range(3):
        assert throttle.retry_after(here) is None
        throttle.failed(here)
        clock.now += 10 * (step < 2)
    assert throttle.retry_after(here) == 40  # the first failure, at 1000, leaves at 1060
    assert throttle.retry_after(address_key("10.0.0.8")) is None  # others are not affected
    clock.now = 1060.0
    assert throttle.retry_after(here) is None


def test_a_sign_in_counts_against_its_user_from_any_address() -> None:
    clock = Clock()
    throttle = FailureThrottle(limit=2, window=60, clock=clock)
    for n in range(2):
        throttle.failed(address_key(f"10.0.1.{n}"), user_key("admin"))
    assert throttle.retry_after(address_key("10.0.1.9"), user_key("admin")) == 60
    assert throttle.retry_after(address_key("10.0.1.9"), user_key("staff")) is None
