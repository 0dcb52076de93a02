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


class VictimWish(StrEnum):
    """What the victim told the police they want done about the offence, from a fixed list (their own words
    are kept sealed, with the person's details). The officer weighs them; the victim need not agree."""

    APOLOGY = "apology"
    COMPENSATION = "compensation"
    REPAIR_OF_DAMAGE = "repair_of_damage"
    RESTORATIVE_MEETING = "restorative_meeting"
    NO_CONTACT = "no_contact"
    HELP_FOR_THE_OFFENDER = "help_for_the_offender"
    NO_FURTHER_ACTION = "no_further_action"
    PROSECUTION = "prosecution"


class ModeOfTrial(StrEnum):
    """How an offence may be tried: what caps a conditional caution's financial penalty (SI 2013/615, 608)
    and whether a Crown Prosecutor must authorise the caution (indictable only)."""

    SUMMARY = "summary"
    EITHER_WAY = "either_way"
    INDICTABLE_ONLY = "indictable_only"


class Rank(StrEnum):
    """A police officer's rank, lowest first: a disposal's policy names the lowest that may authorise it."""

    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    CHIEF_INSPECTOR = "chief_inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent"
    ASSISTANT_CHIEF_CONSTABLE = "assistant_chief_constable"
    DEPUTY_CHIEF_CONSTABLE = "deputy_chief_constable"
    CHIEF_CONSTABLE = "chief_constable"

    def at_least(self, lowest: Rank) -> bool:
        ranks = list(Rank)
        return ranks.index(self) >= ranks.index(lowest)


class ConditionKind(StrEnum):
    """What a condition of a caution is for, as the Code of Practice groups them; policy says which a
    disposal allows and the limits of each."""

    REHABILITATIVE = "rehabilitative"
    """Work on what drives the offending, usually delivered by a partner agency."""
    REPARATIVE = "reparative"
    """Making good in kind to the victim or the community: an apology letter, repairing damage."""
    COMPENSATION = "compensation"
    """Financial reparation to the victim: an amount, which may be paid in instalments. Not a penalty."""
    PUNITIVE = "punitive"
    """A financial penalty, or unpaid work or attendance (at most 20 hours)."""
    RESTRICTIVE = "restrictive"
    """Not to do something for a period: not to enter a shop, not to contact the victim."""


class Evidence(StrEnum):
    """What shows a condition was met, and so what its reporter reports."""

    COMPLETION = "completion"
    """The intervention was completed (reported by the delivering agency, or the officer)."""
    ATTENDANCE = "attendance"
    """Attendance for a number of hours."""
    PAYMENT = "payment"
    """Payments received, adding up to the amount."""
    HOURS_WORKED = "hours_worked"
    """Hours of unpaid work, adding up to the hours set."""
    LETTER_SENT = "letter_sent"
    """A letter (of apology) was sent."""
    NO_VIOLATION = "no_violation"
    """A restriction: met when its period ends with no violation reported."""


class ConditionReporter(StrEnum):
    """Who reports a condition's progress: the only source the platform believes for it."""

    AGENCY = "agency"
    """The partner agency delivering the need the condition addresses (through its referral)."""
    OFFICER = "officer"
    """The officer in the case, through the police system."""
    VICTIM_CONTACT = "victim_contact"
    """The victim-contact role, for reparation and compensation to the victim."""


class ProgressReport(StrEnum):
    """What the officer or the victim-contact role reports about a condition."""

    PAYMENT_RECEIVED = "payment_received"
    HOURS_COMPLETED = "hours_completed"
    LETTER_SENT = "letter_sent"
    COMPLETED = "completed"
    NOT_COMPLIED = "not_complied"
    """The person did not comply (a restriction broken, a refusal): the condition is breached."""


class ConditionStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    BREACHED = "breached"
    VARIED = "varied"
    """Replaced by the police's varied conditions after a reasonable excuse."""
    CANCELLED = "cancelled"
    """The case ended otherwise (withdrawn, prosecuted, no further action) before it was met."""


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


class UnmatchedReason(StrEnum):
    """Why the router could not place a need; operations sees these as unplaced referrals."""

    NO_ELIGIBLE_AGENCY = "no_eligible_agency"
    NO_CAPACITY = "no_capacity"
    ALL_AGENCIES_DECLINED = "all_agencies_declined"


class RecallReason(StrEnum):
    """Why the router no longer wants a referral it placed."""

    NEED_NO_LONGER_ASSESSED = "need_no_longer_assessed"
    """A re-assessment dropped every need of the referral."""
    REROUTE_NOT_NEEDED = "reroute_not_needed"
    """The referral left its agency, and its needs are no longer wanted: nothing replaces it."""


