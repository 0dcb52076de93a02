"""Where each rule intake applies comes from: the law of England and Wales, or the force's own policy.

Every rule's explained outcome names its source, so that an officer, a supervisor or a scrutiny panel can
check a refusal against the text it rests on. The sources are kept here, once, and nowhere else; the values
a force may choose (its gravity limits, its minimum ranks, its clock skew) are in its policy file, and the
values the law fixes (the 20-hour cap, the financial-penalty caps, the age of a juvenile) are in the policy
too, checked against the law when the file is loaded (`policy.py`).
"""

from __future__ import annotations

from schemas.vocabulary import DisposalType, ModeOfTrial, Rank

FORCE_POLICY = "force policy {version}"
"""A rule the force sets for itself (formatted with the policy's version)."""

ADULT_CONDITIONAL_CAUTION = "Criminal Justice Act 2003 s.22(1)"
"""A conditional caution may be given to a person aged 18 or over."""
YOUTH_CONDITIONAL_CAUTION = "Crime and Disorder Act 1998 s.66A"
"""A youth conditional caution, for a child or young person (10 to 17)."""
CONDITIONAL_CAUTION_REQUIREMENTS = "Criminal Justice Act 2003 s.23"
"""Evidence, a decision that there is enough to charge, an admission, the effect explained, signed consent."""
YOUTH_CAUTION_REQUIREMENTS = "Crime and Disorder Act 1998 s.66B"
COMMUNITY_RESOLUTION = "Anti-social Behaviour, Crime and Policing Act 2014 s.102; community resolution guidance"
"""Not in statute as such: the person admits, agrees, the evidence would do for court, the victim's views
are sought (s.102(1)(b), (1)(c), (3)) — the force's policy under national guidance."""
APPROPRIATE_ADULT = "PACE 1984 Code C para 1.5; Criminal Justice and Courts Act 2015 s.41"
"""Anyone under 18 is a juvenile, and a juvenile needs an appropriate adult (17-year-olds since 2015)."""
AUTHORISED_PERSON = "DPP's Guidance on Adult Conditional Cautions (7th ed. 2013) §2; CJA 2003 s.22(4)"
"""Decided by a police officer not below the rank of sergeant (or a person a prosecutor authorises)."""
PROSECUTOR_FOR_INDICTABLE_ONLY = "DPP's Guidance on Adult Conditional Cautions (7th ed. 2013) §6"
"""Offences triable only on indictment are referred to a Crown Prosecutor, whose authority is recorded."""
KINDS_OF_CONDITION = "Criminal Justice Act 2003 s.22(3), (3A)"
"""Rehabilitation, reparation, punishment; a financial penalty, attendance at a place and time."""
ATTENDANCE_HOURS = "Criminal Justice Act 2003 s.22(3B)"
"""Attendance for other than rehabilitation: at most 20 hours in total."""
ADULT_FINANCIAL_PENALTIES = "Criminal Justice Act 2003 s.23A; SI 2013/615 art.2"
"""Only for prescribed offences; at most £50 summary, £100 either way, £150 indictable only."""
YOUTH_FINANCIAL_PENALTIES = "SI 2013/608 art.2 (Youth Conditional Cautions: Financial Penalties Order)"
"""Ages 14–17: £30 / £50 / £75; ages 10–13: £15 / £25 / £35."""
TIME_LIMIT = "Code of Practice for Adult Conditional Cautions (2013)"
"""Conditions completed within 16 weeks of the caution, exceptionally 20."""
VARIATION = "Criminal Justice Act 2003 Part 3 (variation of conditions, with the offender's consent)"
"""The conditions may be varied only with the person's consent (for youths, Crime and Disorder Act 1998 s.66D)."""
VICTIMS_CODE = "Code of Practice for Victims of Crime in England and Wales (2020), Right 6"
"""Victims are asked their views, and told of the outcome, including an out-of-court disposal."""

