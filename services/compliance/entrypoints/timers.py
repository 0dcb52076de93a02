"""Compliance's sweeps: a case whose deadline passes with no event at all is still judged, a referral
whose agency does not answer in time is timed out (and placed elsewhere by the router), and an event
held for a case or referral that never arrived is dead-lettered (see `held_events`), the details of a
case concluded longer ago than the rules keep them are erased (see `service_layer/personal_data`), and the
person's appointment reminders are sent and followed (see `service_layer/appointment_reminders`).

They run on every replica; each row is taken under a row lock the others skip, so it is handled
once. Time comes from the injected clock, so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg

from platform_plumbing.periodic import keep_doing, repeat, run_in_batches
from services.compliance.adapters.notify import Notify
from services.compliance.entrypoints.held_events import expire_held
from services.compliance.service_layer import appointment_reminders
from services.compliance.service_layer.handlers import sweep_deadlines, sweep_unanswered
from services.compliance.service_layer.personal_data import sweep_retention
from services.compliance.service_layer.unit_of_work import ComplianceContext, UnitOfWork


def _job(context: ComplianceContext, sweep=sweep_deadlines):
    async def job(connection: asyncpg.Connection, limit: int) -> int:
        async with UnitOfWork(connection, context) as uow:
            return await sweep(uow, limit=limit)

    return job


async def sweep_once(pool: asyncpg.Pool, context: ComplianceContext) -> int:
    """Judge every passed deadline, then time out every unanswered referral; return how many of both."""
    return await run_in_batches(pool, _job(context)) + await run_in_batches(pool, _job(context, sweep_unanswered))


def _expiry(context: ComplianceContext, hold_for: timedelta):
    async def job(connection: asyncpg.Connection, limit: int) -> int:
        return await expire_held(connection, context, hold_for=hold_for, limit=limit)

    return job


async def expire_once(pool: asyncpg.Pool, context: ComplianceContext, hold_for: timedelta) -> int:
    return await run_in_batches(pool, _expiry(context, hold_for))


async def sweep_forever(
    pool: asyncpg.Pool, context: ComplianceContext, every_seconds: float, hold_for: timedelta, notify: Notify | None
) -> None:
    await asyncio.gather(
        keep_doing(
            lambda: appointment_reminders.send_due(pool, context, notify),
            every_seconds=every_seconds,
            what="appointment reminders sent (or not sent, with why)",
        ),
        keep_doing(
            lambda: appointment_reminders.follow_in_flight(pool, context, notify),
            every_seconds=every_seconds,
            what="appointment reminders followed in GOV.UK Notify",
        ),
        repeat(pool, _job(context), every_seconds=every_seconds, what="cases judged: deadline passed"),
        repeat(
            pool,
            _job(context, sweep_unanswered),
            every_seconds=every_seconds,
            what="referrals timed out: no answer from the agency in time",
        ),
        repeat(
            pool,
            _job(context, sweep_retention),
            every_seconds=every_seconds,
            what="cases' personal details erased: retention period passed",
        ),
        repeat(
            pool,
            _expiry(context, hold_for),
            every_seconds=every_seconds,
            what="held events dead-lettered: their case or referral never arrived",
        ),
    )
