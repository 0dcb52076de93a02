"""Intake's use cases for a case's life: decide, assess, withdraw, extend, read. Each takes a command and
a unit of work and never knows the door it came from, so a decision over HTTP and the same decision on
Kafka get the same checks and the same outcome.

After a case opens, its status is compliance's to decide; intake follows it (`following`) and refuses
a command that makes no sense for the status it knows, naming the status. A command it accepts is the
police's decision, recorded and published; compliance applies it to the case as it stands.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from platform_plumbing.audit_trail import Action, Purpose
from schemas.commands import DiversionDecision, ImposedCondition, NeedsAssessment, WithdrawCase
from schemas.events import (
    CaseCondition,
    CaseOpened,
    CaseRejected,
    CaseWithdrawn,
    DeadlineExtended,
    NeedsAssessed,
    RuleOutcome,
)
from schemas.vocabulary import CaseStatus, ExtensionReason
from services.intake.domain import deadlines, eligibility
from services.intake.domain.cases import CaseRecord
from services.intake.domain.policy import Policy
from services.intake.service_layer.results import (
    CaseChange,
    CaseNotFound,
    CaseNotOpen,
    CaseView,
    DecisionResult,
    WrongForce,
)
from services.intake.service_layer.unit_of_work import UnitOfWork


async def submit_decision(
    decision: DiversionDecision,
    uow: UnitOfWork,
    *,
    received_via: str,
    actor: str,
    client_id: str | None = None,
    idempotency_key: str | None = None,
) -> DecisionResult:
    """Check the decision against policy, record the case (open or rejected) and announce it; opening it
    collects the person's details from `actor`, into the audit trail.

    A resubmission — the same police reference, or the same client's Idempotency-Key — returns
    the original result and changes nothing.
    """
    policy = policy_of(decision.force_id, uow)
    now = uow.context.clock.now()
    if client_id and idempotency_key:
        earlier = await uow.cases.by_idempotency_key(client_id, idempotency_key)
        if earlier is not None:
            return await _result(earlier, uow, replayed=True)
    earlier = await uow.cases.by_reference(decision.force_id, decision.police_reference)
    if earlier is not None:
        return await _replayed(earlier, uow, client_id, idempotency_key)

    verdict = eligibility.assess(decision, policy, now=now)
    disposal = policy.disposals[decision.disposal_type]
    case = CaseRecord(
        case_id=uow.context.new_id(),
        force_id=decision.force_id,
        police_reference=decision.police_reference,
        subject_ref=decision.subject_ref,
        disposal_type=decision.disposal_type.value,
        status="open" if verdict.eligible else "rejected",
        policy_version=policy.version,
        rule_outcomes=[result.as_outcome() for result in verdict.results],
        youth_offending_team=verdict.youth_offending_team,
        decided_at=decision.decided_at,
        complete_by=deadlines.complete_by(decision.decided_at, disposal) if verdict.eligible else None,
        deadline_extended=False,
        received_via=received_via,
        offence_category=decision.offence.category.value,
        mode_of_trial=decision.offence.mode_of_trial and decision.offence.mode_of_trial.value,
        age_at_offence=decision.age_at_offence,
    )
    if not await uow.cases.add(case, now=now):  # a concurrent submission won the race
        earlier = await uow.cases.by_reference(decision.force_id, decision.police_reference)
        return await _replayed(earlier, uow, client_id, idempotency_key)
    if client_id and idempotency_key:
        await uow.cases.remember_idempotency_key(client_id, idempotency_key, case.case_id, now=now)
    conditions = []
    if verdict.eligible:
        conditions = _open(case, decision, verdict, uow)
        uow.audit(
            actor=actor,
            action=Action.COLLECTION,
            purpose=Purpose.DIVERSION_DECISION,
            case_id=case.case_id,
            fields=tuple(sorted(k for k, v in decision.personal.model_dump().items() if v is not None)),
            detail="case opened",
        )
    else:
        _reject(case, decision, verdict, uow)
    return DecisionResult(case, replayed=False, conditions=conditions)


async def assess_needs(assessment: NeedsAssessment, uow: UnitOfWork, *, actor: str) -> CaseChange:
    """Record a (re)assessment of a case still tracked; the latest one replaces the earlier."""
    case = await case_for(
        assessment.force_id, assessment.police_reference, uow, TRACKED, "its needs cannot be assessed"
    )
    now = uow.context.clock.now()
    needs = [need.model_dump(mode="json") for need in assessment.needs]
    uow.cases.add_assessment(case.case_id, needs, assessed_at=assessment.assessed_at, now=now)
    uow.cases.record(case.case_id, "needs assessed", f"{len(needs)} need(s) assessed", at=now)
    _altered(case, "needs assessed", ("needs",), uow, actor=actor)
    uow.outbox.publish(NeedsAssessed(case_id=case.case_id, needs=needs, assessed_at=assessment.assessed_at))
    return CaseChange(case.case_id, case.status, case.complete_by, recorded="needs assessment")


async def withdraw_case(withdrawal: WithdrawCase, uow: UnitOfWork, *, actor: str) -> CaseChange:
    """Record the police's withdrawal of a case still tracked; withdrawing a withdrawn case changes nothing."""
    allowed = TRACKED | {CaseStatus.WITHDRAWN}
    case = await case_for(withdrawal.force_id, withdrawal.police_reference, uow, allowed, "it cannot be withdrawn")
    if case.status == CaseStatus.WITHDRAWN:
        return CaseChange(case.case_id, case.status, case.complete_by)
    now = uow.context.clock.now()
    uow.cases.record(case.case_id, "withdrawal recorded", f"withdrawn: {withdrawal.reason.value}", at=now)
    _altered(case, "case withdrawn", ("status",), uow, actor=actor)
    uow.outbox.publish(
        CaseWithdrawn(case_id=case.case_id, reason=withdrawal.reason, withdrawn_at=withdrawal.withdrawn_at)
    )
    return CaseChange(case.case_id, case.status, case.complete_by, recorded="withdrawal")


