"""Apache Kafka in KRaft mode (no ZooKeeper), from the jars Maven Central serves, secured.

Two shapes share this code: a single combined broker/controller for everyday work and tests,
and a three-node cluster (replication factor 3, `min.insync.replicas=2`) for fault tests, each
node a JVM of its own so that one can be SIGKILLed and restarted.

Every listener is TLS (a certificate from the stack's own CA, `tls.py`) with SASL: clients and
brokers authenticate with SCRAM-SHA-512, the controllers' quorum with PLAIN. KRaft's
`StandardAuthorizer` allows nothing an ACL does not (`allow.everyone.if.no.acl.found=false`); the
brokers, the controllers and `admin` are super users. The broker's and admin's SCRAM credentials
are written when a node's storage is formatted; every other principal — each service, operations,
each force, each agency — is created by `provision` with the ACLs `platform_plumbing.kafka_acls`
derives from the catalogue. Passwords are generated once and kept in `.runtime/kafka-credentials.json`
(mode 0600).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import secrets
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from aiokafka.errors import KafkaError

from deploy.local_stack import tls
from deploy.local_stack.runtime import (
    REPO_ROOT,
    RUNTIME_DIR,
    StackError,
    port_open,
    read_pid,
    stop_process,
    wait_for_port,
    write_private,
)
from platform_plumbing.kafka_acls import acls_for, principals
from platform_plumbing.kafka_admin import grant, revoke_stale, set_passwords
from platform_plumbing.kafka_clients import KafkaAccess, KafkaLogins, admin_for
from platform_plumbing.topic_admin import ensure_topics
from schemas.topics import CATALOGUE, NAMESPACE, Directory

logger = logging.getLogger(__name__)

KAFKA_POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
LOG4J_CONFIG = REPO_ROOT / "deploy" / "kafka" / "log4j.properties"
LIBS_DIR = RUNTIME_DIR / "kafka" / "libs"
HOST = "127.0.0.1"
CREDENTIALS = RUNTIME_DIR / "kafka-credentials.json"
ADMIN = "admin"
SUPER_USERS = ("broker", "controller", ADMIN)


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


def credentials() -> dict:
    """The stack's Kafka passwords: `super` (broker, controller, admin) and `principals` (everyone else)."""
    if not CREDENTIALS.exists():
        stored = {"super": {user: secrets.token_urlsafe(24) for user in SUPER_USERS}, "principals": {}}
        write_private(CREDENTIALS, json.dumps(stored, indent=2))
    return json.loads(CREDENTIALS.read_text())


def logins(topology: KafkaTopology) -> KafkaLogins:
    """How to reach `topology` as its administrator, or as any principal `provision` made."""
    stored = credentials()
    admin = KafkaAccess(topology.bootstrap_servers, ADMIN, stored["super"][ADMIN], str(tls.CA_FILE))
    return KafkaLogins(admin, stored["principals"])


def provision(topology: KafkaTopology, directory: Directory) -> None:
    """Every principal of `directory` (a password generated for any new one), their ACLs, and the topics."""
    stored = credentials()
    for principal in principals(directory):
        stored["principals"].setdefault(principal, secrets.token_urlsafe(24))
    write_private(CREDENTIALS, json.dumps(stored, indent=2))
    admin = logins(topology).admin

    async def apply() -> None:
        await set_passwords(admin, {p: stored["principals"][p] for p in principals(directory)})
        await grant(admin, acls_for(directory))
        await revoke_stale(admin, acls_for(directory), under=NAMESPACE)
        await ensure_topics(admin, CATALOGUE, directory=directory)

    asyncio.run(apply())


SINGLE = KafkaTopology(name="single", base_port=19092, nodes=1, heap="512m")
CLUSTER = KafkaTopology(name="cluster", base_port=29092, nodes=3, heap="384m")


