"""What the bench and chaos send: one kind of case (one condition, one need, so one referral, one
completion and one outcome per case) as a police system's CloudEvent, the agency's work on its referral to
completion, and the catalogue with capacities lifted so that a load measures speed rather than waiting lists."""

from __future__ import annotations

import re
import statistics
import tempfile
import uuid
from datetime import UTC, datetime

from schemas.commands import (
    ActionPlanSubmitted,
    AgencyUpdate,
    CaseworkerAssigned,
    ConcernRaised,
    DiversionDecision,
    EndOfServiceReportSubmitted,
    FirstContactMade,
    InterventionCompleted,
    ProgrammeAssessmentSubmitted,
    ReferralAccepted,
)
from schemas.envelope import encode
from services.referral_router.settings import RouterSettings

FORCE = "cambridgeshire"
DECISION = {
    "force_id": FORCE,
    "disposal_type": "adult_conditional_caution",
    "age_at_offence": 30,
    "sex": "male",
    "offence": {"code": "TH68010", "category": "theft", "gravity_score": 2, "mode_of_trial": "either_way"},
    "authorised_by": {"officer": "PS4321", "rank": "sergeant"},
    "area": "peterborough",
    "admission": True,
    "sufficient_evidence": True,
    "consent": True,
    "victim_views": "sought",
    "criminal_history": {
        "previous_convictions": 0,
        "previous_cautions": 0,
        "domestic_abuse_conviction_or_caution_within_2_years": False,
    },
    "needs": [{"category": "alcohol_misuse", "severity": "medium"}],
    "conditions": [
        {
            "kind": "rehabilitative",
            "description": "Attend and complete the alcohol treatment programme",
            "evidence": "completion",
            "reported_by": "agency",
            "addresses_need": "alcohol_misuse",
        }
    ],
    "personal": {"given_name": "Bench", "family_name": "Person", "date_of_birth": "1990-01-01"},
}
"""One adult Conditional Caution with one condition and one need: one referral, one completion, one outcome
per case."""


def decision_record(reference: str, subject_ref: str, *, event_id: str | None = None, source: str = "/bench/police"):
    """The `DECISION` case under its own police reference, as the CloudEvent a police system sends."""
    command = DiversionDecision.model_validate(
        {**DECISION, "police_reference": reference, "subject_ref": subject_ref, "decided_at": datetime.now(UTC)}
    )
    return encode(command, event_id=event_id or str(uuid.uuid4()), source=source, time=datetime.now(UTC), key=reference)


def agency_work(
    ids: dict, need: str, *, first_contact_first: bool = False, assessed: bool = False, concern: bool = False
) -> list[AgencyUpdate]:
    """Everything the agency sends on a referral it completes (`ids`: case, referral, agency, when): acceptance, a
    caseworker, first contact, an action plan (the treatment service's plans are approved on submission), the
    end-of-service report, completion. `first_contact_first`: the caseworker and first contact before the acceptance
    (allowed: both only need the referral in the agency's hands). `assessed`: the agency's own assessment too (what
    it finds the person does not want referred on, so no referral is added); `concern`: a safeguarding concern."""
    plan_id = uuid.uuid5(uuid.NAMESPACE_URL, f"plan/{ids['referral_id']}")
    opening: list[AgencyUpdate] = [
        ReferralAccepted(**ids),
        CaseworkerAssigned(**ids, caseworker="Bench Keeper"),
        FirstContactMade(**ids, method="phone"),
    ]
    if first_contact_first:
        opening.reverse()
    if concern:
        opening.append(
            ConcernRaised(
                **ids,
                concern_id=uuid.uuid5(uuid.NAMESPACE_URL, f"concern/{ids['referral_id']}"),
                kind="risk_to_a_child",
                urgency="immediate",
                details="Raised under load.",
            )
        )
    if assessed:
        found = [{"category": need, "severity": "medium", "onward": "not_needed"}]
        found.append({"category": "housing", "severity": "low", "onward": "refused"})
        assessment_id = uuid.uuid5(uuid.NAMESPACE_URL, f"assessment/{ids['referral_id']}")
        opening.append(ProgrammeAssessmentSubmitted(**ids, assessment_id=assessment_id, needs=found))
    return [
        *opening,
        ActionPlanSubmitted(
            **ids,
            plan_id=plan_id,
            activities=[{"need": need, "activity": "weekly sessions"}],
            goals=[{"need": need, "goal": "done"}],
            sessions_planned=1,
        ),
        EndOfServiceReportSubmitted(
            **ids,
            needs=[{"need": need, "outcome": "achieved"}],
            goals=[{"need": need, "goal": "done", "outcome": "achieved"}],
        ),
        InterventionCompleted(**ids, goals=[{"need": need, "goal": "done", "outcome": "achieved"}]),
    ]


def lifted_catalogue() -> str:
    """The seeded catalogue with capacities lifted, so a load measures speed, not waiting lists; a temp file."""
    text = RouterSettings().router_catalogue_file.read_text()
    lifted = re.sub(r"capacity: \d+", "capacity: 10000", text)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write(lifted)
    return handle.name


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50": values[0] if values else 0.0, "p95": 0.0, "p99": 0.0}
    cuts = statistics.quantiles(values, n=100)
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1)}
