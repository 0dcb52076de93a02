"""A cluster's brokers reach every Kafka client as separate servers, not as one comma-joined host name."""

from __future__ import annotations

from platform_plumbing.kafka_clients import create_broker, create_producer
from platform_plumbing.settings import PlatformSettings

CLUSTER = PlatformSettings(kafka_bootstrap_servers="127.0.0.1:29092, 127.0.0.1:29192,127.0.0.1:29292")
SERVERS = ["127.0.0.1:29092", "127.0.0.1:29192", "127.0.0.1:29292"]


def test_the_settings_split_the_broker_list():
    assert CLUSTER.kafka_servers == SERVERS


def test_the_faststream_broker_gets_every_server():
    broker = create_broker(CLUSTER, client_id="test")
    assert broker.config.broker_config.builder.keywords["bootstrap_servers"] == SERVERS  # what its consumers get


async def test_the_outbox_producer_gets_every_server():
    producer = create_producer(CLUSTER, client_id="test")
    assert producer.client._bootstrap_servers == SERVERS
    await producer.stop()
