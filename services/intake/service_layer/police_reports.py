"""What the police report and decide about a case after it opened: progress on a condition (the officer
in the case, or the victim-contact role for reparation and compensation), and the decision after a
breach — continue after a reasonable excuse, prosecute, or no further action.

Intake checks each against the case as it knows it (status, condition, policy) and refuses, naming why,
what makes no sense; what it accepts it records, audits and publishes, and compliance applies it.
"""

from __future__ import annotations

from platform_plumbing.audit_trail import Action, Purpose
from schemas.calendar import local_date
from schemas.commands import BreachDecision, ConditionProgress
from schemas.events import BreachDecisionRecorded, ConditionProgressReported
from schemas.vocabulary import (
    BreachNextStep,
    CaseStatus,
    ConditionReporter,
    Evidence,
    ModeOfTrial,
    NonComplianceReason,
    OffenceCategory,
    PoliceDecision,
    ProgressReport,
)
from services.intake.domain import deadlines, law
from services.intake.domain.cases import CaseRecord
from services.intake.domain.condition_rules import VICTIM_CONTACT_KINDS, check_conditions
from services.intake.service_layer.handlers import TRACKED, case_conditions, case_for, policy_of
from services.intake.service_layer.results import CaseChange, CaseNotOpen, ConditionRefused, PolicyRefused
from services.intake.service_layer.unit_of_work import UnitOfWork

REPORTS_FOR: dict[ProgressReport, frozenset[Evidence]] = {
    ProgressReport.PAYMENT_RECEIVED: frozenset({Evidence.PAYMENT}),
    ProgressReport.HOURS_COMPLETED: frozenset({Evidence.HOURS_WORKED, Evidence.ATTENDANCE}),
    ProgressReport.LETTER_SENT: frozenset({Evidence.LETTER_SENT}),
    ProgressReport.COMPLETED: frozenset({Evidence.COMPLETION, Evidence.ATTENDANCE}),
    ProgressReport.NOT_COMPLIED: frozenset(Evidence),
}
"""Which evidence each report can be about: a payment is reported on a condition paid, and so on."""
AWAITING = frozenset({CaseStatus.AWAITING_POLICE_DECISION, CaseStatus.BREACHED})


async def report_condition(report: ConditionProgress, uow: UnitOfWork, *, actor: str) -> CaseChange:
    case = await case_for(report.force_id, report.police_reference, uow, TRACKED, "no progress can be reported")
    followed = {c.terms.condition_id: c for c in await uow.cases.conditions(case.case_id)}
    condition = followed.get(report.condition_id)
    if condition is None:
        raise ConditionRefused("the case has no condition with this id")
    terms = condition.terms
    if terms.reported_by == ConditionReporter.AGENCY:
        raise ConditionRefused("this condition is reported by the agency that delivers it, through its referral")
    if report.reported_by == ConditionReporter.VICTIM_CONTACT and terms.kind not in VICTIM_CONTACT_KINDS:
        raise ConditionRefused("the victim-contact role reports reparation and compensation only")
    if terms.evidence not in REPORTS_FOR[report.report]:
        raise ConditionRefused(f"this condition is evidenced by {terms.evidence.value}, not {report.report.value}")
    if condition.status != "open":
        raise ConditionRefused(f"the condition is {condition.status}")
    now = uow.context.clock.now()
    event = ConditionProgressReported(
        case_id=case.case_id,
        condition_id=report.condition_id,
        reported_by=report.reported_by,
        report=report.report,
        amount_pence=report.amount_pence,
        hours=report.hours,
        occurred_at=report.occurred_at,
    )
    uow.cases.record(case.case_id, "condition progress reported", _progress_text(report), at=now)
    uow.audit(
        actor=actor,
        action=Action.ALTERATION,
        purpose=Purpose.COMPLIANCE_MONITORING,
        case_id=case.case_id,
        fields=("conditions",),
        detail=f"condition progress reported by {report.reported_by.value}",
    )
    uow.outbox.publish(event)
    return CaseChange(case.case_id, case.status, case.complete_by, recorded="condition progress")