class CancellationReason(StrEnum):
    """Why a referral ended before its intervention did."""

    CASE_WITHDRAWN = "case_withdrawn"
    CASE_CLOSED = "case_closed"
    NEED_NO_LONGER_ASSESSED = "need_no_longer_assessed"
    REPLACED = "replaced"
    """The router placed its needs afresh (an unmatched need tried again)."""


class ReferralStatus(StrEnum):
    """A referral's lifecycle, decided by compliance alone and followed by every other service."""

    UNMATCHED = "unmatched"
    """No agency could take its needs; it waits for someone to act."""
    QUEUED = "queued"
    """Placed with a full agency; waits for a place, not yet sent to the agency."""
    ISSUED = "issued"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    BREACHED = "breached"
    DISENGAGED = "disengaged"
    DECLINED = "declined"
    TIMED_OUT = "timed_out"
    """The agency did not accept or decline within its service level."""
    AGENCY_WITHDREW = "agency_withdrew"
    CANCELLED = "cancelled"


class CaseStatus(StrEnum):
    """Where a case stands, decided by compliance alone (intake adds `rejected` for decisions it refused)."""

    OPEN = "open"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    """A Community Resolution that was not completed: recorded, never enforced."""
    AWAITING_POLICE_DECISION = "awaiting_police_decision"
    """A caution was breached, or could not be complied with for want of a place: the police decide."""
    BREACHED = "breached"
    """A caution whose breach leads to a financial penalty rather than a prosecution decision."""
    PROSECUTED = "prosecuted"
    NO_FURTHER_ACTION = "no_further_action"
    WITHDRAWN = "withdrawn"


class NonComplianceReason(StrEnum):
    """Why a condition or case was breached or not completed, or could not be complied with."""

    MISSED_APPOINTMENT = "missed_appointment"
    """Missed without an acceptable reason."""
    DISENGAGED = "disengaged"
    DEADLINE_PASSED = "deadline_passed"
    CONDITION_NOT_MET = "condition_not_met"
    NO_PLACE_AVAILABLE = "no_place_available"
    """Not a breach: a required referral never started because no agency could take it."""


class BreachNextStep(StrEnum):
    """What follows a breach; the police decide, the platform only says which path applies."""

    PROSECUTION_DECISION = "prosecution_decision"
    FINANCIAL_PENALTY = "financial_penalty"


class PoliceDecision(StrEnum):
    """What the police decided after a breach, or after a case could not be complied with."""

    REASONABLE_EXCUSE = "reasonable_excuse"
    """Continue: the case is tracked again, with varied conditions and/or a new deadline."""
    PROSECUTE = "prosecute"
    """Prosecute for the original offence."""
    NO_FURTHER_ACTION = "no_further_action"


class DisclosedField(StrEnum):
    """What may be disclosed to an agency about a person it is referred; each agency's catalogue entry
    lists the ones it needs."""

    GIVEN_NAME = "given_name"
    FAMILY_NAME = "family_name"
    DATE_OF_BIRTH = "date_of_birth"
    PHONE = "phone"
    EMAIL = "email"
    POSTCODE = "postcode"
    DISPOSAL_TYPE = "disposal_type"
    COMPLETE_BY = "complete_by"
    CONDITIONS = "conditions"
    """The conditions the agency must deliver (those addressing the referral's needs): kind and text."""
    DASH_RISK = "dash_risk"
    """Domestic-abuse programmes only."""
    NEEDS = "needs"
    """Each of the referral's needs with its severity."""
    RISK_OF_HARM = "risk_of_harm"
    """The officer's assessment of the person's risk of harm to others, to work safely."""
    SAFEGUARDING_FLAGS = "safeguarding_flags"
    """What the police know that anyone working with the person must know (children in the household, …)."""
    OFFICER = "officer"
    """The officer in the case and their work contact details."""


class ErasureReason(StrEnum):
    """Why a person's details are erased before retention would: a fixed list, so none holds personal data."""

    DATA_SUBJECT_REQUEST = "data_subject_request"
    """The person asked (DPA 2018 s.47)."""
    RECORDED_IN_ERROR = "recorded_in_error"
    """The details are of the wrong person, or the case should never have been opened."""
    COURT_ORDER = "court_order"
    SAFEGUARDING = "safeguarding"
    """Keeping the details endangers the person or a victim."""


