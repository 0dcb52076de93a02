"""The force's breach rules, as data (`deploy/policy/compliance-rules.yaml`).

Which absences count, whether disengagement is a breach, and what a breach leads to per
disposal are policy choices that differ between forces and change with legislation (the
two-tier framework), so they are data, validated at start, not branches in code.
"""

from __future__ import annotations

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


class ComplianceRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=40)
    max_unacceptable_absences: int = Field(ge=1, le=20)
    disengagement_is_breach: bool
    outcomes: dict[DisposalType, BreachPath]

    @field_validator("outcomes")
    @classmethod
    def _every_disposal(cls, outcomes: dict[DisposalType, BreachPath]) -> dict[DisposalType, BreachPath]:
        missing = sorted(set(DisposalType) - set(outcomes))
        if missing:
            raise ValueError(f"no outcome for disposal type(s): {', '.join(missing)}")
        return outcomes


def load_rules(path: Path) -> ComplianceRules:
    return load_yaml_model(path, ComplianceRules, what="compliance rules", error=RulesError)
