"""Time and ids, injected, so that deadlines, breaches and event ids are testable without sleeping."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


IdFactory = Callable[[], uuid.UUID]
new_id: IdFactory = uuid.uuid4


class AcceleratedClock:
    """Simulated time running `speed` times faster than real time from `epoch` (for the demo, so that 16-week
    deadlines pass within minutes) — and, once `fast_forward_after` of simulated time has passed, `fast_speed`
    times faster (so that the 24 months after a month of decisions pass in a minute, once every case has
    concluded). Every service given the same settings agrees, to the instant."""

    def __init__(
        self,
        epoch: datetime,
        speed: float,
        fast_forward_after: timedelta | None = None,
        fast_speed: float | None = None,
    ) -> None:
        self.epoch = epoch
        self.speed = speed
        self.fast_forward_after = fast_forward_after
        self.fast_speed = fast_speed or speed

    def now(self) -> datetime:
        return self.at(datetime.now(UTC) - self.epoch)

    def at(self, real: timedelta) -> datetime:
        """Simulated time `real` after the epoch."""
        if self.fast_forward_after is None:
            return self.epoch + real * self.speed
        switch = self.fast_forward_after / self.speed
        if real <= switch:
            return self.epoch + real * self.speed
        return self.epoch + self.fast_forward_after + (real - switch) * self.fast_speed


def clock_for(
    speed: float,
    epoch: datetime | None,
    fast_forward_after_days: float | None = None,
    fast_speed: float | None = None,
) -> Clock:
    """The clock a service runs on: real time, or accelerated time when `speed` is not 1."""
    if speed == 1:
        return SystemClock()
    after = timedelta(days=fast_forward_after_days) if fast_forward_after_days is not None else None
    return AcceleratedClock(epoch or datetime.now(UTC), speed, after, fast_speed)
