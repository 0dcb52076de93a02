"""The agency catalogue mirrored into the router's schema, so capacity checks can lock an agency's row
and operations can read agencies and their load with SQL. Agencies dropped from the catalogue are
kept, marked inactive: their open referrals still point at them."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.referral_router.domain.catalogue import Catalogue


async def sync_catalogue(connection: asyncpg.Connection, catalogue: Catalogue, *, now: datetime) -> None:
    await connection.executemany(
        "INSERT INTO agencies (agency_id, name, capacity, definition, catalogue_version, active, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, true, $6) ON CONFLICT (agency_id) DO UPDATE SET name = EXCLUDED.name,"
        " capacity = EXCLUDED.capacity, definition = EXCLUDED.definition,"
        " catalogue_version = EXCLUDED.catalogue_version, active = true, updated_at = EXCLUDED.updated_at",
        [(a.id, a.name, a.capacity, a.model_dump_json(), catalogue.version, now) for a in catalogue.agencies],
    )
    await connection.execute(
        "UPDATE agencies SET active = false, updated_at = $2 WHERE NOT (agency_id = ANY($1::text[])) AND active",
        [a.id for a in catalogue.agencies],
        now,
    )
