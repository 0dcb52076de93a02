"""The domain's closed vocabularies, shared by every message.

Values are lower-case snake_case strings so they read the same in JSON, SQL and logs. Adding a
value to one of these is a contract change: an existing `.v1` consumer validates enums strictly
and would reject the new value (see `schemas.compatibility`).
"""

from __future__ import annotations

from enum import StrEnum


class DisposalType(StrEnum):
    """Out-of-court disposals; what each one requires is policy data, not branches on this enum."""

    COMMUNITY_RESOLUTION = "community_resolution"
    ADULT_CONDITIONAL_CAUTION = "adult_conditional_caution"
    YOUTH_CONDITIONAL_CAUTION = "youth_conditional_caution"
    DIVERSIONARY_CAUTION = "diversionary_caution"
    """Upper tier of the two-tier framework: breach leads to a prosecution decision."""
    COMMUNITY_CAUTION = "community_caution"
    """Lower tier of the two-tier framework: breach leads to a financial penalty."""


class OffenceCategory(StrEnum):
    """Home Office offence groups; coarse enough to route on without revealing the offence."""

    VIOLENCE_AGAINST_THE_PERSON = "violence_against_the_person"
    SEXUAL_OFFENCES = "sexual_offences"
    ROBBERY = "robbery"
    THEFT = "theft"
    CRIMINAL_DAMAGE_AND_ARSON = "criminal_damage_and_arson"
    DRUG_OFFENCES = "drug_offences"
    POSSESSION_OF_WEAPONS = "possession_of_weapons"
    PUBLIC_ORDER = "public_order"
    MISCELLANEOUS_CRIMES_AGAINST_SOCIETY = "miscellaneous_crimes_against_society"
    FRAUD = "fraud"
    MOTORING = "motoring"


class NeedCategory(StrEnum):
    """What drives the offending and what partner agencies are matched on."""

    PHYSICAL_HEALTH = "physical_health"
    MENTAL_HEALTH = "mental_health"
    FINANCES_BENEFITS_DEBT = "finances_benefits_debt"
    """Includes food bank referrals."""
    HOUSING = "housing"
    EDUCATION_TRAINING = "education_training"
    EMPLOYMENT = "employment"
    DRUG_MISUSE = "drug_misuse"
    ALCOHOL_MISUSE = "alcohol_misuse"
    ANGER_MANAGEMENT = "anger_management"
    DA_PERPETRATOR_PROGRAMME = "da_perpetrator_programme"
    DA_VICTIM_SUPPORT = "da_victim_support"
    HIDDEN_VICTIMISATION = "hidden_victimisation"
    """Exploitation or abuse the person suffered that was never reported."""
    WOMEN_SPECIFIC_SUPPORT = "women_specific_support"


class Severity(StrEnum):
    """How pressing an assessed need is; with the need it decides how an intervention is delivered."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class DeliveryMode(StrEnum):
    """How an intervention or appointment is delivered."""

    ONLINE = "online"
    FACE_TO_FACE = "face_to_face"
    HYBRID = "hybrid"


class DashRiskLevel(StrEnum):
    """Risk level from the DASH domestic-abuse risk assessment; `high` is never diverted."""

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class Sex(StrEnum):
    """Sex as recorded by the police; some programmes accept one sex only."""

    FEMALE = "female"
    MALE = "male"
    NOT_KNOWN = "not_known"


class VictimViews(StrEnum):
    """Whether the victim's views were sought, as every disposal requires when there is a victim."""

    SOUGHT = "sought"
    NOT_SOUGHT = "not_sought"
    NO_IDENTIFIABLE_VICTIM = "no_identifiable_victim"


class ConditionKind(StrEnum):
    """Kinds of condition attached to a caution; limits differ per kind (e.g. attendance hours)."""

    REHABILITATIVE = "rehabilitative"
    REPARATIVE = "reparative"
    PUNITIVE = "punitive"


class GoalOutcome(StrEnum):
    """How far one goal of an intervention's action plan was met."""

    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"


class AppointmentPurpose(StrEnum):
    """What an appointment is for; the service levels are measured on the first two."""

    INITIAL_ASSESSMENT = "initial_assessment"
    ACTION_PLANNING = "action_planning"
    INTERVENTION_SESSION = "intervention_session"
    REVIEW = "review"


class DeclineReason(StrEnum):
    """Why an agency declined a referral; decides whether the router tries another agency."""

    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    OUTSIDE_AREA = "outside_area"
    NEED_NOT_SERVED = "need_not_served"
    RISK_TOO_HIGH = "risk_too_high"
    DUPLICATE_REFERRAL = "duplicate_referral"
    OTHER = "other"


class AgencyWithdrawalReason(StrEnum):
    """Why an agency stopped working with a person it had accepted, through no breach of theirs."""

    SAFEGUARDING_CONCERN = "safeguarding_concern"
    SERVICE_UNAVAILABLE = "service_unavailable"
    MOVED_OUT_OF_AREA = "moved_out_of_area"
    IN_CUSTODY = "in_custody"
    OTHER = "other"


class WithdrawalReason(StrEnum):
    """Why the police withdrew a case after deciding on it."""

    DECISION_REVOKED = "decision_revoked"
    PROSECUTION_INSTEAD = "prosecution_instead"
    ENTERED_IN_ERROR = "entered_in_error"
    SUBJECT_DECEASED = "subject_deceased"
    OTHER = "other"


class ExtensionReason(StrEnum):
    """Why a case's deadline moved past the normal 16 weeks (to at most 20)."""

    EXCEPTIONAL_CIRCUMSTANCES = "exceptional_circumstances"
    AWAITING_AGENCY_CAPACITY = "awaiting_agency_capacity"
    SUBJECT_UNWELL = "subject_unwell"


class ReassignmentReason(StrEnum):
    """Why the router moved a referral to another agency."""

    DECLINED = "declined"
    NO_RESPONSE = "no_response"
    AGENCY_WITHDREW = "agency_withdrew"


class UnmatchedReason(StrEnum):
    """Why the router could not place a need; operations sees these as unplaced referrals."""

    NO_ELIGIBLE_AGENCY = "no_eligible_agency"
    NO_CAPACITY = "no_capacity"
    ALL_AGENCIES_DECLINED = "all_agencies_declined"


class CancellationReason(StrEnum):
    """Why a referral was cancelled before the intervention ended."""

    CASE_WITHDRAWN = "case_withdrawn"
    CASE_CLOSED = "case_closed"
    NEED_NO_LONGER_ASSESSED = "need_no_longer_assessed"


class NonComplianceReason(StrEnum):
    """Why a condition or case was breached or not completed."""

    MISSED_APPOINTMENT = "missed_appointment"
    """Missed without an acceptable reason."""
    DISENGAGED = "disengaged"
    DEADLINE_PASSED = "deadline_passed"
    CONDITION_NOT_MET = "condition_not_met"


class BreachNextStep(StrEnum):
    """What follows a breach; the police decide, the platform only says which path applies."""

    PROSECUTION_DECISION = "prosecution_decision"
    FINANCIAL_PENALTY = "financial_penalty"
