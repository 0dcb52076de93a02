"""Is a diversion decision allowed by the law and the force's policy? Every rule answers, with its reason and
its source.

The outcome is *explained*: each rule says whether it passed, why, in words a custody sergeant or a scrutiny
panel can check, and what it rests on (a section of an Act, a statutory instrument, the DPP's guidance, or the
force's own policy — `law.py`). The whole list is stored with the case and returned to the police system.
Rules never read personal data and their reasons never repeat it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas.calendar import local_date
from schemas.commands import DiversionDecision
from schemas.vocabulary import ModeOfTrial, VictimViews
from services.intake.domain import deadlines, law
from services.intake.domain.condition_rules import check_conditions
from services.intake.domain.policy import DisposalPolicy, Policy
from services.intake.domain.rule_result import RuleResult
from services.intake.domain.victim_wishes import weigh_victim_wishes

__all__ = ["RuleResult", "Verdict", "adjusted_gravity", "assess"]


@dataclass(frozen=True)
class Verdict:
    results: tuple[RuleResult, ...]
    adjusted_gravity: int
    youth_offending_team: bool

    @property
    def eligible(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if not result.passed)


def assess(decision: DiversionDecision, policy: Policy, *, now: datetime) -> Verdict:
    """Apply every rule of the law and of `policy` to `decision`, as of `now`."""
    rules = _Rules(decision, policy, now)
    return Verdict(
        results=(*(rule() for rule in rules.all()), *rules.conditions()),
        adjusted_gravity=rules.adjusted_gravity,
        youth_offending_team=rules.is_youth and policy.youth.refer_to_youth_offending_team,
    )


def adjusted_gravity(decision: DiversionDecision, policy: Policy) -> int:
    """The gravity score moved up for aggravating and down for mitigating factors, kept within the matrix."""
    gravity = policy.gravity
    score = decision.offence.gravity_score
    score += gravity.adjustment * decision.offence.aggravating - gravity.adjustment * decision.offence.mitigating
    return max(gravity.minimum, min(gravity.maximum, score))


class _Rules:
    def __init__(self, decision: DiversionDecision, policy: Policy, now: datetime) -> None:
        self.decision = decision
        self.policy = policy
        self.now = now
        self.disposal: DisposalPolicy = policy.disposals[decision.disposal_type]
        self.adjusted_gravity = adjusted_gravity(decision, policy)
        self.label = decision.disposal_type.value.replace("_", " ")
        self.is_youth = decision.age_at_offence <= policy.youth.up_to_age
        self.own = policy.source
        """The source of a rule the force sets for itself."""
        self.requirements = law.REQUIREMENTS[decision.disposal_type]

    def all(self) -> list[Callable[[], RuleResult]]:
        return [
            self.disposal_available,
            self.area,
            self.decided_at,
            self.age_band,
            self.appropriate_adult,
            self.authorised_by,
            self.mode_of_trial,
            self.prosecutor_authority,
            self.admission,
            self.sufficient_evidence,
            self.consent,
            self.victim_views,
            self.victim_wishes,
            self.gravity,
            self.previous_convictions,
            self.previous_cautions,
            self.da_risk,
            self.da_coercive_control,
            self.da_history,
            self.da_victim_agreement,
            self.da_intimate_partner_disposal,
        ]

    def disposal_available(self) -> RuleResult:
        on = self.disposal.enabled
        return RuleResult(
            "disposal_available",
            on,
            f"{self.label} is {'available' if on else 'not available'} under policy {self.policy.version}",
            self.own,
        )

    def area(self) -> RuleResult:
        area, served = self.decision.area, self.policy.areas
        return RuleResult(
            "area",
            area in served,
            f"{area} is {'one' if area in served else 'not one'} of {self.policy.name}'s districts",
            self.own,
        )

    def decided_at(self) -> RuleResult:
        latest = self.now + timedelta(seconds=self.policy.max_clock_skew_seconds)
        passed = self.decision.decided_at <= latest
        reason = "decided at or before now" if passed else "dated in the future: a decision records what was decided"
        return RuleResult("decided_at", passed, reason, self.own)

    def age_band(self) -> RuleResult:
        low, high, age = self.disposal.min_age, self.disposal.max_age, self.decision.age_at_offence
        band = f"the {low}–{high} band" if high is not None else f"the {low}-and-over band"
        passed = age >= low and (high is None or age <= high)
        return RuleResult(
            "age_band",
            passed,
            f"age {age} is {'within' if passed else 'outside'} {band} for {self.label}",
            law.ELIGIBILITY[self.decision.disposal_type],
        )

    def appropriate_adult(self) -> RuleResult:
        limit = self.disposal.appropriate_adult_up_to_age
        if limit is None or self.decision.age_at_offence > limit:
            return RuleResult("appropriate_adult", True, "no appropriate adult required", law.APPROPRIATE_ADULT)
        present = self.decision.appropriate_adult_present
        return RuleResult(
            "appropriate_adult",
            present,
            f"an appropriate adult is required at {limit} or under and was {'present' if present else 'not present'}",
            law.APPROPRIATE_ADULT,
        )

    def authorised_by(self) -> RuleResult:
        lowest, authorisation = self.disposal.authorised_by_at_least, self.decision.authorised_by
        source = law.AUTHORISATION.get(self.decision.disposal_type, self.own)
        if authorisation is None:
            return RuleResult("authorised_by", False, f"no authorising officer recorded ({lowest} or above)", source)
        passed = authorisation.rank.at_least(lowest)
        rank = authorisation.rank.value.replace("_", " ")
        return RuleResult(
            "authorised_by",
            passed,
            f"authorised by a {rank}; {self.label} needs a {lowest.value.replace('_', ' ')} or above",
            source,
        )

    def mode_of_trial(self) -> RuleResult:
        mode = self.decision.offence.mode_of_trial
        if mode is None:
            return RuleResult(
                "mode_of_trial",
                False,
                "the offence's mode of trial is required: it caps a financial penalty and says whether a "
                "prosecutor must authorise",
                law.PROSECUTOR_FOR_INDICTABLE_ONLY,
            )
        return RuleResult(
            "mode_of_trial", True, f"offence triable {mode.value.replace('_', ' ')}", law.PROSECUTOR_FOR_INDICTABLE_ONLY
        )

    def prosecutor_authority(self) -> RuleResult:
        if self.decision.offence.mode_of_trial != ModeOfTrial.INDICTABLE_ONLY:
            return RuleResult(
                "prosecutor_authority", True, "not triable only on indictment", law.PROSECUTOR_FOR_INDICTABLE_ONLY
            )
        recorded = self.decision.prosecutor_authority is not None
        return RuleResult(
            "prosecutor_authority",
            recorded,
            "a Crown Prosecutor's authority is recorded"
            if recorded
            else "triable only on indictment: a Crown Prosecutor's authority must be recorded",
            law.PROSECUTOR_FOR_INDICTABLE_ONLY,
        )

    def _requirement(self, rule: str, required: bool, met: bool, what: str) -> RuleResult:
        if not required:
            return RuleResult(rule, True, f"{what} not required for {self.label}", self.own)
        return RuleResult(rule, met, f"{what} {'recorded' if met else 'required but not recorded'}", self.requirements)

    def admission(self) -> RuleResult:
        return self._requirement(
            "admission", self.disposal.requires.admission, self.decision.admission, "admission of responsibility"
        )

    def sufficient_evidence(self) -> RuleResult:
        return self._requirement(
            "sufficient_evidence",
            self.disposal.requires.sufficient_evidence,
            self.decision.sufficient_evidence,
            "evidence enough to charge (an offence capable of proof)",
        )

    def consent(self) -> RuleResult:
        return self._requirement(
            "consent",
            self.disposal.requires.consent,
            self.decision.consent,
            "the person's agreement to the disposal and its conditions",
        )

    def victim_views(self) -> RuleResult:
        views = self.decision.victim_views
        if views == VictimViews.NO_IDENTIFIABLE_VICTIM:
            return RuleResult("victim_views", True, "no identifiable victim", law.VICTIMS_CODE)
        if not self.disposal.requires.victim_views_sought:
            return RuleResult("victim_views", True, f"victim's views not required for {self.label}", self.own)
        sought = views == VictimViews.SOUGHT
        return RuleResult(
            "victim_views",
            sought,
            "victim's views sought" if sought else "victim's views required but not sought",
            law.VICTIMS_CODE,
        )

    def victim_wishes(self) -> RuleResult:
        """Never refuses (the victim need not agree; the officer decides): says how the disposal answers what
        the victim asked for, so that it can be read, and told to the victim."""
        return RuleResult(
            "victim_wishes",
            True,
            weigh_victim_wishes(self.decision.victim_wishes, self.decision.conditions, self.label),
            law.VICTIMS_CODE,
        )

    def gravity(self) -> RuleResult:
        score, limit = self.adjusted_gravity, self.disposal.max_gravity
        raw = self.decision.offence.gravity_score
        detail = f"gravity {raw} adjusted to {score}" if score != raw else f"gravity {score}"
        return RuleResult("gravity", score <= limit, f"{detail}; {self.label} allows up to {limit}", self.own)

    def previous_convictions(self) -> RuleResult:
        count, limit = self.decision.criminal_history.previous_convictions, self.disposal.max_previous_convictions
        return RuleResult(
            "previous_convictions", count <= limit, f"previous convictions: {count}; limit {limit}", self.own
        )

    def previous_cautions(self) -> RuleResult:
        count, limit = self.decision.criminal_history.previous_cautions, self.disposal.max_previous_cautions
        return RuleResult("previous_cautions", count <= limit, f"previous cautions: {count}; limit {limit}", self.own)

    def conditions(self) -> list[RuleResult]:
        decision = self.decision
        return check_conditions(
            decision.conditions,
            self.disposal,
            label=self.label,
            offence=decision.offence.category,
            mode_of_trial=decision.offence.mode_of_trial,
            penalty_caps=self.policy.financial_penalty_caps.for_age(decision.age_at_offence),
            youth=decision.age_at_offence < law.JUVENILE_UNDER,
            decided_on=local_date(decision.decided_at),
            complete_by=deadlines.complete_by(decision.decided_at, self.disposal),
            own=self.own,
        )

    def _domestic_abuse(self, rule: str, passed: Callable[[], bool], reason: Callable[[bool], str]) -> RuleResult:
        if self.decision.domestic_abuse is None:
            return RuleResult(rule, True, "not a domestic abuse case", self.own)
        ok = passed()
        return RuleResult(rule, ok, reason(ok), self.own)

    def da_risk(self) -> RuleResult:
        screen = self.decision.domestic_abuse
        return self._domestic_abuse(
            "da_risk",
            lambda: screen.dash_risk not in self.policy.domestic_abuse.excluded_dash_risk,
            lambda ok: f"DASH risk {screen.dash_risk.value} {'may' if ok else 'may not'} be diverted",
        )

    def da_coercive_control(self) -> RuleResult:
        screen = self.decision.domestic_abuse
        excluded = self.policy.domestic_abuse.exclude_coercive_controlling
        return self._domestic_abuse(
            "da_coercive_control",
            lambda: not (excluded and screen.coercive_controlling),
            lambda ok: (
                "no coercive or controlling behaviour" if ok else "coercive or controlling behaviour excludes diversion"
            ),
        )

    def da_history(self) -> RuleResult:
        recent = self.decision.criminal_history.domestic_abuse_conviction_or_caution_within_2_years
        excluded = self.policy.domestic_abuse.exclude_recent_domestic_abuse_history
        return self._domestic_abuse(
            "da_history",
            lambda: not (excluded and recent),
            lambda ok: (
                "no domestic abuse conviction or caution in the last 2 years"
                if ok
                else "a domestic abuse conviction or caution in the last 2 years excludes diversion"
            ),
        )

    def da_victim_agreement(self) -> RuleResult:
        screen = self.decision.domestic_abuse
        required = self.policy.domestic_abuse.require_victim_contacted_and_agrees
        return self._domestic_abuse(
            "da_victim_agreement",
            lambda: not required or screen.victim_contacted_and_agrees,
            lambda ok: "victim contacted and agrees" if ok else "the victim must be contacted and agree",
        )

    def da_intimate_partner_disposal(self) -> RuleResult:
        screen = self.decision.domestic_abuse
        allowed = self.policy.domestic_abuse.intimate_partner_disposals
        kind = self.decision.disposal_type
        return self._domestic_abuse(
            "da_intimate_partner_disposal",
            lambda: not screen.intimate_partner or kind in allowed,
            lambda ok: (
                "not intimate-partner abuse"
                if not screen.intimate_partner
                else f"intimate-partner abuse {'may' if ok else 'may never'} be dealt with by {self.label}"
            ),
        )
