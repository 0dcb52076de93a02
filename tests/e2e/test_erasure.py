"""Erasure on real processes: a person whose name, phone and email carry a unique canary is diverted,
referred and read by the agency (and a refused copy of the decision came over Kafka and was dead-lettered);
once the operations team erases the case, the canary is in none of the
places the platform keeps data — the raw bytes of every topic (dead letters included), a `pg_dump` of the
database, every service's log — and the reports still count the case."""

from __future__ import annotations

import json
import secrets
import subprocess
from datetime import UTC, datetime

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from deploy.local_stack.postgres import bin_dir
from platform_plumbing import keyring
from schemas.commands import DiversionDecision
from schemas.envelope import encode
from schemas.topics import DEAD_LETTERS, DECISIONS
from tests.e2e.conftest import agency_key, operations_key, police_key
from tests.factories import agency_condition_payload, payload, personal_payload
from tests.kafka_tools import PARTIES, eventually, produce, read_to_end, read_topic

AGENCY = "substance-misuse-treatment"
FORCE = PARTIES.forces[0]
READ = {"purpose": "arranging_contact"}


async def test_after_erasure_the_canary_is_nowhere_and_the_case_still_counts(
    settings, infrastructure, start_service, tmp_path
):
    intake, intake_schema = await start_service("intake")
    await start_service("router")
    gateway, compliance_schema = await start_service("compliance")
    police = {"X-API-Key": await police_key(settings.database_url, intake_schema)}
    agency = {"X-API-Key": await agency_key(settings.database_url, compliance_schema, AGENCY)}
    operations = {"X-API-Key": await operations_key(settings.database_url, compliance_schema)}
    canary = f"Canary{secrets.token_hex(6)}"
    phone = f"+44 7700 {secrets.randbelow(10**6):06d}"
    personal = personal_payload(given_name=canary, email=f"{canary.lower()}@example.org", phone=phone)
    canaries = [canary.encode(), canary.lower().encode(), phone.encode()]
    body = payload(
        DiversionDecision,
        police_reference=f"13YE{secrets.token_hex(4).upper()}",
        decided_at=datetime.now(UTC).isoformat(),
        conditions=[agency_condition_payload()],
        needs=[{"category": "alcohol_misuse", "severity": "medium"}],
        personal=personal,
    )

    async with (
        httpx.AsyncClient(base_url=intake.url, headers=police, timeout=30) as intake_http,
        httpx.AsyncClient(base_url=gateway.url, timeout=30) as gateway_http,
    ):
        opened = await intake_http.post("/v1/decisions", json=body)
        assert opened.status_code == 201 and opened.json()["status"] == "open", opened.text
        case_id = opened.json()["case_id"]
        await _send_over_kafka(settings, body, age_at_offence=3)  # refused: dead-lettered, sealed
        referral = await eventually(lambda: _referral_of(gateway_http, agency, case_id), timeout=60)
        before = (await gateway_http.get(f"/v1/referrals/{referral}", params=READ, headers=agency)).json()
        assert before["personal"]["given_name"] == canary and before["personal"]["phone"] == phone
        counted = await _report(gateway_http, operations)

        erased = await gateway_http.post(
            "/v1/erasures",
            json={"case_id": case_id, "reason": "data_subject_request", "force": True},
            headers=operations,
        )
        assert erased.status_code == 200 and erased.json()["erased"] is True, erased.text

        after = (await gateway_http.get(f"/v1/referrals/{referral}", params=READ, headers=agency)).json()
        assert after["personal"] is None and after["status"] == before["status"]
        assert await _report(gateway_http, operations) == counted, "the erased case still counts"

    decisions = settings.topic(DECISIONS.named(FORCE))
    await eventually(lambda: _emptied(settings, decisions), timeout=30)
    await eventually(lambda: read_topic(settings.kafka, settings.topic(DEAD_LETTERS.name), at_least=1, timeout=1))
    assert await _letter_keys(infrastructure.admin_url, body["police_reference"]) == 0, "erased with the case"
    topics = await _every_record(settings)
    assert len(topics) >= 5 and any(t.endswith("dead-letters.v1") for t in topics), sorted(topics)
    assert any(case_id.encode() in raw for raws in topics.values() for raw in raws), "the topics hold the case"
    found = {topic: [c for c in canaries if any(c in raw for raw in raws)] for topic, raws in topics.items()}
    assert not any(found.values()), {topic: cs for topic, cs in found.items() if cs}
    dump = subprocess.run(
        [str(bin_dir() / "pg_dump"), "--dbname", infrastructure.admin_url, "--data-only"],
        capture_output=True,
        check=True,
    ).stdout
    assert case_id.encode() in dump, "the dump holds the case"
    assert not [c for c in canaries if c in dump], "nor its person in clear"
    logs = {path.name: path.read_bytes() for path in tmp_path.glob("*.log")}
    assert set(logs) >= {"intake.log", "router.log", "compliance.log"} and all(logs.values())
    assert not [(name, c) for name, text in logs.items() for c in canaries if c in text]


async def _send_over_kafka(settings, decision: dict, **invalid) -> None:
    """`decision` on the force's topic, made invalid by `invalid` (so the headers are a good command's)."""
    command = DiversionDecision.model_validate(decision)
    encoded = encode(command, event_id=secrets.token_hex(8), source="/police/rms", time=datetime.now(UTC), key="k")
    value = json.dumps({**decision, **invalid}).encode()
    await produce(settings.kafka, settings.topic(DECISIONS.named(FORCE)), [(encoded.key, encoded.headers, value)])


async def _emptied(settings, topic: str) -> bool:
    return await read_to_end(settings.kafka, topic) == []


async def _letter_keys(admin_url: str, police_reference: str) -> int:
    connection = await asyncpg.connect(admin_url)
    try:
        return await connection.fetchval(
            f"SELECT count(*) FROM {keyring.LETTERS} WHERE police_reference = $1", police_reference
        )
    finally:
        await connection.close()


async def _referral_of(http: httpx.AsyncClient, agency: dict, case_id: str) -> str | None:
    listed = (await http.get("/v1/referrals", headers=agency)).json()
    return next((r["referral_id"] for r in listed if r["case_id"] == case_id), None)


async def _report(http: httpx.AsyncClient, operations: dict) -> list:
    answer = await http.get("/v1/reports/compliance", headers=operations)
    assert answer.status_code == 200, answer.text
    assert sum(row["open"] for row in answer.json()) >= 1
    return answer.json()


async def _every_record(settings) -> dict[str, list[bytes]]:
    """topic -> every record of it (key, header values and value as raw bytes), for each of this test's topics."""
    consumer = AIOKafkaConsumer(**settings.kafka.client_options())
    await consumer.start()
    try:
        mine = sorted(t for t in await consumer.topics() if t.startswith(settings.topic_prefix))
    finally:
        await consumer.stop()
    everything = {}
    for topic in mine:
        records = await read_to_end(settings.kafka, topic)
        everything[topic] = [
            b"".join([r.key or b"", *(v or b"" for _, v in r.headers), r.value or b""]) for r in records
        ]
    return everything
