"""Apache Kafka in KRaft mode (no ZooKeeper), from the jars Maven Central serves.

Two shapes share this code: a single combined broker/controller for everyday work and tests,
and a three-node cluster (replication factor 3, `min.insync.replicas=2`) for fault tests, each
node a JVM of its own so that one can be SIGKILLed and restarted.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from deploy.local_stack.runtime import (
    REPO_ROOT,
    RUNTIME_DIR,
    StackError,
    port_open,
    read_pid,
    stop_process,
    wait_for_port,
)

KAFKA_POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
LOG4J_CONFIG = REPO_ROOT / "deploy" / "kafka" / "log4j2.properties"
LIBS_DIR = RUNTIME_DIR / "kafka" / "libs"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class KafkaTopology:
    """The nodes of one Kafka deployment and the broker-wide defaults that go with its size."""

    name: str
    base_port: int
    nodes: int
    heap: str

    @property
    def replication_factor(self) -> int:
        return min(self.nodes, 3)

    @property
    def min_insync_replicas(self) -> int:
        return 2 if self.nodes >= 3 else 1

    def broker_port(self, node_id: int) -> int:
        return self.base_port + 100 * (node_id - 1)

    def controller_port(self, node_id: int) -> int:
        return self.broker_port(node_id) + 1

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{HOST}:{self.broker_port(n)}" for n in self.node_ids)

    @property
    def node_ids(self) -> range:
        return range(1, self.nodes + 1)

    def node_dir(self, node_id: int) -> Path:
        return RUNTIME_DIR / "kafka" / self.name / f"node-{node_id}"


SINGLE = KafkaTopology(name="single", base_port=19092, nodes=1, heap="512m")
CLUSTER = KafkaTopology(name="cluster", base_port=29092, nodes=3, heap="384m")


def fetch_jars() -> None:
    """Resolve the broker and tools jars from Maven Central into `.runtime/kafka/libs` (once)."""
    if LIBS_DIR.is_dir() and any(LIBS_DIR.glob("kafka_2.13-*.jar")):
        return
    if shutil.which("mvn") is None:
        raise StackError("Maven (mvn) is needed to fetch Apache Kafka's jars: apt-get install maven")
    LIBS_DIR.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={LIBS_DIR}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        shutil.rmtree(LIBS_DIR, ignore_errors=True)
        raise StackError(f"Maven could not resolve Apache Kafka's jars:\n{result.stdout}{result.stderr}")


def start(topology: KafkaTopology) -> None:
    """Start every node of `topology` that is not already running, and wait until all answer."""
    fetch_jars()
    cluster_id = _cluster_id(topology)
    for node_id in topology.node_ids:
        start_node(topology, node_id, cluster_id=cluster_id)
    for node_id in topology.node_ids:
        node_dir = topology.node_dir(node_id)
        wait_for_port(
            HOST, topology.broker_port(node_id), seconds=90, what=f"Kafka node {node_id}", log=node_dir / "kafka.out"
        )
    _wait_for_brokers(topology, seconds=90)


def _wait_for_brokers(topology: KafkaTopology, *, seconds: float) -> None:
    """Wait until every node sees every node registered as a broker. Brokers learn the cluster's
    membership from the metadata log at their own pace, and a topic created while the node asked
    still sees fewer brokers would get fewer replicas."""
    deadline = time.monotonic() + seconds
    views: list[int] = []
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own: callers may run an event loop
            views = [
                pool.submit(asyncio.run, _count_brokers(f"{HOST}:{topology.broker_port(n)}")).result()
                for n in topology.node_ids
            ]
        if min(views) >= topology.nodes:
            return
        time.sleep(0.5)
    raise StackError(f"Kafka nodes see {views} of {topology.nodes} brokers registered after {seconds:.0f}s")


async def _count_brokers(bootstrap_servers: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    try:
        await admin.start()
        return len((await admin.describe_cluster())["brokers"])
    except KafkaError:
        return 0
    finally:
        await admin.close()


def start_node(topology: KafkaTopology, node_id: int, *, cluster_id: str | None = None) -> None:
    """Start one node (formatting its storage the first time); a running node is left alone."""
    node_dir = topology.node_dir(node_id)
    pid_file = node_dir / "kafka.pid"
    if read_pid(pid_file) is not None:
        return
    for port in (topology.broker_port(node_id), topology.controller_port(node_id)):
        if port_open(HOST, port):
            raise StackError(
                f"port {port} is taken by a process this stack did not start (another checkout's Kafka?): "
                "stop it, or run make down there"
            )
    node_dir.mkdir(parents=True, exist_ok=True)
    properties = node_dir / "server.properties"
    properties.write_text(_server_properties(topology, node_id))
    if not (node_dir / "data" / "meta.properties").exists():
        _java(
            ["kafka.tools.StorageTool", "format", "-t", cluster_id or _cluster_id(topology), "-c", str(properties)],
            topology,
            wait=True,
            log=node_dir / "format.out",
        )
    process = _java(["kafka.Kafka", str(properties)], topology, wait=False, log=node_dir / "kafka.out")
    pid_file.write_text(str(process.pid))


def stop(topology: KafkaTopology) -> None:
    """Stop all nodes at once: one by one, each waits on controlled shutdown of a shrinking quorum."""
    with ThreadPoolExecutor(max_workers=topology.nodes) as pool:
        list(pool.map(lambda node_id: stop_node(topology, node_id), topology.node_ids))


def stop_node(topology: KafkaTopology, node_id: int, *, hard: bool = False) -> bool:
    """Stop one node; `hard=True` is a SIGKILL, for fault tests."""
    return stop_process(topology.node_dir(node_id) / "kafka.pid", hard=hard)


def is_running(topology: KafkaTopology) -> bool:
    return all(read_pid(topology.node_dir(n) / "kafka.pid") is not None for n in topology.node_ids)


def clean(topology: KafkaTopology) -> None:
    stop(topology)
    shutil.rmtree(RUNTIME_DIR / "kafka" / topology.name, ignore_errors=True)


def _cluster_id(topology: KafkaTopology) -> str:
    """A stable cluster id per topology, kept beside its nodes (Kafka wants base64url of 16 bytes)."""
    id_file = RUNTIME_DIR / "kafka" / topology.name / "cluster.id"
    if not id_file.exists():
        id_file.parent.mkdir(parents=True, exist_ok=True)
        id_file.write_text(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))
    return id_file.read_text().strip()


def _server_properties(topology: KafkaTopology, node_id: int) -> str:
    voters = ",".join(f"{n}@{HOST}:{topology.controller_port(n)}" for n in topology.node_ids)
    rf = topology.replication_factor
    settings = {
        "process.roles": "broker,controller",
        "node.id": node_id,
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{HOST}:{topology.broker_port(node_id)},"
        f"CONTROLLER://{HOST}:{topology.controller_port(node_id)}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{topology.broker_port(node_id)}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": topology.node_dir(node_id) / "data",
        "auto.create.topics.enable": "false",
        "num.partitions": 3,
        "default.replication.factor": rf,
        "min.insync.replicas": topology.min_insync_replicas,
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": topology.min_insync_replicas,
        "share.coordinator.state.topic.replication.factor": rf,
        "share.coordinator.state.topic.min.isr": topology.min_insync_replicas,
        "group.initial.rebalance.delay.ms": 0,
        "log.retention.hours": 168,
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _java(args: list[str], topology: KafkaTopology, *, wait: bool, log: Path) -> subprocess.Popen:
    if shutil.which("java") is None:
        raise StackError("Java 17+ is needed to run Apache Kafka: apt-get install openjdk-17-jre-headless")
    command = [
        "java",
        f"-Xmx{topology.heap}",
        "-Xms128m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        f"-Dkafka.logs.dir={log.parent}",
        "-cp",
        f"{LIBS_DIR}/*",
        *args,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    if wait and process.wait() != 0:
        raise StackError(f"{' '.join(args[:2])} failed; see {log}")
    return process
