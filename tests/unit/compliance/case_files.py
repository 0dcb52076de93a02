"""Plain-object case files for the compliance domain's unit tests (no database, no broker)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from schemas.vocabulary import (
    ConditionKind,
    ConditionReporter,
    DisposalType,
    Evidence,
    NeedCategory,
    ReferralStatus,
)
from services.compliance.domain.case_file import CaseFile
from services.compliance.domain.entities import Case, Condition, Referral
from services.compliance.domain.rules import load_rules

RULES = load_rules(Path(__file__).resolve().parents[3] / "deploy" / "policy" / "compliance-rules.yaml")
DECIDED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEADLINE = date(2026, 6, 22)
NOW = DECIDED + timedelta(days=14)
ALCOHOL = NeedCategory.ALCOHOL_MISUSE
HOUSING = NeedCategory.HOUSING


def case(disposal: DisposalType = DisposalType.ADULT_CONDITIONAL_CAUTION, **overrides) -> Case:
    return Case(
        case_id=uuid.uuid4(),
        subject_ref="subj-0000000001",
        force_id="cambridgeshire",
        police_reference="13YE0000001",
        disposal_type=disposal,
        offence_category="theft",
        domestic_abuse=False,
        decided_at=DECIDED,
        complete_by=DEADLINE,
        **overrides,
    )


def agency_condition(need: NeedCategory = ALCOHOL, **overrides) -> Condition:
    values = dict(
        condition_id=uuid.uuid4(),
        kind=ConditionKind.REHABILITATIVE,
        description=f"Attend and complete {need.value} work",
        evidence=Evidence.COMPLETION,
        reported_by=ConditionReporter.AGENCY,
        addresses_need=need,
        hours=None,
        amount_pence=None,
        own_complete_by=None,
    )
    return Condition(**{**values, **overrides})


def officer_condition(kind: ConditionKind, evidence: Evidence, **overrides) -> Condition:
    values = dict(
        condition_id=uuid.uuid4(),
        kind=kind,
        description=f"{kind.value} condition",
        evidence=evidence,
        reported_by=ConditionReporter.OFFICER,
        addresses_need=None,
        hours=None,
        amount_pence=None,
        own_complete_by=None,
    )
    return Condition(**{**values, **overrides})


def referral(*needs: NeedCategory, status: ReferralStatus = ReferralStatus.ISSUED, **overrides) -> Referral:
    values = dict(
        referral_id=uuid.uuid4(),
        agency_id="substance-misuse-treatment",
        needs=needs or (ALCOHOL,),
        status=status,
        issued_at=DECIDED,
        respond_by=DECIDED + timedelta(days=7),
    )
    return Referral(**{**values, **overrides})


def case_file(the_case: Case | None = None, conditions=(), referrals=()) -> CaseFile:
    return CaseFile(the_case or case(), list(conditions), list(referrals), RULES)


def statuses(file: CaseFile) -> tuple:
    """The case's status, then each condition's and referral's, in the order they were given."""
    return (
        file.case.status,
        tuple(c.status for c in file.conditions),
        tuple(r.status for r in file.referrals),
    )
