"""API keys: they can expire, they record when they were last used, a client id is never rebound, and an
address that keeps failing to authenticate is told to wait (429) — even with a good key."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import typer

from platform_plumbing.api_key_cli import ClientExists, first_key, kept_key, print_first_key
from platform_plumbing.api_keys import issue_key, list_keys, principal_for
from platform_plumbing.auth_throttle import MAX_FAILURES
from platform_plumbing.clock import SystemClock
from services.intake.adapters.police_clients import PoliceClient, add_client

WRONG = {"X-API-Key": "dvk_000000000000_" + "a" * 43}


async def test_an_expired_key_is_refused_and_an_unexpired_one_works(intake):
    now = SystemClock().now()
    async with intake.pool.acquire() as connection:
        expired = await issue_key(connection, "test-police", now=now, expires_at=now - timedelta(seconds=1))
        current = await issue_key(connection, "test-police", now=now, expires_at=now + timedelta(days=1))

    for key, status in ((expired.api_key, 401), (current.api_key, 404)):
        response = await intake.http.get("/v1/cases/13YE0000001", headers={"X-API-Key": key})
        assert response.status_code == status, response.text


async def test_a_key_records_when_it_was_last_used(intake):
    async with intake.pool.acquire() as connection:
        fresh = await issue_key(connection, "test-police", now=SystemClock().now())
    assert next(k for k in await list_keys(intake.pool) if k.key_id == fresh.key_id).last_used_at is None

    await intake.http.get("/v1/cases/13YE0000001", headers={"X-API-Key": fresh.api_key})

    used = next(k for k in await list_keys(intake.pool) if k.key_id == fresh.key_id)
    assert used.last_used_at is not None and used.last_used_at >= used.created_at


async def test_a_new_client_may_not_take_an_existing_clients_id(intake, capsys):
    async with intake.pool.acquire() as connection:
        rebinding = PoliceClient("test-police", "north-yorkshire", "someone else")
        with pytest.raises(ClientExists):
            await first_key(
                connection,
                "test-police",
                lambda c: add_client(c, rebinding, now=SystemClock().now()),
                now=SystemClock().now(),
            )
        row = await connection.fetchrow("SELECT force_id, name FROM police_clients WHERE client_id = 'test-police'")
    assert row["force_id"] != "north-yorkshire", "the existing client keeps its force"

    def refused():
        raise ClientExists("test-police")

    with pytest.raises(typer.Exit):
        print_first_key(refused, "test-police", "POLICE_API_KEY")
    assert re.search(r"exists already.*rotate test-police", capsys.readouterr().err)


async def test_repeated_failed_authentication_is_answered_with_429_even_for_a_good_key(intake):
    for _ in range(MAX_FAILURES):
        assert (await intake.http.get("/v1/cases/13YE0000001", headers=WRONG)).status_code == 401

    refused = await intake.http.get("/v1/cases/13YE0000001", headers=WRONG)
    good_key_too = await intake.http.get("/v1/cases/13YE0000001")

    assert refused.status_code == 429 and refused.json()["error"] == "too_many_failed_attempts"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert good_key_too.status_code == 429


async def test_a_kept_development_key_is_reissued_when_it_is_no_longer_the_clients(intake, tmp_path):
    """`make up` keeps a development key between runs, unless it belongs to another client than the one it would
    make now (the policy's force changed, so the police client did): a stale key would act for the old force."""
    key_file = tmp_path / "dev-police.key"

    def registering(client_id: str, force: str):
        async def register(connection) -> str:
            await add_client(connection, PoliceClient(client_id, force, "development"), now=SystemClock().now())
            return client_id

        return register

    async with intake.pool.acquire() as connection:
        old = await kept_key(connection, key_file, registering("dev-police-north-yorkshire", "north-yorkshire"))
        again = await kept_key(connection, key_file, registering("dev-police-north-yorkshire", "north-yorkshire"))
        new = await kept_key(connection, key_file, registering("dev-police-cambridgeshire", "cambridgeshire"))
        belongs = await principal_for(connection, new)

    assert again == old, "the same client's live key is kept"
    assert new != old and belongs == "dev-police-cambridgeshire"
    assert key_file.read_text() == new
