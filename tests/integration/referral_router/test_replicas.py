"""Two router replicas in one consumer group: every case routed once, never a referral issued twice."""

from __future__ import annotations

from services.referral_router.bootstrap import create_app
from tests.integration.referral_router.conftest import router_settings


async def test_two_replicas_never_double_issue(router, as_service, namespace, catalogue_file):
    second = create_app(router_settings(as_service, namespace, catalogue_file), clock=router.clock)
    async with second.router.lifespan_context(second):
        for n in range(30):
            await router.open_case(("housing", "medium"), ("alcohol_misuse", "low"), age_at_offence=20 + n)

        per_case = await router.pool.fetch("SELECT case_id, count(*) AS n FROM referrals GROUP BY case_id")
        assert len(per_case) == 30 and {row["n"] for row in per_case} == {2}
        issued = [p for t, p in await router.published() if t.endswith("referral.issued.v1")]
        assert len(issued) == 60 and len({p.referral_id for p in issued}) == 60
