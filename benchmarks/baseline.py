"""The raw ceiling on this machine: what Kafka itself and a framework-free Python hop can do.

- Kafka's own `ProducerPerformance` / `ConsumerPerformance` (the broker's perf-test tools);
- plain aiokafka consume → validate (the same Pydantic model intake uses) → produce, with no
  database, no outbox, no framework: the most any of our hops could reach.
"""

from __future__ import annotations

import re
import subprocess
import time

from aiokafka import AIOKafkaConsumer

from deploy.local_stack.kafka import LIBS_DIR
from platform_plumbing.kafka_clients import producer_for
from schemas.commands import DiversionDecision
from services.operations.kafka_views import partitions_of


def kafka_perf_tools(bootstrap: str, topic: str, records: int) -> dict[str, float]:
    """Records/s of Kafka's producer (acks=all, idempotent) and consumer perf-test tools."""
    classpath = f"{LIBS_DIR}/*"
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
            "--producer-props",
            f"bootstrap.servers={bootstrap}",
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


async def fill(bootstrap: str, topic: str, records: int, decision: dict) -> None:
    """Put `records` valid decisions on `topic` for the bare hop to read."""
    producer = producer_for(bootstrap)
    await producer.start()
    try:
        body = DiversionDecision.model_validate(decision).model_dump_json().encode()
        for n in range(records):
            await producer.send(topic, body, key=str(n).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def python_hop(bootstrap: str, source: str, sink: str, records: int) -> float:
    """Records/s through a bare consume → validate → produce loop (batched, acks=all)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=500)
    producer = producer_for(bootstrap)
    await consumer.start()
    await producer.start()
    try:
        partitions = (await partitions_of(bootstrap, [source]))[source]
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