ELIGIBILITY = {
    DisposalType.ADULT_CONDITIONAL_CAUTION: ADULT_CONDITIONAL_CAUTION,
    DisposalType.YOUTH_CONDITIONAL_CAUTION: YOUTH_CONDITIONAL_CAUTION,
    DisposalType.COMMUNITY_RESOLUTION: COMMUNITY_RESOLUTION,
    DisposalType.DIVERSIONARY_CAUTION: "Police, Crime, Sentencing and Courts Act 2022 Part 6 (not yet in force)",
    DisposalType.COMMUNITY_CAUTION: "Police, Crime, Sentencing and Courts Act 2022 Part 6 (not yet in force)",
}
"""Who a disposal is for, by the law that makes it."""
REQUIREMENTS = {
    DisposalType.ADULT_CONDITIONAL_CAUTION: CONDITIONAL_CAUTION_REQUIREMENTS,
    DisposalType.YOUTH_CONDITIONAL_CAUTION: YOUTH_CAUTION_REQUIREMENTS,
    DisposalType.COMMUNITY_RESOLUTION: COMMUNITY_RESOLUTION,
    DisposalType.DIVERSIONARY_CAUTION: ELIGIBILITY[DisposalType.DIVERSIONARY_CAUTION],
    DisposalType.COMMUNITY_CAUTION: ELIGIBILITY[DisposalType.COMMUNITY_CAUTION],
}
"""Where a disposal's admission, evidence and consent requirements come from."""
AUTHORISATION = {
    DisposalType.ADULT_CONDITIONAL_CAUTION: AUTHORISED_PERSON,
    DisposalType.YOUTH_CONDITIONAL_CAUTION: AUTHORISED_PERSON,
    DisposalType.DIVERSIONARY_CAUTION: AUTHORISED_PERSON,
    DisposalType.COMMUNITY_CAUTION: AUTHORISED_PERSON,
}
"""Who may authorise a caution; a Community Resolution's authorisation is the force's own rule."""
LOWEST_AUTHORISING_RANK = Rank.SERGEANT
"""DPP's Guidance §2: no caution in `AUTHORISATION` is decided below sergeant, whatever a force's policy says."""
LAWFUL_AGES = {
    DisposalType.ADULT_CONDITIONAL_CAUTION: (18, None),
    DisposalType.YOUTH_CONDITIONAL_CAUTION: (10, 17),
    DisposalType.COMMUNITY_RESOLUTION: (10, None),
    DisposalType.DIVERSIONARY_CAUTION: (10, None),
    DisposalType.COMMUNITY_CAUTION: (10, None),
}
"""The ages (at the offence) the law lets each disposal be given at, by `ELIGIBILITY`'s sources: a conditional
caution from 18, a youth conditional caution from 10 to 17, nothing below the age of criminal responsibility (10).
A force may narrow these, never widen them."""

ADULT_PENALTY_MAXIMA_PENCE = {
    ModeOfTrial.SUMMARY: 5_000,
    ModeOfTrial.EITHER_WAY: 10_000,
    ModeOfTrial.INDICTABLE_ONLY: 15_000,
}
"""SI 2013/615 art.2: the most an adult's financial penalty may be, by the offence's mode of trial."""
YOUTH_PENALTY_MAXIMA_PENCE = {
    14: {ModeOfTrial.SUMMARY: 3_000, ModeOfTrial.EITHER_WAY: 5_000, ModeOfTrial.INDICTABLE_ONLY: 7_500},
    10: {ModeOfTrial.SUMMARY: 1_500, ModeOfTrial.EITHER_WAY: 2_500, ModeOfTrial.INDICTABLE_ONLY: 3_500},
}
"""SI 2013/608 art.2: the same for youths, by the youngest age of each band (14–17, 10–13)."""
MAX_NON_REHABILITATIVE_HOURS = 20
"""CJA 2003 s.22(3B)."""
JUVENILE_UNDER = 18
"""PACE Code C para 1.5: anyone under 18 is a juvenile, who needs an appropriate adult."""
CONDITIONAL_CAUTION_WEEKS = (16, 20)
"""Code of Practice for Adult Conditional Cautions: conditions normally done in 16 weeks, at most 20."""