async def decide_breach(decision: BreachDecision, uow: UnitOfWork, *, actor: str) -> CaseChange:
    """Record the police's decision on the breach (or no-place flag) the case awaits — one per breach."""
    case = await case_for(
        decision.force_id, decision.police_reference, uow, AWAITING, "there is no breach to decide on"
    )
    if decision.breach_sequence != case.sequence:
        raise CaseNotOpen(
            f"the case has changed since that breach: decide on the one it awaits now (breach_sequence {case.sequence})"
        )
    _check_allowed(case, decision)
    complete_by = _new_deadline(case, decision, uow)
    varied = case_conditions(decision.varied_conditions, uow)
    _check_varied(case, decision, complete_by or case.complete_by, uow)
    consented = True if varied else None  # `_check_varied` refused a variation without the person's consent
    record = {
        **decision.model_dump(include={"officer", "reason", "decided_at"}),
        "decision": decision.decision.value,
        "person_consented_to_variation": consented,
    }
    now = uow.context.clock.now()
    if not await uow.cases.record_breach_decision(case.case_id, case.sequence, record, now=now):
        raise CaseNotOpen("a decision on this breach was already recorded")
    if varied:
        uow.cases.add_conditions(case.case_id, varied, now=now)
    if complete_by is not None:
        await uow.cases.set_deadline(case.case_id, complete_by, extended=False, now=now)
    event = BreachDecisionRecorded(
        case_id=case.case_id,
        decision=decision.decision,
        officer=decision.officer,
        decided_at=decision.decided_at,
        reason=decision.reason,
        breach_sequence=case.sequence,
        complete_by=complete_by,
        varied_conditions=varied,
        person_consented_to_variation=consented,
    )
    uow.cases.record(
        case.case_id, "police decision recorded", f"{decision.decision.value} by {decision.officer}", at=now
    )
    uow.audit(
        actor=actor,
        action=Action.ALTERATION,
        purpose=Purpose.DIVERSION_DECISION,
        case_id=case.case_id,
        fields=("breach_decision", *(("conditions",) if varied else ()), *(("complete_by",) if complete_by else ())),
        detail=f"breach decision: {decision.decision.value}",
    )
    uow.outbox.publish(event)
    return CaseChange(case.case_id, case.status, complete_by or case.complete_by, recorded="police decision")


def _check_allowed(case: CaseRecord, decision: BreachDecision) -> None:
    if decision.decision != PoliceDecision.PROSECUTE:
        return
    if case.reason == NonComplianceReason.NO_PLACE_AVAILABLE:
        raise CaseNotOpen(
            "the case could not be complied with for want of a place: it cannot be prosecuted as a breach"
        )
    if case.next_step == BreachNextStep.FINANCIAL_PENALTY:
        raise CaseNotOpen("this disposal's breach leads to a financial penalty, not a prosecution decision")


def _new_deadline(case: CaseRecord, decision: BreachDecision, uow: UnitOfWork):
    """The deadline after a reasonable excuse: the one given, within the legal maximum; required once the
    case's own has passed."""
    if decision.decision != PoliceDecision.REASONABLE_EXCUSE:
        return None
    today = local_date(uow.context.clock.now())
    disposal = policy_of(case.force_id, uow).disposals[case.disposal_type]
    maximum = deadlines.legal_maximum(case.decided_at, disposal)
    if decision.complete_by is None:
        if today > case.complete_by:
            raise PolicyRefused("the deadline has passed: a reasonable excuse must give a new one")
        return None
    if not today <= decision.complete_by <= maximum:
        raise PolicyRefused(
            f"complete_by must be between today ({today.isoformat()}) and the legal maximum ({maximum.isoformat()})"
        )
    return decision.complete_by


def _check_varied(case: CaseRecord, decision: BreachDecision, complete_by, uow: UnitOfWork) -> None:
    """Varied conditions follow the rules the first ones did, and need the person's consent (the law)."""
    if not decision.varied_conditions:
        return
    if decision.person_consents_to_variation is not True:
        raise PolicyRefused(
            "person_consents_to_variation: the conditions may be varied only with the person's consent "
            f"({law.VARIATION})"
        )
    policy = policy_of(case.force_id, uow)
    age = case.age_at_offence if case.age_at_offence is not None else law.JUVENILE_UNDER
    failed = [
        result
        for result in check_conditions(
            decision.varied_conditions,
            policy.disposals[case.disposal_type],
            label=case.disposal_type.replace("_", " "),
            offence=OffenceCategory(case.offence_category) if case.offence_category else None,
            mode_of_trial=ModeOfTrial(case.mode_of_trial) if case.mode_of_trial else None,
            penalty_caps=policy.financial_penalty_caps.for_age(age),
            youth=age < law.JUVENILE_UNDER,
            decided_on=local_date(uow.context.clock.now()),
            complete_by=complete_by,
            own=policy.source,
        )
        if not result.passed
    ]
    if failed:
        raise PolicyRefused("; ".join(f"{result.rule}: {result.reason} ({result.source})" for result in failed))


def _progress_text(report: ConditionProgress) -> str:
    measure = {
        ProgressReport.PAYMENT_RECEIVED: f" £{(report.amount_pence or 0) / 100:.2f}",
        ProgressReport.HOURS_COMPLETED: f" {report.hours} h",
    }.get(report.report, "")
    reporter = report.reported_by.value.replace("_", " ")
    return f"{report.report.value.replace('_', ' ')}{measure} (reported by the {reporter})"
