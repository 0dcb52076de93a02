"""The broker itself enforces who may read and write what: each test tries a forbidden act as the
principal it is forbidden to, on the real broker with production's ACLs under the test's prefix, and next
to it the permitted act by the principal entitled to it (so a refusal is the ACL's, not a broken topic's).

These fail if an ACL is widened (a wildcard, a prefixed grant where a literal one belongs) or if the broker
were to fall back to letting anyone in."""

from __future__ import annotations

import secrets
import ssl

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAuthorizationFailedError

from deploy.local_stack.processes import provide_topics, remove_topics
from platform_plumbing.kafka_acls import SERVICE_PRINCIPALS, Acl, acls_for, police_principal
from platform_plumbing.kafka_admin import delete_principals, grant, revoke_stale, set_passwords
from platform_plumbing.kafka_clients import KafkaAccess
from schemas.topics import (
    AGENCY_REFERRALS,
    AGENCY_UPDATES,
    CASES,
    COMPLIANCE,
    DEAD_LETTERS,
    DECISIONS,
    NAMESPACE,
    OUTCOMES,
    POLICE_SIGNALS,
    REFERRALS,
    REPLAYS,
)
from services.operations.kafka_views import read_records, topic_counts
from tests.kafka_tools import PARTIES, produce, read_topic

AGENCY_A, AGENCY_B = "agency-brighter-tomorrows", "agency-substance-misuse-treatment"
FORCE = "cambridgeshire"


@pytest.fixture
def logins(infrastructure):
    return infrastructure.kafka


async def _write(kafka: KafkaAccess, topic: str) -> None:
    await produce(kafka, topic, [(b"k", [], b"{}")])


