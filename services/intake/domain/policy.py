"""The force's out-of-court disposal policy, as data (`deploy/policy/force-policy.yaml`).

Rules change more often than code, and a force must be able to read what is applied to each
decision. So the policy is a versioned file, validated strictly at start: an unknown key or a
wrong type stops intake with a message that names the field, rather than running on a policy
nobody wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platform_plumbing.data_files import load_yaml_model
from schemas.fields import AreaCode
from schemas.vocabulary import ConditionKind, DashRiskLevel, DisposalType, ModeOfTrial, OffenceCategory, Rank
from services.intake.domain import law


class PolicyError(ValueError):
    """The policy file is missing, unreadable or invalid; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NonCompletionPath(StrEnum):
    NON_COMPLETION = "non_completion"
    PROSECUTION = "prosecution"
    FINANCIAL_PENALTY = "financial_penalty"


class Requirements(_Strict):
    admission: bool
    sufficient_evidence: bool
    consent: bool
    victim_views_sought: bool


class ConditionPolicy(_Strict):
    """Which conditions a disposal may carry, and their limits (Code of Practice for Conditional Cautions)."""

    required: bool
    """A caution must carry at least one condition."""
    kinds: frozenset[ConditionKind]
    max_non_rehabilitative_hours: int | None = Field(default=None, ge=0, le=law.MAX_NON_REHABILITATIVE_HOURS)
    """Unpaid work and non-rehabilitative attendance together, in hours (at most 20: CJA 2003 s.22(3B))."""
    financial_penalty_for: frozenset[OffenceCategory] = frozenset()
    """Offences a financial penalty is prescribed for (compensation to a victim is not a penalty); its amount is
    capped by the offence's mode of trial (`Policy.financial_penalty_caps`)."""


class PenaltyCaps(_Strict):
    """The most a financial penalty may be, in pence, by the offence's mode of trial."""

    summary: int = Field(ge=0)
    either_way: int = Field(ge=0)
    indictable_only: int = Field(ge=0)

    def of(self, mode: ModeOfTrial) -> int:
        return getattr(self, mode.value)

    def within(self, maxima: dict[ModeOfTrial, int], what: str) -> None:
        over = [f"{mode.value} £{self.of(mode) / 100:.2f}" for mode in ModeOfTrial if self.of(mode) > maxima[mode]]
        if over:
            raise ValueError(f"{what} over what the law allows: {', '.join(over)}")


class YouthPenaltyCaps(PenaltyCaps):
    from_age: int = Field(ge=10, le=17)
    """The youngest age of the band: a band runs to the next band's `from_age` (or 17)."""


