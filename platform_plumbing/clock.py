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
