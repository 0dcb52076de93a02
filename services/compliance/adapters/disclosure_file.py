"""Each agency's disclosure allow-list, read from the agency catalogue the router routes with.

Compliance reads only the `id` and `discloses` of each agency there: which agencies exist and what
they accept is the router's business.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from platform_plumbing.data_files import load_yaml_model
from schemas.fields import AgencyId
from schemas.vocabulary import DisclosedField
from services.compliance.domain.disclosure import DisclosurePolicy


class DisclosureFileError(ValueError):
    """The catalogue is missing, unreadable or its disclosure lists are invalid; the message says where."""


class _Agency(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: AgencyId
    discloses: frozenset[DisclosedField]


class _Catalogue(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    agencies: tuple[_Agency, ...]


def load_disclosure_policy(catalogue: Path) -> DisclosurePolicy:
    loaded = load_yaml_model(catalogue, _Catalogue, what="agency catalogue", error=DisclosureFileError)
    return DisclosurePolicy({agency.id: agency.discloses for agency in loaded.agencies})