async def extend_deadline(
    force_id: str, police_reference: str, reason: ExtensionReason, uow: UnitOfWork, *, actor: str
) -> CaseChange:
    """Move an open case's deadline to its exceptional limit, by a recorded police decision."""
    case = await case_for(force_id, police_reference, uow, {CaseStatus.OPEN}, "its deadline cannot be extended")
    disposal = policy_of(force_id, uow).disposals[case.disposal_type]
    extended = deadlines.extended_complete_by(case.decided_at, disposal, current=case.complete_by)
    now = uow.context.clock.now()
    await uow.cases.set_deadline(case.case_id, extended, extended=True, now=now)
    uow.cases.record(case.case_id, "deadline extended", f"to {extended.isoformat()}: {reason.value}", at=now)
    _altered(case, "deadline extended", ("complete_by",), uow, actor=actor)
    uow.outbox.publish(
        DeadlineExtended(
            case_id=case.case_id, previous_complete_by=case.complete_by, complete_by=extended, reason=reason
        )
    )
    return CaseChange(case.case_id, case.status, extended, recorded="deadline extension")


async def read_case(force_id: str, police_reference: str, uow: UnitOfWork, *, actor: str) -> CaseView:
    """The case as the police see it (a consultation, in the audit trail)."""
    policy_of(force_id, uow)
    case = await uow.cases.by_reference(force_id, police_reference)
    if case is None:
        raise CaseNotFound("no case with this police reference")
    uow.audit(
        actor=actor,
        action=Action.CONSULTATION,
        purpose=Purpose.DIVERSION_DECISION,
        case_id=case.case_id,
        detail="case read",
    )
    return CaseView(
        case,
        await uow.cases.latest_needs(case.case_id),
        await uow.cases.conditions(case.case_id),
        await uow.cases.referrals(case.case_id),
        await uow.cases.history(case.case_id),
        await uow.cases.programme_assessments(case.case_id),
    )


def _altered(case: CaseRecord, what: str, fields: tuple[str, ...], uow: UnitOfWork, *, actor: str) -> None:
    uow.audit(
        actor=actor,
        action=Action.ALTERATION,
        purpose=Purpose.DIVERSION_DECISION,
        case_id=case.case_id,
        fields=fields,
        detail=what,
    )


def case_conditions(imposed: Sequence[ImposedCondition], uow: UnitOfWork) -> list[CaseCondition]:
    """The conditions as events carry them, each with the id later reports and outcomes name."""
    return [CaseCondition(condition_id=uow.context.new_id(), **c.model_dump()) for c in imposed]


