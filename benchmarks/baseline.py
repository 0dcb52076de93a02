"""The raw ceiling on this machine: what Kafka itself and a framework-free Python hop can do.

- Kafka's own `ProducerPerformance` / `ConsumerPerformance` (the broker's perf-test tools);
- plain aiokafka consume → validate (the same Pydantic model intake uses) → produce, with no
  database, no outbox, no framework: the most any of our hops could reach.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time

from deploy.local_stack.kafka import LIBS_DIR
from platform_plumbing.kafka_clients import KafkaAccess, consumer_for, producer_for
from schemas.commands import DiversionDecision
from services.operations.kafka_views import partitions_of


def kafka_perf_tools(kafka: KafkaAccess, topic: str, records: int) -> dict[str, float]:
    """Records/s of Kafka's producer (acks=all, idempotent) and consumer perf-test tools, over TLS with SCRAM
    as the platform's clients are."""
    classpath = f"{LIBS_DIR}/*"
    with tempfile.NamedTemporaryFile("w", suffix=".properties") as client_config:
        client_config.write("".join(f"{key}={value}\n" for key, value in java_client_properties(kafka).items()))
        client_config.flush()
        return _perf_tools(classpath, client_config.name, kafka.bootstrap_servers, topic, records)


def java_client_properties(kafka: KafkaAccess) -> dict[str, str]:
    """A Java Kafka client's settings for the platform's brokers, as `kafka`'s principal."""
    return {
        "bootstrap.servers": kafka.bootstrap_servers,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{kafka.username}" password="{kafka.password}";',
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": kafka.ca_file,
    }


def _perf_tools(classpath: str, client_config: str, bootstrap: str, topic: str, records: int) -> dict[str, float]:
    produced = subprocess.run(
        [
            "java",
            "-Xmx512m",
            "-cp",
            classpath,
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic",
            topic,
            "--num-records",
            str(records),
            "--record-size",
            "1200",
            "--throughput",
            "-1",
            "--producer.config",
            client_config,
            "--producer-props",
            "acks=all",
            "enable.idempotence=true",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    consumed = subprocess.run(
        [
            "java",
            "-Xmx512m",
            "-cp",
            classpath,
            "org.apache.kafka.tools.ConsumerPerformance",
            "--topic",
            topic,
            "--messages",
            str(records),
            "--consumer.config",
            client_config,
            "--bootstrap-server",
            bootstrap,
            "--timeout",
            "60000",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    producer_rate = float(re.findall(r"([\d.]+) records/sec", produced)[-1])
    consumer_rate = float(consumed.strip().splitlines()[-1].split(",")[5])  # nMsg.sec
    return {"kafka_producer_perf_records_per_s": producer_rate, "kafka_consumer_perf_records_per_s": consumer_rate}


async def fill(kafka: KafkaAccess, topic: str, records: int, decision: dict) -> None:
    """Put `records` valid decisions on `topic` for the bare hop to read."""
    producer = producer_for(kafka)
    await producer.start()
    try:
        body = DiversionDecision.model_validate(decision).model_dump_json().encode()
        for n in range(records):
            await producer.send(topic, body, key=str(n).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def python_hop(kafka: KafkaAccess, source: str, sink: str, records: int) -> float:
    """Records/s through a bare consume → validate → produce loop (batched, acks=all; TLS and SCRAM too)."""
    consumer = consumer_for(kafka, max_poll_records=500)
    producer = producer_for(kafka)
    await consumer.start()
    await producer.start()
    try:
        partitions = (await partitions_of(kafka, [source]))[source]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        done, started = 0, time.perf_counter()
        while done < records:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            futures = []
            for chunk in batch.values():
                for record in chunk:
                    decision = DiversionDecision.model_validate_json(record.value)
                    futures.append(await producer.send(sink, decision.model_dump_json().encode(), key=record.key))
            for future in futures:
                await future
            done += len(futures)
            if not batch:
                break
        return done / (time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()
