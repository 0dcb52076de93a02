"""Every Kafka client is TLS with SCRAM as one principal, and a cluster's brokers reach it as separate
servers, not as one comma-joined host name."""

from __future__ import annotations

from platform_plumbing.kafka_clients import create_broker, create_producer
from platform_plumbing.settings import PlatformSettings

CLUSTER = PlatformSettings(
    kafka_bootstrap_servers="127.0.0.1:29092, 127.0.0.1:29192,127.0.0.1:29292",
    kafka_username="intake",
    kafka_password="secret",
)
SERVERS = ["127.0.0.1:29092", "127.0.0.1:29192", "127.0.0.1:29292"]


def test_the_settings_split_the_broker_list():
    assert CLUSTER.kafka.servers == SERVERS


def test_every_client_is_tls_and_scram_as_its_principal():
    options = CLUSTER.kafka.client_options()
    assert (options["security_protocol"], options["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("intake", "secret")
    assert options["ssl_context"].check_hostname


def test_the_password_is_never_in_a_repr():
    assert "secret" not in repr(CLUSTER.kafka) and "secret" not in repr(CLUSTER)


def test_the_faststream_broker_gets_every_server_and_the_principal():
    broker = create_broker(CLUSTER.kafka, client_id="test")
    keywords = broker.config.broker_config.builder.keywords
    assert keywords["bootstrap_servers"] == SERVERS  # what its consumers get
    assert (keywords["security_protocol"], keywords["sasl_plain_username"]) == ("SASL_SSL", "intake")


async def test_the_outbox_producer_gets_every_server():
    producer = create_producer(CLUSTER.kafka, client_id="test")
    assert producer.client._bootstrap_servers == SERVERS
    await producer.stop()
