"""Commands from the operations team to the services, on `diversion.replays.v1`, which only the operations
principal may write and only the services read.

The operations team may not write any party's topic: a replay of a dead letter is a request to the service
that dead-lettered it to read it again from the dead-letter topic by its coordinates, so that what is replayed
is exactly what the party sent, applied as that party's, with the operator named beside it in the audit trail.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictInt, StringConstraints

from schemas.base import Command
from schemas.fields import Timestamp

ServiceName = Literal["intake", "referral_router", "compliance"]
"""A service as its dead letters name it (their `dlq_service` header)."""


class ReplayDeadLetter(Command):
    """Read the dead letter at `partition`/`offset` of the dead-letter topic again, as its sender sent it."""

    command_type: ClassVar[str] = "uk.police.diversion.dead-letter.replay.v1"

    service: ServiceName = Field(description="The service that dead-lettered it, which alone replays it.")
    partition: Annotated[StrictInt, Field(ge=0, le=10_000, description="The dead letter's partition.")]
    offset: Annotated[StrictInt, Field(ge=0, le=2**62, description="The dead letter's offset.")]
    operator: Annotated[
        str,
        StringConstraints(min_length=1, max_length=80, pattern=r"^operator:[A-Za-z0-9._@-]+$"),
        Field(description="Who asked, as `operator:<login>`: recorded beside the original sender."),
    ]
    requested_at: Timestamp
