"""The people who work from the web pages, and what each role may do.

A caseworker works on their own agency's referrals; an agency's administrator does the same and also manages its
people; the diversion team works the force's queue (plans, concerns, decisions); operations manage every account.
An account is never deleted: disabling it keeps the history it signed attributable (issue 25).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from platform_plumbing.kafka_acls import agency_principal


class Role(StrEnum):
    CASEWORKER = "caseworker"
    AGENCY_ADMIN = "agency_admin"
    DIVERSION_TEAM = "diversion_team"
    OPERATIONS = "operations"


AGENCY_ROLES = frozenset({Role.CASEWORKER, Role.AGENCY_ADMIN})
"""Roles that belong to one partner agency, and see only its referrals."""
TEAM_ROLES = frozenset({Role.DIVERSION_TEAM, Role.OPERATIONS})
"""Roles that see every agency's work: the diversion team's workspace, its reports and the operations dashboard."""

MANAGES: dict[Role, frozenset[Role]] = {
    Role.AGENCY_ADMIN: AGENCY_ROLES,
    Role.OPERATIONS: frozenset(Role),
}
"""Who may create and disable whose accounts (an agency's administrator only within their agency)."""


class NotAllowed(Exception):
    """The signed-in person may not do this."""


@dataclass(frozen=True)
class Person:
    person_id: UUID
    email: str
    name: str
    role: Role
    agency_id: str | None
    disabled_at: datetime | None = None

    @property
    def works_for_agency(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def works_for_team(self) -> bool:
        return self.role in TEAM_ROLES

    @property
    def actor(self) -> str:
        """Who did it, in the audit trail: the person, and the agency they act for (its Kafka principal's name, as
        its systems' updates are recorded) or their team."""
        on_behalf = agency_principal(self.agency_id) if self.agency_id else self.role.value
        return f"{on_behalf}/{self.email}"

    def may_manage(self, other_role: Role, other_agency: str | None) -> bool:
        """Whether this person may create or disable an account of `other_role` at `other_agency`."""
        if other_role not in MANAGES.get(self.role, frozenset()):
            return False
        return self.role is Role.OPERATIONS or other_agency == self.agency_id


def new_person_checked(by: Person, role: Role, agency_id: str | None) -> None:
    """Refuse an account `by` may not create: NotAllowed; an agency role needs an agency, no other role has one."""
    if (role in AGENCY_ROLES) != (agency_id is not None):
        raise ValueError("an agency's caseworker or administrator needs their agency; no other role has one")
    if not by.may_manage(role, agency_id):
        raise NotAllowed()
