"""What every agency report over HTTP may say besides its own fields: when it happened."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.fields import Timestamp


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_at: Timestamp | None = Field(
        default=None,
        description="When it happened (not in the future, not before the referral was issued); now if left out.",
        examples=["2026-03-04T10:00:00+00:00"],
    )
