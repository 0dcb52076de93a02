"""The force's out-of-court disposal policy, as data (`deploy/policy/force-policy.yaml`).

Rules change more often than code, and a force must be able to read what is applied to each
decision. So the policy is a versioned file, validated strictly at start: an unknown key or a
wrong type stops intake with a message that names the field, rather than running on a policy
nobody wrote.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platform_plumbing.data_files import load_yaml_model
from schemas.vocabulary import ConditionKind, DashRiskLevel, DisposalType, OffenceCategory


class PolicyError(ValueError):
    """The policy file is missing, unreadable or invalid; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NonCompletionPath(StrEnum):
    NON_COMPLETION = "non_completion"
    PROSECUTION = "prosecution"
    FINANCIAL_PENALTY = "financial_penalty"


class Requirements(_Strict):
    admission: bool
    sufficient_evidence: bool
    consent: bool
    victim_views_sought: bool


class ConditionPolicy(_Strict):
    """Which conditions a disposal may carry, and their limits (Code of Practice for Conditional Cautions)."""

    required: bool
    """A caution must carry at least one condition."""
    kinds: frozenset[ConditionKind]
    max_non_rehabilitative_hours: int | None = Field(default=None, ge=0)
    """Unpaid work and non-rehabilitative attendance together, in hours (20 for a caution)."""
    financial_penalty_for: frozenset[OffenceCategory] = frozenset()
    """Offences a financial penalty is prescribed for (compensation to a victim is not a penalty)."""
    max_financial_penalty_pence: int | None = Field(default=None, ge=1)


class DisposalPolicy(_Strict):
    enabled: bool
    min_age: int = Field(ge=10, le=120)
    max_age: int | None = Field(default=None, ge=10, le=120)
    requires: Requirements
    max_gravity: int = Field(ge=1, le=4)
    max_previous_convictions: int = Field(ge=0)
    max_previous_cautions: int = Field(ge=0)
    completion_weeks: int = Field(ge=1, le=52)
    extended_completion_weeks: int | None = Field(default=None, ge=1, le=52)
    conditions: ConditionPolicy
    appropriate_adult_up_to_age: int | None = None
    on_non_completion: NonCompletionPath

    @property
    def maximum_weeks(self) -> int:
        """The legal maximum time to complete: the exceptional limit where there is one."""
        return self.extended_completion_weeks or self.completion_weeks

    @model_validator(mode="after")
    def _consistent(self) -> DisposalPolicy:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError("max_age is below min_age")
        if self.extended_completion_weeks is not None and self.extended_completion_weeks <= self.completion_weeks:
            raise ValueError("extended_completion_weeks must exceed completion_weeks")
        return self


class GravityPolicy(_Strict):
    minimum: int = Field(ge=1, le=4)
    maximum: int = Field(ge=1, le=4)
    adjustment: int = Field(ge=0, le=2)


class YouthPolicy(_Strict):
    """Who counts as a youth, and whether every youth case goes to the youth offending team."""

    up_to_age: int = Field(ge=10, le=25)
    refer_to_youth_offending_team: bool


class DomesticAbusePolicy(_Strict):
    excluded_dash_risk: frozenset[DashRiskLevel]
    exclude_coercive_controlling: bool
    exclude_recent_domestic_abuse_history: bool
    require_victim_contacted_and_agrees: bool
    intimate_partner_disposals: frozenset[DisposalType]


class Policy(_Strict):
    version: str = Field(min_length=1, max_length=40)
    force_id: str = Field(min_length=2, max_length=40)
    gravity: GravityPolicy
    youth: YouthPolicy
    domestic_abuse: DomesticAbusePolicy
    disposals: dict[DisposalType, DisposalPolicy]

    @field_validator("disposals")
    @classmethod
    def _every_disposal_described(
        cls, disposals: dict[DisposalType, DisposalPolicy]
    ) -> dict[DisposalType, DisposalPolicy]:
        missing = sorted(set(DisposalType) - set(disposals))
        if missing:
            raise ValueError(f"no rules for disposal type(s): {', '.join(missing)}")
        return disposals


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file; raise PolicyError naming the file and the faulty fields."""
    return load_yaml_model(path, Policy, what="policy file", error=PolicyError)
