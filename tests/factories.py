"""Valid example messages for tests, one per registered message type.

`payload(Model, **overrides)` gives the JSON-ready dict a police system, an agency or a service
would send, for tests of validation at the door; `example(Model, **overrides)` gives the
validated model. Overrides replace top-level fields; build nested changes on a `payload`.
Ids and times are fixed so that tests are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel

from schemas import commands, events
from tests.sealing import sealed

M = TypeVar("M", bound=BaseModel)
Payload = dict[str, Any]

CASE_ID = UUID("0b6c1f8e-3d4a-4c39-9a55-6f1f2b7d9e01")
REFERRAL_ID = UUID("5d2e7a90-81c4-4e0b-b0f3-2a6c9d4e8f12")
NEW_REFERRAL_ID = UUID("9a1b3c5d-7e9f-4a2b-8c4d-6e8f0a2b4c6d")
CONDITION_ID = UUID("c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f")
APPOINTMENT_ID = UUID("e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b")
WORK_ID = UUID("7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f")
"""An agency's own id for an assessment, a plan version, a note or a concern."""
FORCE_ID = "cambridgeshire"
POLICE_REFERENCE = "13YE0123425"
SUBJECT_REF = "subj-7f3a9c21e4"
AGENCY_ID = "community-rehab-charity"
DECIDED_AT = "2025-03-03T10:30:00+00:00"
LATER = "2025-03-10T14:00:00+00:00"


def personal_payload(**overrides: Any) -> Payload:
    return {
        "given_name": "Alex",
        "family_name": "Example",
        "date_of_birth": "1990-05-17",
        "phone": "+44 7700 900123",
        "email": "alex@example.org",
        "postcode": "PE1 1HF",
        **overrides,
    }


def need_payload(**overrides: Any) -> Payload:
    return {"category": "alcohol_misuse", "severity": "medium", "preferred_mode": "face_to_face", **overrides}


def _diversion_decision() -> Payload:
    return {
        "force_id": FORCE_ID,
        "police_reference": POLICE_REFERENCE,
        "subject_ref": SUBJECT_REF,
        "disposal_type": "adult_conditional_caution",
        "offence": {
            "code": "CD71036",
            "category": "criminal_damage_and_arson",
            "gravity_score": 2,
            "mode_of_trial": "either_way",
        },
        "age_at_offence": 34,
        "sex": "female",
        "area": "peterborough",
        "admission": True,
        "sufficient_evidence": True,
        "consent": True,
        "victim_views": "sought",
        "criminal_history": {
            "previous_convictions": 0,
            "previous_cautions": 1,
            "domestic_abuse_conviction_or_caution_within_2_years": False,
        },
        "decided_at": DECIDED_AT,
        "authorised_by": {"officer": "PS4321", "rank": "sergeant"},
        "victim_wishes": ["apology", "help_for_the_offender"],
        "conditions": [agency_condition_payload(), letter_condition_payload()],
        "needs": [need_payload()],
        "personal": personal_payload(),
    }


def agency_condition_payload(**overrides: Any) -> Payload:
    """A rehabilitative condition an agency delivers and reports: attend and complete a course."""
    return {
        "kind": "rehabilitative",
        "description": "Attend and complete an alcohol awareness course.",
        "evidence": "completion",
        "reported_by": "agency",
        "addresses_need": "alcohol_misuse",
        "hours": 6,
        **overrides,
    }


def letter_condition_payload(**overrides: Any) -> Payload:
    """A reparative condition the officer reports: an apology letter."""
    return {
        "kind": "reparative",
        "description": "Write a letter of apology to the victim.",
        "evidence": "letter_sent",
        "reported_by": "officer",
        **overrides,
    }


def compensation_condition_payload(pence: int = 15_000, **overrides: Any) -> Payload:
    """Compensation to the victim, which the victim-contact role reports as it is paid."""
    return {
        "kind": "compensation",
        "description": "Pay compensation to the victim for the damage.",
        "evidence": "payment",
        "reported_by": "victim_contact",
        "amount_pence": pence,
        **overrides,
    }


def _agency_update(**fields: Any) -> Callable[[], Payload]:
    return lambda: {
        "case_id": str(CASE_ID),
        "referral_id": str(REFERRAL_ID),
        "agency_id": AGENCY_ID,
        "occurred_at": LATER,
        **fields,
    }


def _case_event(**fields: Any) -> Callable[[], Payload]:
    return lambda: {"case_id": str(CASE_ID), **fields}


_POLICE_CASE = {"force_id": FORCE_ID, "police_reference": POLICE_REFERENCE}
_OUTCOME = {**_POLICE_CASE, "disposal_type": "adult_conditional_caution"}