class FinancialPenaltyCaps(_Strict):
    """The force's caps, no higher than the law's: adults SI 2013/615, youths by age band SI 2013/608."""

    adults: PenaltyCaps
    youths: tuple[YouthPenaltyCaps, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _lawful(self) -> FinancialPenaltyCaps:
        self.adults.within(law.ADULT_PENALTY_MAXIMA_PENCE, "adults' financial penalty caps")
        if sorted({band.from_age for band in self.youths}) != sorted(law.YOUTH_PENALTY_MAXIMA_PENCE):
            raise ValueError(f"youth caps must have the law's age bands, from {sorted(law.YOUTH_PENALTY_MAXIMA_PENCE)}")
        for band in self.youths:
            band.within(law.YOUTH_PENALTY_MAXIMA_PENCE[band.from_age], f"youth caps from age {band.from_age}")
        return self

    def for_age(self, age: int) -> PenaltyCaps:
        """The caps for someone of `age` at the offence."""
        if age >= law.JUVENILE_UNDER:
            return self.adults
        return max((band for band in self.youths if band.from_age <= age), key=lambda band: band.from_age)


class DisposalPolicy(_Strict):
    enabled: bool
    min_age: int = Field(ge=10, le=120)
    max_age: int | None = Field(default=None, ge=10, le=120)
    requires: Requirements
    authorised_by_at_least: Rank
    """The lowest rank that may authorise the disposal (a conditional caution: sergeant, DPP's Guidance §2)."""
    max_gravity: int = Field(ge=1, le=4)
    max_previous_convictions: int = Field(ge=0)
    max_previous_cautions: int = Field(ge=0)
    completion_weeks: int = Field(ge=1, le=52)
    extended_completion_weeks: int | None = Field(default=None, ge=1, le=52)
    conditions: ConditionPolicy
    appropriate_adult_up_to_age: int | None = None
    on_non_completion: NonCompletionPath

    @property
    def maximum_weeks(self) -> int:
        """The legal maximum time to complete: the exceptional limit where there is one."""
        return self.extended_completion_weeks or self.completion_weeks

    @model_validator(mode="after")
    def _consistent(self) -> DisposalPolicy:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError("max_age is below min_age")
        if self.extended_completion_weeks is not None and self.extended_completion_weeks <= self.completion_weeks:
            raise ValueError("extended_completion_weeks must exceed completion_weeks")
        if self.min_age < law.JUVENILE_UNDER and (self.appropriate_adult_up_to_age or 0) < law.JUVENILE_UNDER - 1:
            raise ValueError(
                f"appropriate_adult_up_to_age must be at least {law.JUVENILE_UNDER - 1}: everyone under "
                f"{law.JUVENILE_UNDER} is a juvenile ({law.APPROPRIATE_ADULT})"
            )
        return self


class GravityPolicy(_Strict):
    minimum: int = Field(ge=1, le=4)
    maximum: int = Field(ge=1, le=4)
    adjustment: int = Field(ge=0, le=2)


class YouthPolicy(_Strict):
    """Who counts as a youth, and whether every youth case goes to the youth offending team."""

    up_to_age: int = Field(ge=10, le=25)
    refer_to_youth_offending_team: bool


class DomesticAbusePolicy(_Strict):
    excluded_dash_risk: frozenset[DashRiskLevel]
    exclude_coercive_controlling: bool
    exclude_recent_domestic_abuse_history: bool
    require_victim_contacted_and_agrees: bool
    intimate_partner_disposals: frozenset[DisposalType]


class Policy(_Strict):
    version: str = Field(min_length=1, max_length=40)
    force_id: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    name: str = Field(min_length=2, max_length=100)
    areas: frozenset[AreaCode] = Field(min_length=1)
    """The force's districts, as slugs: a decision names the one the person lives in."""
    max_clock_skew_seconds: int = Field(ge=0, le=3600)
    """How far ahead of intake's clock a decision may be dated."""
    financial_penalty_caps: FinancialPenaltyCaps
    gravity: GravityPolicy
    youth: YouthPolicy
    domestic_abuse: DomesticAbusePolicy
    disposals: dict[DisposalType, DisposalPolicy]

    @field_validator("disposals")
    @classmethod
    def _cautions_within_the_time_limit(
        cls, disposals: dict[DisposalType, DisposalPolicy]
    ) -> dict[DisposalType, DisposalPolicy]:
        normal, exceptional = law.CONDITIONAL_CAUTION_WEEKS
        caution = disposals.get(DisposalType.ADULT_CONDITIONAL_CAUTION)
        if caution and (caution.completion_weeks > normal or caution.maximum_weeks > exceptional):
            raise ValueError(
                f"adult_conditional_caution: conditions are done within {normal} weeks, exceptionally "
                f"{exceptional} ({law.TIME_LIMIT})"
            )
        return disposals

    @field_validator("disposals")
    @classmethod
    def _within_the_law(cls, disposals: dict[DisposalType, DisposalPolicy]) -> dict[DisposalType, DisposalPolicy]:
        """A force may narrow who a disposal is for and who may authorise it, never widen them."""
        wider = []
        for disposal, rules in disposals.items():
            low, high = law.LAWFUL_AGES[disposal]
            if rules.min_age < low or (high is not None and (rules.max_age is None or rules.max_age > high)):
                ages = f"{low} to {high}" if high is not None else f"{low} or over"
                wider.append(f"{disposal}: only for people aged {ages} ({law.ELIGIBILITY[disposal]})")
            lowest = law.LOWEST_AUTHORISING_RANK
            if disposal in law.AUTHORISATION and not rules.authorised_by_at_least.at_least(lowest):
                wider.append(f"{disposal}: authorised by a {lowest} or above ({law.AUTHORISATION[disposal]})")
        if wider:
            raise ValueError("wider than the law allows: " + "; ".join(wider))
        return disposals

    @field_validator("disposals")
    @classmethod
    def _every_disposal_described(
        cls, disposals: dict[DisposalType, DisposalPolicy]
    ) -> dict[DisposalType, DisposalPolicy]:
        missing = sorted(set(DisposalType) - set(disposals))
        if missing:
            raise ValueError(f"no rules for disposal type(s): {', '.join(missing)}")
        return disposals

    @property
    def source(self) -> str:
        """How an explained outcome names a rule the force sets for itself."""
        return law.FORCE_POLICY.format(version=f"{self.force_id} {self.version}")


def load_policy(path: Path) -> Policy:
    """Read and validate the policy file; raise PolicyError naming the file and the faulty fields."""
    return load_yaml_model(path, Policy, what="policy file", error=PolicyError)


class Policies:
    """The policies of the forces one intake serves, each applied to its own force's decisions only."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self._by_force: dict[str, Policy] = {}
        for policy in policies:
            if policy.force_id in self._by_force:
                raise PolicyError(f"two policy files for force {policy.force_id}")
            self._by_force[policy.force_id] = policy
        if not self._by_force:
            raise PolicyError("no policy file: intake needs at least one force's policy")

    @classmethod
    def load(cls, paths: Iterable[Path]) -> Policies:
        return cls(load_policy(path) for path in paths)

    def of(self, force_id: str) -> Policy | None:
        """`force_id`'s policy; None for a force this intake does not serve."""
        return self._by_force.get(force_id)

    @property
    def forces(self) -> tuple[str, ...]:
        return tuple(self._by_force)
