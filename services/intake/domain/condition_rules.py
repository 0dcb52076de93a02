"""Which conditions a disposal may carry, per the Code of Practice and the force's policy.

A caution must carry at least one condition; each kind must be one the disposal allows (restrictive
conditions only where policy says so); unpaid work and non-rehabilitative attendance are capped (20
hours); a financial penalty is only for the offences the policy prescribes and within its maximum —
compensation to a victim is reparation, not a penalty, and is not limited by those rules; only
reparation and compensation may be reported by the victim-contact role; and each condition's own
deadline falls between the decision and the case's deadline. The same rules judge the conditions the
police vary after a reasonable excuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from schemas.commands import ImposedCondition
from schemas.vocabulary import ConditionKind, ConditionReporter, Evidence, ModeOfTrial, OffenceCategory
from services.intake.domain import law
from services.intake.domain.policy import DisposalPolicy, PenaltyCaps
from services.intake.domain.rule_result import RuleResult

VICTIM_CONTACT_KINDS = frozenset({ConditionKind.REPARATIVE, ConditionKind.COMPENSATION})


def check_conditions(
    conditions: Sequence[ImposedCondition],
    disposal: DisposalPolicy,
    *,
    label: str,
    offence: OffenceCategory | None,
    mode_of_trial: ModeOfTrial | None,
    penalty_caps: PenaltyCaps,
    youth: bool,
    decided_on: date,
    complete_by: date,
    own: str,
) -> list[RuleResult]:
    """Every condition rule, each with its source; `own` names the force's policy (for the rules it sets)."""
    policy = disposal.conditions
    return [
        _required(conditions, policy.required, label, own),
        _kinds(conditions, policy.kinds, label),
        _hours(conditions, policy.max_non_rehabilitative_hours),
        _financial_penalty(
            conditions,
            policy.financial_penalty_for,
            offence,
            mode_of_trial,
            penalty_caps,
            law.YOUTH_FINANCIAL_PENALTIES if youth else law.ADULT_FINANCIAL_PENALTIES,
            label,
        ),
        _victim_contact(conditions, own),
        _deadlines(conditions, decided_on, complete_by),
    ]


def _required(conditions: Sequence[ImposedCondition], required: bool, label: str, own: str) -> RuleResult:
    if not required:
        return RuleResult("conditions_required", True, f"conditions are optional for {label}", own)
    present = bool(conditions)
    return RuleResult(
        "conditions_required",
        present,
        f"{len(conditions)} condition(s) set" if present else f"a {label} must carry at least one condition",
        law.KINDS_OF_CONDITION,
    )


def _kinds(conditions: Sequence[ImposedCondition], allowed: frozenset[ConditionKind], label: str) -> RuleResult:
    refused = sorted({c.kind.value for c in conditions if c.kind not in allowed})
    if refused:
        return RuleResult(
            "condition_kinds",
            False,
            f"{', '.join(refused)} conditions are not allowed for {label}",
            law.KINDS_OF_CONDITION,
        )
    return RuleResult("condition_kinds", True, f"every condition is of a kind {label} allows", law.KINDS_OF_CONDITION)


def _hours(conditions: Sequence[ImposedCondition], limit: int | None) -> RuleResult:
    hours = sum(c.hours or 0 for c in conditions if c.kind != ConditionKind.REHABILITATIVE)
    if limit is None:
        return RuleResult("attendance_hours", True, "no limit on unpaid work or attendance hours", law.ATTENDANCE_HOURS)
    return RuleResult(
        "attendance_hours",
        hours <= limit,
        f"{hours} h of unpaid work or non-rehabilitative attendance; limit {limit} h",
        law.ATTENDANCE_HOURS,
    )


def _financial_penalty(
    conditions: Sequence[ImposedCondition],
    prescribed: frozenset[OffenceCategory],
    offence: OffenceCategory | None,
    mode: ModeOfTrial | None,
    caps: PenaltyCaps,
    source: str,
    label: str,
) -> RuleResult:
    penalties = [c for c in conditions if c.kind == ConditionKind.PUNITIVE and c.evidence == Evidence.PAYMENT]
    if not penalties:
        return RuleResult("financial_penalty", True, "no financial penalty", source)
    if offence not in prescribed:
        what = offence.value.replace("_", " ") if offence else "an offence of unknown category"
        return RuleResult(
            "financial_penalty", False, f"a financial penalty is not prescribed for {what} under {label}", source
        )
    if mode is None:
        return RuleResult(
            "financial_penalty", False, "a financial penalty needs the offence's mode of trial, which caps it", source
        )
    total, cap = sum(c.amount_pence or 0 for c in penalties), caps.of(mode)
    triable = mode.value.replace("_", " ")
    if total > cap:
        return RuleResult(
            "financial_penalty",
            False,
            f"financial penalty of £{total / 100:.2f} exceeds £{cap / 100:.2f} for an offence triable {triable}",
            source,
        )
    return RuleResult(
        "financial_penalty",
        True,
        f"financial penalty of £{total / 100:.2f} is within £{cap / 100:.2f} for an offence triable {triable}",
        source,
    )


def _victim_contact(conditions: Sequence[ImposedCondition], own: str) -> RuleResult:
    wrong = sorted(
        {
            c.kind.value
            for c in conditions
            if c.reported_by == ConditionReporter.VICTIM_CONTACT and c.kind not in VICTIM_CONTACT_KINDS
        }
    )
    if wrong:
        return RuleResult(
            "condition_reporter",
            False,
            f"the victim-contact role reports reparation and compensation only, not {', '.join(wrong)}",
            own,
        )
    return RuleResult("condition_reporter", True, "every condition has a reporter who may report it", own)


def _deadlines(conditions: Sequence[ImposedCondition], decided_on: date, complete_by: date) -> RuleResult:
    outside = [c for c in conditions if c.complete_by is not None and not decided_on <= c.complete_by <= complete_by]
    if outside:
        return RuleResult(
            "condition_deadlines",
            False,
            f"{len(outside)} condition deadline(s) fall outside {decided_on.isoformat()}–{complete_by.isoformat()}",
            law.TIME_LIMIT,
        )
    return RuleResult("condition_deadlines", True, "every condition's deadline is within the case's", law.TIME_LIMIT)
