"""The parties the local stack serves: the forces of the policy files and the agencies in the catalogue."""

from __future__ import annotations

from schemas.topics import Directory
from services.intake.domain.policy import Policies
from services.intake.settings import IntakeSettings
from services.referral_router.domain.catalogue import load_catalogue
from services.referral_router.settings import RouterSettings


def directory() -> Directory:
    """Every force and agency the configured policy and catalogue name: each gets its principal and topics."""
    policies = Policies.load(IntakeSettings().intake_policy_files)
    catalogue = load_catalogue(RouterSettings().router_catalogue_file)
    return Directory(forces=policies.forces, agencies=tuple(agency.id for agency in catalogue.agencies))
