"""One rule of the law or the force's policy as applied to one decision: passed or not, why, and what it rests
on (see `law.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    reason: str
    source: str
    """The Act, statutory instrument, guidance or force policy the rule comes from."""

    def as_outcome(self) -> dict[str, object]:
        """As it is stored with the case and returned to the police system."""
        return {"rule": self.rule, "passed": self.passed, "reason": self.reason, "source": self.source}