def fetch_jars() -> None:
    """Resolve the broker and tools jars of the pom's Kafka version from Maven Central into
    `.runtime/kafka/libs` (again when the pom names another version than the jars there)."""
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", KAFKA_POM.read_text()).group(1)
    if (LIBS_DIR / f"kafka_2.13-{version}.jar").exists():
        return
    shutil.rmtree(LIBS_DIR, ignore_errors=True)
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
    tls.ensure_certificates()
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
                pool.submit(
                    asyncio.run, _count_brokers(logins(topology).admin, f"{HOST}:{topology.broker_port(n)}")
                ).result()
                for n in topology.node_ids
            ]
        if min(views) >= topology.nodes:
            return
        time.sleep(0.5)
    raise StackError(f"Kafka nodes see {views} of {topology.nodes} brokers registered after {seconds:.0f}s")


async def _count_brokers(admin_access: KafkaAccess, node: str) -> int:
    admin = admin_for(replace(admin_access, bootstrap_servers=node), request_timeout_ms=5000)
    try:
        await admin.start()
        return len((await admin.describe_cluster())["brokers"])
    except KafkaError as error:
        logger.info("Kafka node %s not answering yet: %s", node, type(error).__name__)
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
    formatted = (node_dir / "data" / "meta.properties").exists()
    if formatted and not CREDENTIALS.exists():
        raise StackError(
            f"Kafka's data in {node_dir} predates authentication (its listeners were open): "
            "run make clean, then make up"
        )
    passwords = credentials()["super"]
    properties = node_dir / "server.properties"
    write_private(properties, _server_properties(topology, node_id, passwords))
    if not formatted:
        scram = [f"SCRAM-SHA-512=[name={user},password={passwords[user]}]" for user in ("broker", ADMIN)]
        _java(
            [
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id or _cluster_id(topology),
                "-c",
                str(properties),
                *(argument for credential in scram for argument in ("--add-scram", credential)),
            ],
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
    """Stop `topology` and delete its data. The credentials go with the last topology's data, so that a
    stack made afresh never meets a node formatted with other passwords."""
    stop(topology)
    shutil.rmtree(RUNTIME_DIR / "kafka" / topology.name, ignore_errors=True)
    if not any((RUNTIME_DIR / "kafka" / other.name).exists() for other in (SINGLE, CLUSTER)):
        CREDENTIALS.unlink(missing_ok=True)


def _cluster_id(topology: KafkaTopology) -> str:
    """A stable cluster id per topology, kept beside its nodes (Kafka wants base64url of 16 bytes)."""
    id_file = RUNTIME_DIR / "kafka" / topology.name / "cluster.id"
    if not id_file.exists():
        id_file.parent.mkdir(parents=True, exist_ok=True)
        id_file.write_text(_new_cluster_id())
    return id_file.read_text().strip()


def _new_cluster_id() -> str:
    """A random id that does not start with "-": StorageTool would read one that does (1 in 64) as an option
    and refuse to format, as Kafka's own `Uuid.randomUuid` avoids for the same reason."""
    while (cluster_id := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")).startswith("-"):
        pass
    return cluster_id


def _server_properties(topology: KafkaTopology, node_id: int, passwords: dict[str, str]) -> str:
    voters = ",".join(f"{n}@{HOST}:{topology.controller_port(n)}" for n in topology.node_ids)
    rf = topology.replication_factor
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    controller = passwords["controller"]
    settings = {
        "process.roles": "broker,controller",
        "node.id": node_id,
        "controller.quorum.voters": voters,
        "listeners": f"SASL_SSL://{HOST}:{topology.broker_port(node_id)},"
        f"CONTROLLER://{HOST}:{topology.controller_port(node_id)}",
        "advertised.listeners": f"SASL_SSL://{HOST}:{topology.broker_port(node_id)}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "SASL_SSL",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL",
        "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.sasl_ssl.sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": f'{scram} required username="broker" '
        f'password="{passwords["broker"]}";',
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": f'{plain} required username="controller" '
        f'password="{controller}" user_controller="{controller}";',
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": tls.BROKER_KEYSTORE,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": tls.CA_FILE,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": ";".join(f"User:{user}" for user in SUPER_USERS),
        "log.dirs": topology.node_dir(node_id) / "data",
        "auto.create.topics.enable": "false",
        "num.partitions": 3,
        "default.replication.factor": rf,
        "min.insync.replicas": topology.min_insync_replicas,
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": topology.min_insync_replicas,
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
        f"-Dlog4j.configuration=file:{LOG4J_CONFIG}",
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
