"""Repeated failed authentication from one address is answered with 429, so API keys cannot be guessed
at speed and a misconfigured client is told to stop rather than hammering the database.

Counted per replica, in memory, over a sliding window: a guesser spread over replicas gets a little more,
but still no more than a few dozen attempts a minute against 256-bit secrets. A correct key from an
address that is over the limit is refused too until the window has slid, or the limit would only slow
guessing down.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

MAX_FAILURES = 10
WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 10_000
"""Addresses remembered at most (the least recently failing forgotten first), bounding memory under a flood."""


class FailedAuthentications:
    def __init__(self, *, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None if it may now."""
        failures = self._recent(address)
        if len(failures) < self._max:
            return None
        return max(1, round(failures[0] + self._window - time.monotonic()))

    def failed(self, address: str) -> None:
        failures = self._recent(address)
        failures.append(time.monotonic())
        self._failures[address] = failures
        self._failures.move_to_end(address)
        while len(self._failures) > MAX_ADDRESSES:
            self._failures.popitem(last=False)

    def forgive(self, address: str) -> None:
        """Take back the latest failure counted for `address`: an attempt counted before its outcome was known
        (so that attempts sent at once cannot all pass the check) that turned out right."""
        failures = self._failures.get(address)
        if failures:
            failures.pop()

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.get(address, deque())
        while failures and failures[0] <= time.monotonic() - self._window:
            failures.popleft()
        return failures
