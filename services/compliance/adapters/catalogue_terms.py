"""What compliance reads of the agency catalogue the router routes with: each agency's disclosure allow-list and its
workflow (its name, its first-contact service level, who approves its action plans), and England and Wales's bank
holidays.

Which agencies exist and whom they accept is the router's business; compliance reads only these fields, leniently.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from platform_plumbing.data_files import load_yaml_model
from schemas.fields import AgencyId
from schemas.vocabulary import ActionPlanApproval, DisclosedField
from services.compliance.domain.disclosure import DisclosurePolicy
from services.compliance.domain.referral_work import AgencyTerms, Workflow


class CatalogueTermsError(ValueError):
    """The catalogue is missing, unreadable or its terms are invalid; the message says where."""


class _Agency(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: AgencyId
    name: str
    discloses: frozenset[DisclosedField]
    first_contact_within_working_days: int = Field(ge=1, le=30)
    action_plan: ActionPlanApproval


class _Catalogue(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    bank_holidays: frozenset[date]
    agencies: tuple[_Agency, ...]


def load_catalogue_terms(catalogue: Path) -> tuple[DisclosurePolicy, Workflow]:
    loaded = load_yaml_model(catalogue, _Catalogue, what="agency catalogue", error=CatalogueTermsError)
    disclosure = DisclosurePolicy({agency.id: agency.discloses for agency in loaded.agencies})
    terms = {a.id: AgencyTerms(a.first_contact_within_working_days, a.action_plan, a.name) for a in loaded.agencies}
    workflow = Workflow(terms, loaded.bank_holidays)
    return disclosure, workflow