async def _read(kafka: KafkaAccess, topic: str, prefix: str) -> None:
    """Subscribe to `topic` in a consumer group the principal may use, as a party's own consumer would: the
    broker answers a forbidden topic with an authorisation error."""
    consumer = AIOKafkaConsumer(
        topic,
        **kafka.client_options(),
        group_id=f"{prefix}{kafka.username}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=5000)
    finally:
        await consumer.stop()


async def test_an_anonymous_client_is_refused(logins, topics):
    admin = logins.admin
    for protocol in ("PLAINTEXT", "SSL"):
        options = {"ssl_context": admin.ssl_context()} if protocol == "SSL" else {}
        producer = AIOKafkaProducer(
            bootstrap_servers=admin.servers, security_protocol=protocol, request_timeout_ms=5000, **options
        )
        with pytest.raises((KafkaConnectionError, KafkaError, ssl.SSLError, OSError)):
            await producer.start()
            await producer.send_and_wait(topics.topic_prefix + CASES.name, b"{}")
        await producer.stop()


async def test_a_wrong_password_is_refused_and_the_right_one_accepted(logins, topics):
    agency = logins.of(AGENCY_A)
    topic = topics.topic_prefix + AGENCY_UPDATES.named("brighter-tomorrows")
    with pytest.raises(KafkaError):
        await _write(agency.as_principal(agency.username, secrets.token_urlsafe(24)), topic)
    await _write(agency, topic)


async def test_an_agency_cannot_read_another_agencys_referrals(logins, topics):
    topic = topics.topic_prefix + AGENCY_REFERRALS.named("brighter-tomorrows")
    await _write(logins.of("compliance"), topic)
    assert len(await read_topic(logins.of(AGENCY_A), topic, at_least=1, timeout=10)) == 1
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(logins.of(AGENCY_B), topic, topics.topic_prefix)


async def test_an_agency_cannot_write_another_agencys_updates(logins, topics):
    theirs = topics.topic_prefix + AGENCY_UPDATES.named("brighter-tomorrows")
    ours = topics.topic_prefix + AGENCY_UPDATES.named("substance-misuse-treatment")
    await _write(logins.of(AGENCY_B), ours)
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(logins.of(AGENCY_B), theirs)


@pytest.mark.parametrize("catalogue_topic", [CASES, REFERRALS], ids=lambda topic: topic.name)
async def test_no_agency_can_read_whole_case_or_referral_streams(logins, topics, catalogue_topic):
    topic = topics.topic_prefix + catalogue_topic.name
    await _write(logins.admin, topic)
    for agency in (AGENCY_A, AGENCY_B):
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(logins.of(agency), topic, topics.topic_prefix)
    assert len(await read_topic(logins.of("compliance"), topic, at_least=1, timeout=10)) == 1


async def test_an_agency_cannot_write_the_decisions_or_its_own_referrals(logins, topics):
    agency = logins.of(AGENCY_A)
    for topic in (DECISIONS.named(FORCE), AGENCY_REFERRALS.named("brighter-tomorrows")):
        with pytest.raises(TopicAuthorizationFailedError):
            await _write(agency, topics.topic_prefix + topic)


@pytest.fixture
async def second_force(logins, settings, namespace):
    """A second force with a principal of its own, its topics and ACLs under this test's prefix."""
    force = f"force-{namespace}"
    password = secrets.token_urlsafe(24)
    directory = PARTIES.__class__(forces=(FORCE, force), agencies=PARTIES.agencies)
    await set_passwords(logins.admin, {police_principal(force): password})
    await provide_topics(logins.admin, directory, settings.topic_prefix)
    yield force, logins.admin.as_principal(police_principal(force), password)
    await remove_topics(logins.admin, directory, settings.topic_prefix)
    await delete_principals(logins.admin, [police_principal(force)])


async def test_a_police_client_writes_only_its_own_forces_decisions(logins, settings, second_force):
    other_force, other_police = second_force
    ours = settings.topic_prefix + DECISIONS.named(FORCE)
    theirs = settings.topic_prefix + DECISIONS.named(other_force)
    police = logins.of(police_principal(FORCE))
    await _write(police, ours)
    await _write(other_police, theirs)
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(police, theirs)
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(other_police, ours)
    for whole_stream in (CASES, COMPLIANCE):
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(police, settings.topic_prefix + whole_stream.name, settings.topic_prefix)


async def test_a_police_client_reads_only_its_own_forces_outcomes(logins, settings, second_force):
    other_force, other_police = second_force
    ours = settings.topic_prefix + OUTCOMES.named(FORCE)
    await _write(logins.of("compliance"), ours)
    assert len(await read_topic(logins.of(police_principal(FORCE)), ours, at_least=1, timeout=10)) == 1
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(other_police, ours, settings.topic_prefix)


async def test_the_operations_login_writes_no_partys_topic_only_its_replay_requests(logins, topics):
    """Issue 22: the operations login once wrote a forged decline on an agency's topic, applied as the agency's.
    It may now write the replay requests and nothing a party or a service writes."""
    operations = logins.of("operations")
    for topic in (
        AGENCY_UPDATES.named("brighter-tomorrows"),
        DECISIONS.named(FORCE),
        POLICE_SIGNALS.named(FORCE),
        CASES.name,
        REFERRALS.name,
        COMPLIANCE.name,
        DEAD_LETTERS.name,
    ):
        with pytest.raises(TopicAuthorizationFailedError):
            await _write(operations, topics.topic_prefix + topic)
    await _write(operations, topics.topic_prefix + REPLAYS.name)


async def test_only_the_services_read_the_replay_requests(logins, topics):
    """Issue 22: a replay request is for the service that dead-lettered the record; the team that writes them reads
    them back no more than any party does, though it still counts them (describing is part of writing)."""
    replays = topics.topic_prefix + REPLAYS.name
    await _write(logins.of("operations"), replays)
    for service in SERVICE_PRINCIPALS:
        assert len(await read_topic(logins.of(service), replays, at_least=1, timeout=10)) == 1
    for party in (AGENCY_A, police_principal(FORCE)):
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(logins.of(party), replays, topics.topic_prefix)
    with pytest.raises(TopicAuthorizationFailedError):  # as `diversion tail` reads: in no group
        _ = [record async for record in read_records(logins.of("operations"), replays, follow=False)]
    counts = {count.name: count.messages for count in await topic_counts(logins.of("operations"), topics.topic_prefix)}
    assert counts[replays] == 1


async def test_an_acl_an_earlier_catalogue_granted_is_revoked_when_the_platform_is_provided_again(logins, topics):
    prefix = topics.topic_prefix
    agency_topic = prefix + AGENCY_UPDATES.named("brighter-tomorrows")
    await grant(logins.admin, [Acl("operations", "topic", prefix + AGENCY_UPDATES.stem, "write", prefixed=True)])
    await _write(logins.of("operations"), agency_topic)  # what the catalogue before issue 22 allowed

    revoked = await revoke_stale(logins.admin, acls_for(PARTIES, prefix), under=prefix + NAMESPACE)

    assert revoked == 1
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(logins.of("operations"), agency_topic)
    await _write(logins.of(AGENCY_A), agency_topic)
