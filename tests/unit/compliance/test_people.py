"""Who may manage whose account, on plain objects: an agency's administrator only caseworkers and administrators of
their own agency, operations anyone, nobody else anyone; an agency role needs its agency and no other role has one."""

from __future__ import annotations

import uuid

import pytest

from services.compliance.domain.people import NotAllowed, Person, Role, new_person_checked


def person(role: Role, agency: str | None = None) -> Person:
    return Person(uuid.uuid4(), f"{role.value}@example.org", role.value, role, agency)


ADMIN = person(Role.AGENCY_ADMIN, "brighter-tomorrows")
OPERATIONS = person(Role.OPERATIONS)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.AGENCY_ADMIN])
def test_an_agency_administrator_manages_their_own_agencys_people_only(role):
    assert ADMIN.may_manage(role, "brighter-tomorrows")
    assert not ADMIN.may_manage(role, "money-advice")


@pytest.mark.parametrize("role", [Role.DIVERSION_TEAM, Role.OPERATIONS])
def test_an_agency_administrator_cannot_make_the_forces_or_the_platforms_people(role):
    with pytest.raises(NotAllowed):
        new_person_checked(ADMIN, role, None)


def test_operations_manage_anyone_and_caseworkers_and_the_team_no_one():
    assert all(
        OPERATIONS.may_manage(role, "x" if role in (Role.CASEWORKER, Role.AGENCY_ADMIN) else None) for role in Role
    )
    for who in (person(Role.CASEWORKER, "brighter-tomorrows"), person(Role.DIVERSION_TEAM)):
        assert not any(who.may_manage(role, "brighter-tomorrows") for role in Role)


def test_an_agency_role_needs_its_agency_and_no_other_role_has_one():
    with pytest.raises(ValueError):
        new_person_checked(OPERATIONS, Role.CASEWORKER, None)
    with pytest.raises(ValueError):
        new_person_checked(OPERATIONS, Role.DIVERSION_TEAM, "brighter-tomorrows")


def test_the_audit_trail_names_the_person_and_whom_they_act_for():
    assert person(Role.CASEWORKER, "brighter-tomorrows").actor == "agency-brighter-tomorrows/caseworker@example.org"
    assert person(Role.DIVERSION_TEAM).actor == "diversion_team/diversion_team@example.org"