class ContactMethod(StrEnum):
    """How an agency first reached the person."""

    PHONE = "phone"
    TEXT_MESSAGE = "text_message"
    EMAIL = "email"
    LETTER = "letter"
    FACE_TO_FACE = "face_to_face"
    VIDEO = "video"


class Engagement(StrEnum):
    """How the person engaged in a session, on the fixed scale every agency uses (so that agencies compare)."""

    NOT_ENGAGED = "not_engaged"
    """Present, but took no part."""
    LIMITED = "limited"
    GOOD = "good"
    FULL = "full"
    """Took a full and active part."""


class OnwardReferral(StrEnum):
    """What is to happen about a need a programme's assessment found."""

    NOT_NEEDED = "not_needed"
    """The programme works on it itself, or no help from elsewhere is wanted."""
    CONSENTED = "consented"
    """Refer onward: the person agreed that their details go to the agency that takes it."""
    REFUSED = "refused"
    """Help from elsewhere would fit, but the person does not agree to be referred: nothing is disclosed."""


class ActionPlanApproval(StrEnum):
    """Whether an agency keeps an action plan and who approves it (per agency, in the catalogue)."""

    DIVERSION_TEAM = "diversion_team"
    """The diversion team approves each version, or returns it with a reason."""
    AUTOMATIC = "automatic"
    """Approved when submitted (an established programme the force trusts)."""
    NO_PLAN = "no_plan"
    """The agency keeps no action plan (a food bank)."""


class PlanStatus(StrEnum):
    """An action plan version's standing: the latest version submitted is the one that counts."""

    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    RETURNED = "returned"
    """Sent back with a reason, for the agency to revise."""
    SUPERSEDED = "superseded"
    """A later version was submitted before this one was decided (or after it was approved)."""


class ConcernKind(StrEnum):
    """What a safeguarding concern is about."""

    RISK_TO_SELF = "risk_to_self"
    RISK_TO_OTHERS = "risk_to_others"
    RISK_TO_A_CHILD = "risk_to_a_child"
    DOMESTIC_ABUSE = "domestic_abuse"
    EXPLOITATION = "exploitation"
    """Criminal or sexual exploitation, county lines, modern slavery."""
    CONCERNING_BEHAVIOUR = "concerning_behaviour"
    """Behaviour in a session the agency flagged for the police."""
    OTHER = "other"


class Urgency(StrEnum):
    """How soon the police must act on a concern."""

    IMMEDIATE = "immediate"
    """Someone is at risk now."""
    WITHIN_24_HOURS = "within_24_hours"
    ROUTINE = "routine"


class WorkStep(StrEnum):
    """One step of an agency's work on a referral, as `referral.work.recorded` tells it."""

    CASEWORKER_ASSIGNED = "caseworker_assigned"
    FIRST_CONTACT_MADE = "first_contact_made"
    ACTION_PLAN_SUBMITTED = "action_plan_submitted"
    ACTION_PLAN_APPROVED = "action_plan_approved"
    ACTION_PLAN_RETURNED = "action_plan_returned"
    SESSION_RECORDED = "session_recorded"
    END_OF_SERVICE_REPORT_SUBMITTED = "end_of_service_report_submitted"
    CASE_NOTE_WRITTEN = "case_note_written"
    REMINDER_SENT = "reminder_sent"
    REMINDER_DELIVERED = "reminder_delivered"
    REMINDER_FAILED = "reminder_failed"


class ReminderChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class ReminderStatus(StrEnum):
    """Where a reminder to the person stands (GOV.UK Notify's statuses, grouped)."""

    PENDING = "pending"
    """Not due yet."""
    SENDING = "sending"
    """Handed to Notify, not yet delivered."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """Notify could not deliver it (a wrong number, a full inbox, a network fault): the agency sees it."""
    NOT_SENT = "not_sent"
    """No phone number or email the agency could use, or the appointment was no longer on."""


class NoteAuthor(StrEnum):
    AGENCY = "agency"
    DIVERSION_TEAM = "diversion_team"


class SafeguardingFlag(StrEnum):
    """What the police know that anyone working with the person must know to work safely."""

    CHILDREN_IN_HOUSEHOLD = "children_in_household"
    VULNERABLE_ADULT = "vulnerable_adult"
    RISK_TO_STAFF = "risk_to_staff"
    WEAPONS = "weapons"
    SELF_HARM = "self_harm"
    SUBSTANCE_USE = "substance_use"


class RiskLevel(StrEnum):
    """The officer's assessment of the person's risk of harm to others."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
