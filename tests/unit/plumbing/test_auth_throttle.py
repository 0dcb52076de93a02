"""The failed-authentication limiter on plain values: the limit, and an attempt counted ahead of its outcome taken
back when it turned out right (so that attempts sent at once cannot all pass the check)."""

from __future__ import annotations

from platform_plumbing.auth_throttle import FailedAuthentications


def test_the_limit_then_a_wait():
    limiter = FailedAuthentications(max_failures=3, window_seconds=60)
    for _ in range(3):
        assert limiter.retry_after("a") is None
        limiter.failed("a")
    assert limiter.retry_after("a") is not None and limiter.retry_after("b") is None


def test_an_attempt_that_was_right_is_taken_back():
    limiter = FailedAuthentications(max_failures=2, window_seconds=60)
    for _ in range(5):
        limiter.failed("a")  # counted before the outcome …
        limiter.forgive("a")  # … and it was right
    assert limiter.retry_after("a") is None
    limiter.forgive("nobody")  # nothing to take back: nothing happens
