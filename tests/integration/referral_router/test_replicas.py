"""Two router replicas in one consumer group: every case routed once, every overdue referral re-routed once."""

from __future__ import annotations

import asyncio

from services.referral_router.bootstrap import create_app
from services.referral_router.entrypoints.timers import sweep_once
from tests.integration.referral_router.conftest import router_settings


async def test_two_replicas_never_double_issue_and_share_the_sweep(router, settings, namespace, catalogue_file):
    second = create_app(router_settings(settings, namespace, catalogue_file), clock=router.clock)
    async with second.router.lifespan_context(second):
        for n in range(30):
            await router.open_case(("housing", "medium"), ("alcohol_misuse", "low"), age_at_offence=20 + n)

        per_case = await router.pool.fetch("SELECT case_id, count(*) AS n FROM referrals GROUP BY case_id")
        assert len(per_case) == 30 and {row["n"] for row in per_case} == {2}
        issued = [p for t, p in await router.published() if t.endswith("referral.issued.v1")]
        assert len(issued) == 60 and len({p.referral_id for p in issued}) == 60

        router.clock.advance(days=30)
        swept = await asyncio.gather(
            sweep_once(router.pool, router.app.state.context), sweep_once(second.state.pool, second.state.context)
        )

    # a replica's own timer may have taken referrals and been stopped before committing: a later
    # sweep (here, the next tick of the remaining replica) finishes them
    swept.append(await sweep_once(router.pool, router.app.state.context))
    assert sum(swept) <= 60, f"the replicas' own timers may take some, never more than there are: {swept}"
    assert await router.pool.fetchval("SELECT count(*) FROM referrals WHERE status = 'timed_out'") == 60
    reassigned = [p.referral_id for t, p in await router.published() if t.endswith("referral.reassigned.v1")]
    assert len(reassigned) == len(set(reassigned)), "no overdue referral was re-routed twice"
