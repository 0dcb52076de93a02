"""The partner agencies the router may refer to, as data (`deploy/agencies/catalogue.yaml`).

Agencies open, close, change who they accept and run out of places far more often than the
matching rules change, and the force must be able to read exactly what each referral was
matched against. So the catalogue is a versioned file, validated strictly when loaded: an
unknown key, a wrong type or a repeated agency id is refused with a message naming the field,
rather than silently routing people to an agency nobody described.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platform_plumbing.data_files import load_yaml_model
from schemas.fields import AgencyId, AreaCode
from schemas.vocabulary import (
    ActionPlanApproval,
    DashRiskLevel,
    DeliveryMode,
    DisclosedField,
    DisposalType,
    NeedCategory,
    Sex,
)


class CatalogueError(ValueError):
    """The catalogue file is missing, unreadable or invalid; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WhenFull(StrEnum):
    """What happens to a referral for an agency already holding `capacity` active referrals."""

    QUEUE = "queue"
    """The agency is still chosen; the referral waits until a place frees."""
    NEXT_BEST = "next_best"
    """The agency is not eligible while full; the next-best eligible agency gets the referral."""


class Acceptance(_Strict):
    """Who an agency takes. An omitted list means no restriction on that attribute."""

    sexes: frozenset[Sex] | None = Field(default=None, min_length=1)
    min_age: int = Field(ge=10, le=120)
    max_age: int | None = Field(default=None, ge=10, le=120)
    areas: frozenset[AreaCode] | None = Field(default=None, min_length=1)
    disposals: frozenset[DisposalType] | None = Field(default=None, min_length=1)
    dash_risk: frozenset[DashRiskLevel] | None = Field(default=None, min_length=1)
    """DASH risk levels accepted in domestic abuse cases; not consulted for other cases."""
    domestic_abuse_only: bool = False

    @model_validator(mode="after")
    def _age_range(self) -> Acceptance:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError("max_age is below min_age")
        return self


class Agency(_Strict):
    id: AgencyId
    name: str = Field(min_length=1, max_length=120)
    needs: frozenset[NeedCategory] = Field(min_length=1)
    accepts: Acceptance
    delivery_modes: frozenset[DeliveryMode] = Field(min_length=1)
    capacity: int = Field(ge=1, le=10_000, description="Active referrals the agency can hold at once.")
    respond_within_working_days: int = Field(ge=1, le=30)
    first_contact_within_working_days: int = Field(
        ge=1, le=30, description="Its service level for reaching the person, in working days from issue."
    )
    action_plan: ActionPlanApproval
    when_full: WhenFull
    youth_offending_team: bool = False
    """Youth cases always include this agency, and it takes every need it serves."""
    onward_only: bool = False
    """It takes only the onward referrals partner agencies make (a food bank), never a need the police assessed."""
    discloses: frozenset[DisclosedField] = Field(
        description="What the agency is told about a person it is referred, and may read: no more than it needs."
    )

    @model_validator(mode="after")
    def _risk_for_domestic_abuse_programmes_only(self) -> Agency:
        if DisclosedField.DASH_RISK in self.discloses and NeedCategory.DA_PERPETRATOR_PROGRAMME not in self.needs:
            raise ValueError("dash_risk may be disclosed only to a domestic-abuse perpetrator programme")
        return self


class Catalogue(_Strict):
    version: str = Field(min_length=1, max_length=40)
    bank_holidays: frozenset[date]
    agencies: tuple[Agency, ...] = Field(min_length=1)

    @field_validator("agencies")
    @classmethod
    def _unique_ids(cls, agencies: tuple[Agency, ...]) -> tuple[Agency, ...]:
        ids = [agency.id for agency in agencies]
        repeated = sorted({agency_id for agency_id in ids if ids.count(agency_id) > 1})
        if repeated:
            raise ValueError(f"agency id(s) listed more than once: {', '.join(repeated)}")
        return agencies

    @property
    def capacities(self) -> dict[str, int]:
        """Each agency's capacity: what a transaction's placements are checked against (`router_batch`)."""
        return {agency.id: agency.capacity for agency in self.agencies}

    def agency(self, agency_id: str) -> Agency:
        """The agency with this id; KeyError if the catalogue has none."""
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise KeyError(agency_id)


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate the catalogue file; raise CatalogueError naming the file and the faulty fields."""
    return load_yaml_model(path, Catalogue, what="agency catalogue", error=CatalogueError)