_PAYLOADS: dict[type[BaseModel], Callable[[], Payload]] = {
    commands.DiversionDecision: _diversion_decision,
    commands.NeedsAssessment: lambda: {**_POLICE_CASE, "assessed_at": LATER, "needs": [need_payload()]},
    commands.WithdrawCase: lambda: {**_POLICE_CASE, "reason": "entered_in_error", "withdrawn_at": LATER},
    commands.ConditionProgress: lambda: {
        **_POLICE_CASE,
        "condition_id": str(CONDITION_ID),
        "reported_by": "victim_contact",
        "report": "payment_received",
        "amount_pence": 5_000,
        "occurred_at": LATER,
    },
    commands.BreachDecision: lambda: {
        **_POLICE_CASE,
        "decision": "reasonable_excuse",
        "breach_sequence": 1,
        "officer": "PC1234",
        "decided_at": LATER,
        "reason": "In hospital on the days of both appointments.",
        "complete_by": "2025-07-21",
    },
    commands.ReferralAccepted: _agency_update(),
    commands.ReferralDeclined: _agency_update(reason="no_capacity"),
    commands.AppointmentScheduled: _agency_update(
        appointment_id=str(APPOINTMENT_ID),
        purpose="initial_assessment",
        scheduled_for="2025-03-14T09:30:00+00:00",
        mode="face_to_face",
    ),
    commands.AppointmentAttended: _agency_update(appointment_id=str(APPOINTMENT_ID)),
    commands.AppointmentMissed: _agency_update(appointment_id=str(APPOINTMENT_ID), absence_acceptable=False),
    commands.InterventionCompleted: _agency_update(
        goals=[{"need": "alcohol_misuse", "goal": "Complete the awareness course.", "outcome": "achieved"}]
    ),
    commands.Disengaged: _agency_update(last_contact_at="2025-04-01T12:00:00+00:00"),
    commands.Withdrawn: _agency_update(reason="moved_out_of_area"),
    commands.CaseworkerAssigned: _agency_update(caseworker="Sam Keeper"),
    commands.FirstContactMade: _agency_update(method="phone"),
    commands.ProgrammeAssessmentSubmitted: _agency_update(
        assessment_id=str(WORK_ID),
        needs=[
            {"category": "alcohol_misuse", "severity": "medium", "onward": "not_needed"},
            {"category": "finances_benefits_debt", "severity": "high", "onward": "consented"},
        ],
    ),
    commands.ActionPlanSubmitted: _agency_update(
        plan_id=str(WORK_ID),
        activities=[{"need": "alcohol_misuse", "activity": "Six weekly sessions on drinking and its triggers."}],
        goals=[{"need": "alcohol_misuse", "goal": "Drink within the low-risk guidelines."}],
        sessions_planned=6,
    ),
    commands.SessionRecorded: _agency_update(appointment_id=str(APPOINTMENT_ID), engagement="good"),
    commands.EndOfServiceReportSubmitted: _agency_update(
        needs=[{"need": "alcohol_misuse", "outcome": "partly_achieved"}],
        goals=[{"need": "alcohol_misuse", "goal": "Drink within the low-risk guidelines.", "outcome": "achieved"}],
    ),
    commands.CaseNoteWritten: _agency_update(note_id=str(WORK_ID), text="Asked to move sessions to mornings."),
    commands.ConcernRaised: _agency_update(
        concern_id=str(WORK_ID), kind="risk_to_a_child", urgency="immediate", details="Said a child is left alone."
    ),
    commands.ReplayDeadLetter: lambda: {
        "service": "intake",
        "partition": 1,
        "offset": 42,
        "operator": "operator:jsmith",
        "requested_at": LATER,
    },
    events.CaseOpened: _case_event(
        subject_ref=SUBJECT_REF,
        **_OUTCOME,
        offence_category="criminal_damage_and_arson",
        gravity_score=2,
        age_at_offence=34,
        sex="female",
        area="peterborough",
        domestic_abuse=False,
        conditions=[{"condition_id": str(CONDITION_ID), **agency_condition_payload()}],
        needs=[need_payload()],
        decided_at=DECIDED_AT,
        complete_by="2025-06-23",
        personal=sealed(CASE_ID, personal_payload())[0],
    ),
    events.CaseRejected: _case_event(
        **_OUTCOME,
        rule_outcomes=[
            {"rule": "admission_required", "passed": True, "reason": "Responsibility admitted."},
            {"rule": "gravity_within_limit", "passed": False, "reason": "Adjusted gravity 4 exceeds 3."},
        ],
    ),
    events.CaseWithdrawn: _case_event(reason="entered_in_error", withdrawn_at=LATER),
    events.NeedsAssessed: _case_event(needs=[need_payload()], assessed_at=LATER),
    events.DeadlineExtended: _case_event(
        previous_complete_by="2025-06-23", complete_by="2025-07-21", reason="subject_unwell"
    ),
    events.ConditionProgressReported: _case_event(
        condition_id=str(CONDITION_ID),
        reported_by="victim_contact",
        report="payment_received",
        amount_pence=5_000,
        occurred_at=LATER,
    ),
    events.BreachDecisionRecorded: _case_event(
        decision="reasonable_excuse",
        officer="PC1234",
        decided_at=LATER,
        reason="In hospital on the days of both appointments.",
        breach_sequence=1,
        complete_by="2025-07-21",
    ),
    events.ReferralIssued: _case_event(
        referral_id=str(REFERRAL_ID),
        agency_id=AGENCY_ID,
        needs=[need_payload()],
        delivery_mode="face_to_face",
        explanation="Serves alcohol_misuse in peterborough face to face; capacity 4 of 10; score 0.82.",
        issued_at="2025-03-03T11:00:00+00:00",
        respond_by="2025-03-07T17:00:00+00:00",
        brief={
            "disposal_type": "adult_conditional_caution",
            "complete_by": "2025-06-23",
            "conditions": [
                {
                    "condition_id": str(CONDITION_ID),
                    "kind": "rehabilitative",
                    "description": "Attend and complete an alcohol awareness course.",
                    "evidence": "completion",
                    "hours": 6,
                    "complete_by": "2025-06-23",
                }
            ],
        },
        personal=sealed(CASE_ID, personal_payload())[0],
    ),
    events.ReferralQueued: _case_event(
        referral_id=str(REFERRAL_ID),
        agency_id=AGENCY_ID,
        needs=[need_payload()],
        delivery_mode="face_to_face",
        explanation="Full: 10 of 10 places in use; the referral waits for a place.",
    ),
    events.ReferralUnmatched: _case_event(
        referral_id=str(NEW_REFERRAL_ID),
        needs=[need_payload(category="housing")],
        reason="no_eligible_agency",
        explanation="No agency in peterborough serves housing for adult conditional cautions.",
    ),
    events.ReferralRecalled: _case_event(referral_id=str(REFERRAL_ID), reason="need_no_longer_assessed"),
    events.ReferralStatusChanged: _case_event(
        referral_id=str(REFERRAL_ID),
        agency_id=AGENCY_ID,
        needs=["alcohol_misuse"],
        status="accepted",
        previous_status="issued",
        sequence=2,
        changed_at=LATER,
    ),
    events.ConditionStatusChanged: _case_event(
        condition_id=str(CONDITION_ID),
        kind="compensation",
        status="open",
        amount_paid_pence=5_000,
        sequence=1,
        changed_at=LATER,
    ),
    events.CaseStatusChanged: _case_event(
        **_OUTCOME,
        status="awaiting_police_decision",
        previous_status="open",
        reason="missed_appointment",
        next_step="prosecution_decision",
        complete_by="2025-06-23",
        sequence=1,
        changed_at=LATER,
    ),
    events.ProgrammeNeedsFound: _case_event(
        referral_id=str(REFERRAL_ID),
        agency_id=AGENCY_ID,
        assessment_id=str(WORK_ID),
        version=1,
        needs=[{"category": "finances_benefits_debt", "severity": "high", "onward": "consented"}],
        assessed_at=LATER,
    ),
    events.ReferralWorkRecorded: _case_event(
        referral_id=str(REFERRAL_ID),
        agency_id=AGENCY_ID,
        step="first_contact_made",
        occurred_at=LATER,
        contact_method="phone",
        first_contact_due="2025-03-10",
        within_service_level=True,
        sequence=2,
    ),
    events.SafeguardingConcernRecorded: _case_event(
        concern_id=str(WORK_ID),
        referral_id=str(REFERRAL_ID),
        agency_id=AGENCY_ID,
        **_POLICE_CASE,
        kind="risk_to_a_child",
        urgency="immediate",
        raised_at=LATER,
    ),
    events.SafeguardingConcernAcknowledged: _case_event(
        concern_id=str(WORK_ID), **_POLICE_CASE, acknowledged_by="Jo Duty", acknowledged_at=LATER
    ),
    events.ReoffendingSignal: _case_event(
        force_id="cambridgeshire",
        subject_ref=SUBJECT_REF,
        named_on="2026-01-12",
        offence_category="public_order",
        domestic_abuse=False,
    ),
}


def payload(model: type[BaseModel], **overrides: Any) -> Payload:
    """A valid JSON-ready payload for `model`, with `overrides` replacing top-level fields."""
    return {**_PAYLOADS[model](), **overrides}


def example(model: type[M], **overrides: Any) -> M:
    """A valid instance of `model`, with `overrides` replacing top-level fields."""
    return model.model_validate(payload(model, **overrides))


def diversion_decision(**overrides: Any) -> commands.DiversionDecision:
    return example(commands.DiversionDecision, **overrides)
