"""One rule of the force's policy as applied to one decision: passed or not, and why, in words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    reason: str
