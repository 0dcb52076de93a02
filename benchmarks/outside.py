"""The outside world on Kafka for a load or chaos run: each police force and each partner agency as its own
principal, writing only its own topics — what the broker lets it, as in production."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer

from platform_plumbing.kafka_acls import agency_principal, police_principal
from platform_plumbing.kafka_clients import KafkaLogins, producer_for
from schemas.topics import AGENCY_UPDATES, DECISIONS, Topic


class Outside:
    def __init__(self, logins: KafkaLogins, prefix: str, **producer_options: Any) -> None:
        self._logins = logins
        self._prefix = prefix
        self._options = producer_options
        self._producers: dict[str, AIOKafkaProducer] = {}
        self._starting = asyncio.Lock()

    async def as_police(self, force: str, value: bytes, *, key: bytes, headers: list) -> asyncio.Future:
        """Send a police command on the force's own decisions topic, as the force."""
        return await self.send(police_principal(force), DECISIONS, force, value, key=key, headers=headers)

    async def as_agency(self, agency: str, value: bytes, *, key: bytes, headers: list) -> asyncio.Future:
        """Send an agency's update on its own updates topic, as the agency."""
        return await self.send(agency_principal(agency), AGENCY_UPDATES, agency, value, key=key, headers=headers)

    async def send(
        self, principal: str, topic: Topic, party: str, value: bytes, *, key: bytes, headers: list
    ) -> asyncio.Future:
        producer = await self._producer(principal)
        return await producer.send(self._prefix + topic.named(party), value, key=key, headers=headers)

    async def flush(self) -> None:
        await asyncio.gather(*(producer.flush() for producer in self._producers.values()))

    async def stop(self) -> None:
        await asyncio.gather(*(producer.stop() for producer in self._producers.values()))
        self._producers.clear()

    async def _producer(self, principal: str) -> AIOKafkaProducer:
        async with self._starting:
            if principal not in self._producers:
                producer = producer_for(self._logins.of(principal), **self._options)
                await producer.start()
                self._producers[principal] = producer
            return self._producers[principal]