def _open(
    case: CaseRecord, decision: DiversionDecision, verdict: eligibility.Verdict, uow: UnitOfWork
) -> list[CaseCondition]:
    """Record and announce the case opened; return its conditions, as `_result` would read them back."""
    now = uow.context.clock.now()
    data_key, wrapped = uow.context.person_keys.new(case.case_id)
    uow.cases.keep_data_key(case.case_id, wrapped, now=now)
    uow.cases.record(
        case.case_id, "case opened", f"{decision.disposal_type.value} under policy {case.policy_version}", at=now
    )
    conditions = case_conditions(decision.conditions, uow)
    uow.cases.add_conditions(case.case_id, conditions, now=now)
    needs = [need.model_dump(mode="json") for need in decision.needs] if decision.needs is not None else None
    if needs is not None:
        uow.cases.add_assessment(case.case_id, needs, assessed_at=decision.decided_at, now=now)
    uow.outbox.publish(
        CaseOpened(
            case_id=case.case_id,
            subject_ref=decision.subject_ref,
            force_id=decision.force_id,
            police_reference=decision.police_reference,
            disposal_type=decision.disposal_type,
            offence_category=decision.offence.category,
            gravity_score=verdict.adjusted_gravity,
            age_at_offence=decision.age_at_offence,
            sex=decision.sex,
            area=decision.area,
            domestic_abuse=decision.domestic_abuse is not None,
            dash_risk=decision.domestic_abuse.dash_risk if decision.domestic_abuse else None,
            youth_offending_team=verdict.youth_offending_team,
            conditions=conditions,
            needs=needs,
            decided_at=decision.decided_at,
            complete_by=case.complete_by,
            victim_views=decision.victim_views,
            risk_of_harm=decision.risk_of_harm,
            safeguarding_flags=decision.safeguarding_flags,
            officer_in_case=decision.officer_in_case,
            personal=data_key.seal(decision.personal),
        )
    )
    return conditions


def _reject(case: CaseRecord, decision: DiversionDecision, verdict: eligibility.Verdict, uow: UnitOfWork) -> None:
    failed = ", ".join(result.rule for result in verdict.failed)
    uow.cases.record(case.case_id, "case rejected", f"failed: {failed}", at=uow.context.clock.now())
    uow.outbox.publish(
        CaseRejected(
            case_id=case.case_id,
            force_id=decision.force_id,
            police_reference=decision.police_reference,
            disposal_type=decision.disposal_type,
            rule_outcomes=[RuleOutcome(**outcome) for outcome in case.rule_outcomes],
        )
    )


async def _replayed(case: CaseRecord, uow: UnitOfWork, client_id: str | None, key: str | None) -> DecisionResult:
    if client_id and key:
        await uow.cases.remember_idempotency_key(client_id, key, case.case_id, now=uow.context.clock.now())
    return await _result(case, uow, replayed=True)


async def _result(case: CaseRecord, uow: UnitOfWork, *, replayed: bool) -> DecisionResult:
    conditions = [followed.terms for followed in await uow.cases.conditions(case.case_id)]
    return DecisionResult(case, replayed=replayed, conditions=conditions)


TRACKED = frozenset({CaseStatus.OPEN, CaseStatus.AWAITING_POLICE_DECISION, CaseStatus.BREACHED})
"""Statuses in which compliance still tracks a case (open, or paused for the police)."""


async def case_for(
    force_id: str, police_reference: str, uow: UnitOfWork, allowed: Collection[str], consequence: str
) -> CaseRecord:
    """The case, locked for this transaction; CaseNotOpen, naming its status, unless it is in `allowed`."""
    policy_of(force_id, uow)
    case = await uow.cases.by_reference(force_id, police_reference, for_update=True)
    if case is None:
        raise CaseNotFound("no case with this police reference")
    if case.status not in allowed:
        status = case.status.replace("_", " ")
        raise CaseNotOpen(f"the case is {status}" + (f", so {consequence}" if consequence else ""))
    return case


def policy_of(force_id: str, uow: UnitOfWork) -> Policy:
    """The policy of the force a command names; WrongForce for a force this intake does not serve."""
    policy = uow.context.policies.of(force_id)
    if policy is None:
        raise WrongForce(f"this service does not act for {force_id}")
    return policy
