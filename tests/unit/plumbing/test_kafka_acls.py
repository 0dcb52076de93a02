"""The ACLs derived from the catalogue: each party gets its own topics only, by literal name; services get
every party's topic of a kind by prefix; nothing is granted on a topic to a principal the catalogue does
not name. (The broker enforcing them is tested in tests/integration/plumbing/test_kafka_acls.py.)"""

from __future__ import annotations

import pytest

from platform_plumbing.kafka_acls import (
    acls_for,
    acls_for_topics,
    agency_principal,
    police_principal,
    principals,
    victim_contact_principal,
)
from schemas.topics import (
    AGENCY_REFERRALS,
    AGENCY_UPDATES,
    CASES,
    CATALOGUE,
    CONCERNS,
    DECISIONS,
    OUTCOMES,
    POLICE_SIGNALS,
    REFERRALS,
    REPLAYS,
    VICTIM_UPDATES,
    Directory,
    Topic,
)

PARTIES = Directory(forces=("cambridgeshire", "cambridgeshire"), agencies=("brighter-tomorrows", "money-advice"))
PREFIX = "t1."
ACLS = acls_for(PARTIES, PREFIX)


def granted(principal: str, resource: str = "topic") -> set[tuple[str, str, bool]]:
    return {
        (acl.name, acl.operation, acl.prefixed)
        for acl in ACLS
        if acl.principal == principal and acl.resource == resource
    }


def test_an_agency_writes_its_own_updates_and_reads_its_own_referrals_and_nothing_else():
    assert granted(agency_principal("brighter-tomorrows")) == {
        (PREFIX + AGENCY_UPDATES.named("brighter-tomorrows"), "write", False),
        (PREFIX + AGENCY_REFERRALS.named("brighter-tomorrows"), "read", False),
    }


def test_a_force_writes_its_own_decisions_and_signals_and_reads_the_outcomes_and_concerns():
    assert granted(police_principal("cambridgeshire")) == {
        (PREFIX + DECISIONS.named("cambridgeshire"), "write", False),
        (PREFIX + POLICE_SIGNALS.named("cambridgeshire"), "write", False),
        (PREFIX + OUTCOMES.named("cambridgeshire"), "read", False),
        (PREFIX + CONCERNS.named("cambridgeshire"), "read", False),
    }


def test_services_and_parties_consume_only_in_groups_named_after_themselves():
    for principal in (agency_principal("money-advice"), police_principal("cambridgeshire"), "compliance", "intake"):
        assert granted(principal, "group") == {
            (PREFIX + principal, "read", False),
            (f"{PREFIX}{principal}.", "read", True),
        }


@pytest.mark.parametrize("topic", [CASES, REFERRALS], ids=lambda t: t.name)
def test_no_party_may_touch_the_whole_case_or_referral_streams(topic):
    parties = {police_principal(f) for f in PARTIES.forces} | {agency_principal(a) for a in PARTIES.agencies}
    assert not [acl for acl in ACLS if acl.principal in parties and acl.name.startswith(PREFIX + topic.stem)]


def test_services_get_every_partys_topic_of_a_kind_by_prefix_and_only_where_the_catalogue_says():
    assert granted("compliance") >= {
        (PREFIX + AGENCY_UPDATES.stem, "read", True),
        (PREFIX + AGENCY_REFERRALS.stem, "write", True),
        (PREFIX + AGENCY_REFERRALS.stem, "create", True),
        (PREFIX + CASES.name, "read", False),
    }
    assert (PREFIX + DECISIONS.stem, "read", True) in granted("intake")
    assert not {name for name, _, _ in granted("referral-router")} & {
        PREFIX + AGENCY_UPDATES.stem,
        PREFIX + DECISIONS.stem,
    }


def test_every_acl_is_under_the_prefix_and_for_a_known_principal():
    known = set(principals(PARTIES))
    assert all(acl.name.startswith(PREFIX) and acl.principal in known for acl in ACLS)
    assert len(ACLS) == len(set(ACLS))


def test_every_read_and_write_follows_from_a_topics_producers_and_consumers():
    """Widening the catalogue is the only way to widen an ACL: for each topic, the principals with READ
    or WRITE on it are exactly its consumers and producers."""
    for topic in CATALOGUE:
        names = {PREFIX + (topic.stem if topic.per else topic.name)} | {PREFIX + n for n in topic.names(PARTIES)}
        writers = {acl.principal for acl in ACLS if acl.name in names and acl.operation == "write"}
        readers = {acl.principal for acl in ACLS if acl.name in names and acl.operation == "read"}
        assert writers == _expand(topic.producers)
        assert readers == _expand(topic.consumers)


def test_operations_write_only_the_replay_requests_and_no_party_writes_what_is_not_its_own():
    """A replay is a request to the service that dead-lettered a record (issue 22): the operations login may
    write no force's or agency's topic, nor any service's, so it can never act as one of them."""
    written_by_operations = {acl.name for acl in ACLS if acl.principal == "operations" and acl.operation == "write"}

    assert written_by_operations == {PREFIX + REPLAYS.name}


def test_only_intake_may_delete_records_and_only_from_the_forces_decisions_topics():
    """Deleting what it processed keeps the police's in-clear commands off the broker (see `letterbox`)."""
    deleters = {(acl.principal, acl.name, acl.prefixed) for acl in ACLS if acl.operation == "delete"}

    assert deleters == {("intake", PREFIX + DECISIONS.stem, True)}


def _expand(who: tuple[str, ...]) -> set[str]:
    return {
        principal
        for party in who
        for principal in (
            [police_principal(f) for f in PARTIES.forces]
            if party == "police"
            else [agency_principal(a) for a in PARTIES.agencies]
            if party == "agency"
            else [victim_contact_principal(f) for f in PARTIES.forces]
            if party == "victim_contact"
            else [party]
        )
    }


def test_only_the_forces_own_victim_contact_role_reads_its_victims_updates():
    readers = {
        acl.principal
        for acl in ACLS
        if acl.operation == "read" and acl.name == PREFIX + VICTIM_UPDATES.named("cambridgeshire")
    }

    assert readers == {"victim-contact-cambridgeshire"}, "(operations read every force's, by prefix)"


def test_a_topic_per_agency_naming_police_among_its_readers_is_refused():
    wrong = Topic(
        name="diversion.x.{party}.v1",
        description="",
        producers=("compliance",),
        consumers=("police",),
        carries=(),
        per="agency",
    )
    with pytest.raises(ValueError, match="per agency"):
        acls_for_topics(PARTIES, PREFIX, [wrong])


def test_a_partys_topic_name_says_whose_it_is_and_rejects_ids_that_could_escape_it():
    name = PREFIX + AGENCY_UPDATES.named("brighter-tomorrows")
    assert AGENCY_UPDATES.party_of(name, PREFIX) == "brighter-tomorrows"
    assert AGENCY_REFERRALS.party_of(name, PREFIX) is None
    assert AGENCY_UPDATES.party_of(PREFIX + CASES.name, PREFIX) is None
    for bad in ("", "Womens", "a.b", "a*", "-a", "x" * 64):
        with pytest.raises(ValueError):
            AGENCY_UPDATES.named(bad)
        with pytest.raises(ValueError):
            Directory(agencies=(bad,))
