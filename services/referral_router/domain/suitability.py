"""How one agency suits one person's need: hard constraints first, then a score with its parts.

A hard constraint is a rule no score can buy back: the agency serves the need; accepts the
person's sex, age, area and disposal; takes domestic abuse cases only if it is one, and only at
the DASH levels it lists; offers a delivery mode safe for the need's severity (a high-severity
need is never met online); has not already declined or ignored this need for this case; and,
when its policy is to pass work on while full, has a free place. Each failed constraint is a
`Refusal` with a short reason an operations officer can check; it names the rule, not the
person.

The score, out of 100 per need, has four parts:

- delivery fit, 40 points × the fit of the delivery mode to the need's severity (`FIT`):
  high → face to face 1, hybrid 0.5, never online; medium → hybrid 1, face to face 0.75,
  online 0.5; low → online 1, hybrid 0.75, face to face 0.5. Pressing needs get contact,
  light ones a light touch.
- preference, 20 points when the mode is the one the person asked for, or they asked for none.
- capacity headroom, 30 points × the share of the agency's places still free (0 when full).
- locality, 10 points when the agency names a list of areas that includes the person's; a
  force-wide agency gets none, so a local service wins when all else is equal.

An agency taking several needs delivers them in one mode: among its modes safe for every
need, the one with the most fit and preference points summed over the needs (ties: face to
face, hybrid, online). The bundle's score is the mean of its needs' scores in that mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from schemas.vocabulary import DashRiskLevel, DeliveryMode, DisposalType, NeedCategory, Severity, Sex
from services.referral_router.domain.catalogue import Agency, WhenFull

DELIVERY_FIT_POINTS = 40.0
PREFERENCE_POINTS = 20.0
HEADROOM_POINTS = 30.0
LOCALITY_POINTS = 10.0

FACE_TO_FACE, HYBRID, ONLINE = DeliveryMode.FACE_TO_FACE, DeliveryMode.HYBRID, DeliveryMode.ONLINE
FIT: dict[Severity, dict[DeliveryMode, float]] = {
    Severity.HIGH: {FACE_TO_FACE: 1.0, HYBRID: 0.5},
    Severity.MEDIUM: {HYBRID: 1.0, FACE_TO_FACE: 0.75, ONLINE: 0.5},
    Severity.LOW: {ONLINE: 1.0, HYBRID: 0.75, FACE_TO_FACE: 0.5},
}
_MODE_TIE_ORDER = (FACE_TO_FACE, HYBRID, ONLINE)


@dataclass(frozen=True)
class Person:
    age: int
    sex: Sex
    area: str
    disposal: DisposalType
    domestic_abuse: bool
    dash_risk: DashRiskLevel | None
    youth_offending_team: bool


@dataclass(frozen=True)
class Need:
    category: NeedCategory
    severity: Severity
    preferred_mode: DeliveryMode | None = None
    onward_from: UUID | None = None
    """Found by the agency holding this referral, in its own assessment, and referred onward with consent."""
    found_by: str | None = None
    """That agency: it is not asked to take what it referred onward."""


class Gate(StrEnum):
    NEED = "need"
    SEX = "sex"
    AGE = "age"
    AREA = "area"
    DISPOSAL = "disposal"
    DOMESTIC_ABUSE = "domestic_abuse"
    DELIVERY = "delivery"
    DECLINED = "declined"
    CAPACITY = "capacity"
    ONWARD_ONLY = "onward_only"
    FOUND_IT = "found_it"


@dataclass(frozen=True)
class Refusal:
    gate: Gate
    reason: str


@dataclass(frozen=True)
class Score:
    mode: DeliveryMode
    delivery_fit: float
    preference: float
    headroom: float
    locality: float

    @property
    def total(self) -> float:
        return round(self.delivery_fit + self.preference + self.headroom + self.locality, 2)

    def parts(self) -> str:
        return (
            f"delivery fit {self.delivery_fit:.1f}/{DELIVERY_FIT_POINTS:.0f}, "
            f"preference {self.preference:.1f}/{PREFERENCE_POINTS:.0f}, "
            f"capacity headroom {self.headroom:.1f}/{HEADROOM_POINTS:.0f}, "
            f"locality {self.locality:.1f}/{LOCALITY_POINTS:.0f}"
        )


def label(value: StrEnum) -> str:
    return value.value.replace("_", " ")


def refusals(agency: Agency, need: Need, person: Person, *, load: int, declined: bool) -> tuple[Refusal, ...]:
    """Every hard constraint `agency` fails for `need`; empty when it is eligible."""
    found: list[Refusal] = []
    if need.category not in agency.needs:
        found.append(Refusal(Gate.NEED, f"does not serve {label(need.category)}"))
    if agency.onward_only and need.onward_from is None:
        found.append(Refusal(Gate.ONWARD_ONLY, "takes only partner agencies' onward referrals"))
    if need.found_by == agency.id:
        found.append(Refusal(Gate.FOUND_IT, f"found {label(need.category)} itself and referred it onward"))
    found += person_refusals(agency, person)
    if not safe_modes(agency, need.severity):
        offered = " or ".join(label(mode) for mode in _MODE_TIE_ORDER if mode in agency.delivery_modes)
        found.append(Refusal(Gate.DELIVERY, f"{offered} only: unsafe for {label(need.severity)}-severity needs"))
    if declined:
        found.append(Refusal(Gate.DECLINED, f"declined {label(need.category)} or did not answer in time"))
    if agency.when_full is WhenFull.NEXT_BEST and load >= agency.capacity:
        found.append(Refusal(Gate.CAPACITY, f"full: {load}/{agency.capacity} places in use"))
    return tuple(found)


def person_refusals(agency: Agency, person: Person) -> list[Refusal]:
    """The constraints on who the agency accepts, whatever the need."""
    accepts = agency.accepts
    found: list[Refusal] = []
    if accepts.sexes is not None and person.sex not in accepts.sexes:
        found.append(Refusal(Gate.SEX, f"accepts {' or '.join(sorted(accepts.sexes))} only"))
    if person.age < accepts.min_age or (accepts.max_age is not None and person.age > accepts.max_age):
        ages = f"{accepts.min_age}–{accepts.max_age}" if accepts.max_age is not None else f"{accepts.min_age}+"
        found.append(Refusal(Gate.AGE, f"accepts ages {ages} only"))
    if accepts.areas is not None and person.area not in accepts.areas:
        found.append(Refusal(Gate.AREA, f"covers {', '.join(sorted(accepts.areas))} only"))
    if accepts.disposals is not None and person.disposal not in accepts.disposals:
        found.append(Refusal(Gate.DISPOSAL, f"does not take {label(person.disposal)}"))
    if accepts.domestic_abuse_only and not person.domestic_abuse:
        found.append(Refusal(Gate.DOMESTIC_ABUSE, "takes domestic abuse cases only"))
    if person.domestic_abuse and accepts.dash_risk is not None and person.dash_risk not in accepts.dash_risk:
        risk = f"DASH {person.dash_risk.value} risk" if person.dash_risk else "a case with no DASH risk recorded"
        found.append(Refusal(Gate.DOMESTIC_ABUSE, f"does not take {risk}"))
    return found


def safe_modes(agency: Agency, severity: Severity) -> tuple[DeliveryMode, ...]:
    return tuple(mode for mode in _MODE_TIE_ORDER if mode in agency.delivery_modes and mode in FIT[severity])


def score(agency: Agency, needs: Sequence[Need], person: Person, *, load: int) -> Score:
    """The score of `agency` taking all of `needs` together, in the one mode that suits them best."""
    modes = [mode for mode in _MODE_TIE_ORDER if all(mode in safe_modes(agency, need.severity) for need in needs)]
    if not needs or not modes:
        raise ValueError(f"{agency.id} has no delivery mode safe for every one of these needs")
    mode = max(modes, key=lambda mode: sum(_fit(mode, need) + _preference(mode, need) for need in needs))
    free = max(0, agency.capacity - load) / agency.capacity
    areas = agency.accepts.areas
    local = areas is not None and person.area in areas
    return Score(
        mode=mode,
        delivery_fit=round(sum(_fit(mode, need) for need in needs) / len(needs), 2),
        preference=round(sum(_preference(mode, need) for need in needs) / len(needs), 2),
        headroom=round(HEADROOM_POINTS * free, 2),
        locality=LOCALITY_POINTS if local else 0.0,
    )


def _fit(mode: DeliveryMode, need: Need) -> float:
    return DELIVERY_FIT_POINTS * FIT[need.severity][mode]


def _preference(mode: DeliveryMode, need: Need) -> float:
    return PREFERENCE_POINTS if need.preferred_mode in (None, mode) else 0.0
