"""What this machine can do without our services: the yardsticks each service's hop is measured against.

- Kafka's own `ProducerPerformance` / `ConsumerPerformance` (the broker's perf-test tools);
- the bare hop: aiokafka consume → CloudEvents headers + the Pydantic model intake uses → produce, with
  no database and no framework — the framework-free ceiling;
- the database-backed hop: the same, plus what any of our hops must do per batch done the set-based way —
  one transaction with an unnest inbox claim, one unnest insert of state and a COPY into an outbox, then
  the fan-out produced, the outbox rows marked sent and the offsets committed. A service's hop is
  reported as a ratio of *this*: what is left between the two is our code.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import tempfile
import time
import uuid

import asyncpg

from benchmarks.load import decision_record
from deploy.local_stack.kafka import LIBS_DIR
from platform_plumbing.kafka_clients import KafkaAccess, consumer_for, producer_for
from schemas.envelope import decode
from schemas.registry import COMMAND_TYPES as COMMANDS
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


async def fill(kafka: KafkaAccess, topic: str, records: int) -> None:
    """Put `records` valid decisions on `topic`, each a police system's CloudEvent, for the hops to read."""
    producer = producer_for(kafka)
    await producer.start()
    try:
        for n in range(records):
            record = decision_record(f"13BM{n:07d}", f"bench-hop-{n:07d}")
            await producer.send(topic, record.value, key=record.key, headers=record.headers)
        await producer.flush()
    finally:
        await producer.stop()


async def python_hop(kafka: KafkaAccess, source: str, sink: str, records: int) -> float:
    """Records/s through a bare consume → decode → produce loop (batched, acks=all; TLS and SCRAM too)."""
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
                    _, decision = decode(record.headers, record.value, COMMANDS)
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


STATE = """
CREATE TABLE inbox (event_id text PRIMARY KEY, topic text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE cases (
    case_id uuid PRIMARY KEY, police_reference text NOT NULL UNIQUE, subject_ref text NOT NULL,
    decided_at timestamptz NOT NULL, decision jsonb NOT NULL
);
CREATE TABLE outbox (
    id bigserial PRIMARY KEY, topic text NOT NULL, key bytea NOT NULL, value bytea,
    created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
"""


async def database_hop(kafka: KafkaAccess, database_url: str, source: str, sink: str, records: int) -> float:
    """Records/s through consume → decode → one set-based transaction → produce → mark sent → commit, in a
    schema of its own (dropped after)."""
    schema = f"bench_baseline_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(database_url)
    consumer = consumer_for(kafka, group_id=schema, enable_auto_commit=False, max_poll_records=500)
    producer = producer_for(kafka)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}; SET search_path = {schema};" + STATE)
        await consumer.start()
        await producer.start()
        partitions = (await partitions_of(kafka, [source]))[source]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        done, started = 0, time.perf_counter()
        while done < records:
            batch = [record for chunk in (await consumer.getmany(timeout_ms=1000)).values() for record in chunk]
            if not batch:
                break
            done += await _one_batch(connection, producer, consumer, batch, source, sink)
        return done / (time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()
        await connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await connection.close()


async def _one_batch(connection: asyncpg.Connection, producer, consumer, batch: list, source: str, sink: str) -> int:
    decoded = [decode(record.headers, record.value, COMMANDS) for record in batch]
    async with connection.transaction():
        fresh = {
            row["event_id"]
            for row in await connection.fetch(
                "INSERT INTO inbox (event_id, topic) SELECT unnest($1::text[]), $2"
                " ON CONFLICT DO NOTHING RETURNING event_id",
                [f"{attributes.source}/{attributes.id}" for attributes, _ in decoded],
                source,
            )
        }
        new = [
            (uuid.uuid4(), decision)
            for attributes, decision in decoded
            if f"{attributes.source}/{attributes.id}" in fresh
        ]
        await connection.execute(
            "INSERT INTO cases SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])"
            " ON CONFLICT DO NOTHING",
            [case_id for case_id, _ in new],
            [decision.police_reference for _, decision in new],
            [decision.subject_ref for _, decision in new],
            [decision.decided_at for _, decision in new],
            [decision.model_dump_json() for _, decision in new],
        )
        out = [(sink, str(case_id).encode(), decision.model_dump_json().encode()) for case_id, decision in new]
        await connection.copy_records_to_table("outbox", records=out, columns=["topic", "key", "value"])
    futures = [await producer.send(topic, value, key=key) for topic, key, value in out]
    await asyncio.gather(*futures)
    await connection.execute("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL")  # this hop's only writer
    await consumer.commit()
    return len(batch)
