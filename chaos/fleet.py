"""Two replicas of every service, each pair one consumer group and one schema, on the cluster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deploy.local_stack.processes import ServiceProcess, isolated_service
from platform_plumbing.database_roles import DatabaseLogins
from platform_plumbing.kafka_clients import KafkaLogins
from schemas.topics import AGENCY_UPDATES, CASES, COMPLIANCE, DECISIONS, POLICE_SIGNALS, REFERRALS, Directory
from services.compliance.bootstrap import CONSUMER_GROUP as COMPLIANCE_GROUP
from services.intake.bootstrap import CONSUMER_GROUP as INTAKE_GROUP
from services.referral_router.bootstrap import CONSUMER_GROUP as ROUTER_GROUP

REPLICAS = 2
GROUPS = {  # service: (its consumer group, the topics it reads)
    "intake": (INTAKE_GROUP, (DECISIONS, COMPLIANCE)),
    "router": (ROUTER_GROUP, (CASES, COMPLIANCE)),
    "compliance": (COMPLIANCE_GROUP, (CASES, REFERRALS, AGENCY_UPDATES, POLICE_SIGNALS)),
}


@dataclass
class Fleet:
    prefix: str
    parties: Directory
    replicas: dict[str, ServiceProcess]
    """"intake#0" -> its process, and so on."""

    @classmethod
    def of(
        cls,
        *,
        kafka: KafkaLogins,
        database: DatabaseLogins,
        parties: Directory,
        prefix: str,
        run: str,
        logs: Path,
        catalogue: str,
    ) -> Fleet:
        return cls(
            prefix,
            parties,
            {
                f"{name}#{n}": isolated_service(
                    name,
                    kafka=kafka,
                    database=database,
                    prefix=prefix,
                    schema=f"chaos_{run}_{name}",
                    log=logs / f"{name}-{n}.log",
                    ROUTER_CATALOGUE_FILE=catalogue,
                )
                for name in GROUPS
                for n in range(REPLICAS)
            },
        )

    async def start(self) -> None:
        for process in self.replicas.values():
            await process.start()

    def stop(self) -> None:
        for process in self.replicas.values():
            process.stop()

    def groups(self, *services: str) -> dict[str, list[str]]:
        """Each (or these) service's consumer group and topics, full names, as `observe.group_positions` takes them."""
        return {
            self.prefix + group: [self.prefix + name for t in topics for name in t.names(self.parties)]
            for name, (group, topics) in GROUPS.items()
            if not services or name in services
        }
