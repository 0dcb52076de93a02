"""The force's breach rules, as data (`deploy/policy/compliance-rules.yaml`).

Which absences count, whether disengagement is a breach, what a breach leads to per disposal and
whether a disposal's referrals are themselves required are policy choices that differ between
forces and change with legislation (the two-tier framework), so they are data, validated at
start, not branches in code.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_plumbing.data_files import load_yaml_model
from schemas.vocabulary import DisposalType


class RulesError(ValueError):
    """The rules file is missing, unreadable or invalid; the message says where."""


class BreachPath(StrEnum):
    NON_COMPLETION = "non_completion"
    PROSECUTION_DECISION = "prosecution_decision"
    FINANCIAL_PENALTY = "financial_penalty"


class DisposalRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    on_breach: BreachPath
    every_referral_required: bool
    """True where the referrals are what the person agreed to complete (a Community Resolution); false
    where only the conditions bind (a caution), so a referral delivering no condition is support."""


class ComplianceRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=40)
    max_unacceptable_absences: int = Field(ge=1, le=20)
    disengagement_is_breach: bool
    clock_skew_seconds: int = Field(ge=0, le=3600)
    personal_details_days_after_conclusion: int = Field(ge=0, le=3660)
    disposals: dict[DisposalType, DisposalRules]

    @field_validator("disposals")
    @classmethod
    def _every_disposal(cls, disposals: dict[DisposalType, DisposalRules]) -> dict[DisposalType, DisposalRules]:
        missing = sorted(set(DisposalType) - set(disposals))
        if missing:
            raise ValueError(f"no rules for disposal type(s): {', '.join(missing)}")
        return disposals

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(seconds=self.clock_skew_seconds)

    @property
    def personal_details_kept(self) -> timedelta:
        return timedelta(days=self.personal_details_days_after_conclusion)


def load_rules(path: Path) -> ComplianceRules:
    return load_yaml_model(path, ComplianceRules, what="compliance rules", error=RulesError)
