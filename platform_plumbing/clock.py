"""Time and ids, injected, so that deadlines, breaches and event ids are testable without sleeping."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


IdFactory = Callable[[], uuid.UUID]
new_id: IdFactory = uuid.uuid4


class AcceleratedClock:
    """Simulated time running `speed` times faster than real time from `epoch` (for the demo, so that
    16-week deadlines pass within minutes). Every service given the same epoch and speed agrees."""

    def __init__(self, epoch: datetime, speed: float) -> None:
        self.epoch = epoch
        self.speed = speed

    def now(self) -> datetime:
        return self.epoch + (datetime.now(UTC) - self.epoch) * self.speed


def clock_for(speed: float, epoch: datetime | None) -> Clock:
    """The clock a service runs on: real time, or accelerated time when `speed` is not 1."""
    if speed == 1:
        return SystemClock()
    return AcceleratedClock(epoch or datetime.now(UTC), speed)
