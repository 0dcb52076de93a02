"""Compliance's audit trail: each applied agency update is an alteration by whoever sent it (its gateway
client, or its Kafka principal), each report read a consultation by the operator; both chained by the
sealer the service runs."""

from __future__ import annotations

from schemas.commands import ReferralAccepted
from tests.integration.compliance.test_kafka_updates import AT, updates_of
from tests.kafka_tools import eventually


async def acts(compliance, action: str) -> list[tuple]:
    rows = await compliance.pool.fetch(
        "SELECT actor, purpose, referral_id, detail FROM audit_log WHERE action = $1 ORDER BY id", action
    )
    return [tuple(row) for row in rows]


async def test_applied_updates_and_report_reads_are_in_the_trail_and_get_chained(compliance):
    case = await compliance.open_case()
    womens, treatment = case.referrals["brighter-tomorrows"], case.referrals["substance-misuse-treatment"]
    assert (await compliance.post("brighter-tomorrows", womens, "accept")).json()["applied"]
    assert not (await compliance.post("brighter-tomorrows", womens, "accept")).json()["applied"]
    accepted = ReferralAccepted(
        case_id=case.case_id, referral_id=treatment, agency_id="substance-misuse-treatment", occurred_at=AT
    )
    await compliance.send(updates_of("substance-misuse-treatment"), accepted)
    report = await compliance.http.get("/v1/reports/breaches", headers={"X-API-Key": compliance.keys["ops"]})
    assert report.status_code == 200

    assert await acts(compliance, "alteration") == [
        ("brighter-tomorrows", "reporting_progress", womens, "referral accept (via http)"),
        ("agency-substance-misuse-treatment", "reporting_progress", treatment, "referral accept (via kafka)"),
    ], "the repeated accept changed nothing, so it altered nothing"
    assert await acts(compliance, "consultation") == [("ops", "compliance_monitoring", None, "report breaches")]

    async def all_chained() -> bool:
        return (
            await compliance.pool.fetchval(
                "SELECT count(*) FROM audit_log a"
                " WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)"
            )
            == 0
        )

    assert await eventually(all_chained, timeout=30)
