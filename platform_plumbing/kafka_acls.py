"""Who may do what on Kafka, derived from the topic catalogue: the ACLs the broker enforces.

A topic's producers get WRITE and its consumers READ. A service or the operations team gets the topic
for everyone, or every party's topic of a kind (a prefixed ACL on its stem); a police force or a partner
agency gets only its own topic (a literal ACL), so the broker itself refuses agency B writing agency A's
updates or reading A's referrals, and a force writing another's decisions. Each service reads its own
consumer group; each force and agency the group of its own name and those under `<name>.` (not merely
starting with it: agency `mind` must not join `mind-north`'s); operations describe every group (lag) and
write no topic but `diversion.replays.v1`: a replay asks the service that dead-lettered a record to read it
again from the dead-letter topic, so that nobody but a party itself ever writes the party's topics.
Compliance may create an agency's referrals topic and a force's outcomes topic, which it does when it first
publishes to one. Nobody else may do anything: the broker runs with `allow.everyone.if.no.acl.found=false`.

Every name is under a prefix, so a test, a benchmark or a chaos run gets exactly the production rights
on topics and groups of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from schemas.topics import (
    AGENCY_REFERRALS,
    CATALOGUE,
    CONCERNS,
    DECISIONS,
    OUTCOMES,
    VICTIM_UPDATES,
    Directory,
    Principal,
    Topic,
    catalogue_topic_of,
)

SERVICE_PRINCIPALS = ("intake", "referral-router", "compliance")
COMPLIANCE_CREATES = (AGENCY_REFERRALS, OUTCOMES, VICTIM_UPDATES, CONCERNS)
"""The per-party topics compliance makes when it first publishes to a party's (an agency's, a force's)."""
INTAKE_EMPTIES = (DECISIONS,)
"""The topics intake deletes records from once it has processed them: the police's in-clear commands."""
OPERATIONS = "operations"
SERVICES_AND_OPERATIONS = (*SERVICE_PRINCIPALS, OPERATIONS)

Operation = Literal["read", "write", "describe", "create", "delete"]


@dataclass(frozen=True)
class Acl:
    """One ALLOW rule: `principal` may `operation` on the topic or group `name` (or every one whose name
    starts with it)."""

    principal: str
    resource: Literal["topic", "group"]
    name: str
    operation: Operation
    prefixed: bool = False


def police_principal(force: str) -> str:
    return f"police-{force}"


def victim_contact_principal(force: str) -> str:
    """A force's victim-contact role, which reads the outcomes of cases with a victim and nothing else."""
    return f"victim-contact-{force}"


def agency_principal(agency: str) -> str:
    return f"agency-{agency}"


def writer_of(topic: str, prefix: str = "") -> str | None:
    """The principal the broker lets write `topic` (under `prefix`): the force or agency whose topic it is, or
    the one service that produces it; None for a topic outside the catalogue or with several writers."""
    kind = catalogue_topic_of(topic, prefix)
    if kind is None:
        return None
    if kind.per is not None:
        party = kind.party_of(topic, prefix)
        return _PRINCIPAL_OF[kind.producers[0]](party) if kind.producers[0] in _PRINCIPAL_OF else kind.producers[0]
    return kind.producers[0] if len(kind.producers) == 1 else None


_PRINCIPAL_OF = {"police": police_principal, "victim_contact": victim_contact_principal, "agency": agency_principal}
"""The principal of one party, by who it is to a topic."""


def party_principals(directory: Directory) -> tuple[str, ...]:
    """Each force's (its systems' and its victim-contact role's) and each agency's principal."""
    return (
        *(police_principal(force) for force in directory.forces),
        *(victim_contact_principal(force) for force in directory.forces),
        *(agency_principal(agency) for agency in directory.agencies),
    )


def principals(directory: Directory) -> tuple[str, ...]:
    """Every principal the platform has for `directory`: services, operations, each force, each agency."""
    return (*SERVICES_AND_OPERATIONS, *party_principals(directory))


def acls_for(directory: Directory, prefix: str = "") -> list[Acl]:
    """Every ACL the platform needs for `directory`'s forces and agencies, on names under `prefix`."""
    acls = [
        *acls_for_topics(directory, prefix, CATALOGUE),
        *(
            acl
            for principal in (*SERVICE_PRINCIPALS, *party_principals(directory))
            for acl in _own_groups(principal, prefix)
        ),
        Acl(OPERATIONS, "group", prefix or "*", "describe", prefixed=bool(prefix)),
        *(Acl("compliance", "topic", prefix + topic.stem, "create", prefixed=True) for topic in COMPLIANCE_CREATES),
        *(Acl("intake", "topic", prefix + topic.stem, "delete", prefixed=True) for topic in INTAKE_EMPTIES),
    ]
    return list(dict.fromkeys(acls))


def _own_groups(principal: str, prefix: str) -> tuple[Acl, Acl]:
    """A principal consumes only in groups named after itself: its own, and any `{principal}.…` (a service's
    priority lane, a party's second reader)."""
    return Acl(principal, "group", prefix + principal, "read"), Acl(
        principal, "group", f"{prefix}{principal}.", "read", prefixed=True
    )


def acls_for_topics(directory: Directory, prefix: str, topics: Iterable[Topic]) -> list[Acl]:
    """READ for each of `topics`' consumers, WRITE for its producers, and nothing else; refuses a topic per
    agency that names police among its parties or the reverse."""
    return [acl for topic in topics for acl in _topic_acls(topic, directory, prefix)]


def _topic_acls(topic: Topic, directory: Directory, prefix: str) -> list[Acl]:
    granted: list[Acl] = []
    for who, operation in (
        *((producer, "write") for producer in topic.producers),
        *((consumer, "read") for consumer in topic.consumers),
    ):
        granted.extend(_grants(who, operation, topic, directory, prefix))
    return granted


def _grants(who: Principal, operation: Operation, topic: Topic, directory: Directory, prefix: str) -> list[Acl]:
    if who in SERVICES_AND_OPERATIONS:
        return [Acl(who, "topic", prefix + topic.stem, operation, prefixed=topic.per is not None)]
    per = "agency" if who == "agency" else "force"
    parties = directory.parties(per)
    principal = _PRINCIPAL_OF[who]
    if topic.per not in (None, per):
        raise ValueError(f"{topic.name} is per {topic.per}, but names {who} among its producers or consumers")
    return [
        Acl(principal(party), "topic", prefix + (topic.named(party) if topic.per else topic.name), operation)
        for party in parties
    ]
