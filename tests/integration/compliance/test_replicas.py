"""Two compliance replicas sweeping deadlines at once: every overdue case is judged exactly once."""

from __future__ import annotations

import asyncio
from datetime import date

from services.compliance.bootstrap import create_app
from services.compliance.entrypoints.timers import sweep_once
from services.compliance.settings import ComplianceSettings


async def test_two_replicas_share_the_deadline_sweep(compliance, settings, namespace):
    cases = [await compliance.open_case(complete_by=date(2026, 4, 1)) for _ in range(12)]
    for case in cases:  # answered in time: only the deadlines are left for the sweeps
        for agency, referral in case.referrals.items():
            await compliance.post(agency, referral, "accept")
    second = create_app(ComplianceSettings(**compliance.settings.model_dump()), clock=compliance.clock)
    async with second.router.lifespan_context(second):
        compliance.clock.advance(days=60)
        swept = await asyncio.gather(
            sweep_once(compliance.pool, compliance.app.state.context),
            sweep_once(second.state.pool, second.state.context),
        )

    # a replica's own timer may have taken cases and been stopped before committing: a later sweep
    # (here, the next tick of the remaining replica) finishes them
    swept.append(await sweep_once(compliance.pool, compliance.app.state.context))
    assert sum(swept) <= len(cases), "the replicas' own timers may take some, never more than there are"
    breaches = [p.case_id for t, p in await compliance.outcomes() if t == "case.changed"]
    assert sorted(breaches) == sorted(c.case_id for c in cases), "each case breached once, by one replica"
