"""Kafka's principals and ACLs, managed with librdkafka's admin client (aiokafka has neither).

Run as an administrator (a super user): `make up`, a test session, a benchmark or chaos run, and
onboarding a new force or agency. Everything here is idempotent: a principal's password is set
(created or changed), an ACL that exists already is created again as a no-op.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from platform_plumbing.kafka_acls import Acl
from platform_plumbing.kafka_clients import KafkaAccess

SCRAM_ITERATIONS = 8192
_RESOURCES = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP}
_OPERATIONS = {
    "read": AclOperation.READ,
    "write": AclOperation.WRITE,
    "describe": AclOperation.DESCRIBE,
    "create": AclOperation.CREATE,
    "delete": AclOperation.DELETE,
}
TIMEOUT_SECONDS = 30.0


class KafkaAdminError(RuntimeError):
    """The broker refused or failed an administrative request; the message says which."""


async def set_passwords(admin: KafkaAccess, passwords: Mapping[str, str]) -> None:
    """Create each principal (SCRAM-SHA-512) or change its password."""
    upserts = [
        UserScramCredentialUpsertion(
            user, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password.encode()
        )
        for user, password in passwords.items()
    ]
    if upserts:
        await _run(admin, lambda client: client.alter_user_scram_credentials(upserts), "setting principals' passwords")


async def delete_principals(admin: KafkaAccess, users: Iterable[str]) -> None:
    deletions = [UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512) for user in users]
    if deletions:
        await _run(admin, lambda client: client.alter_user_scram_credentials(deletions), "deleting principals")


async def grant(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    """Create the ACLs, and return once the broker answering enforces them (they reach brokers through the
    metadata log a moment after the controller has them)."""
    bindings = [_binding(acl) for acl in acls]
    if not bindings:
        return
    await _run(admin, lambda client: client.create_acls(bindings), "creating ACLs")
    wanted = {_key(binding) for binding in bindings}

    def enforced() -> bool:
        every = AclBindingFilter(
            ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY
        )
        client = AdminClient(admin.librdkafka_config())  # must outlive its future
        found = client.describe_acls(every).result(timeout=TIMEOUT_SECONDS)
        return wanted <= {_key(binding) for binding in found}

    deadline = asyncio.get_running_loop().time() + TIMEOUT_SECONDS
    while not await asyncio.to_thread(enforced):
        if asyncio.get_running_loop().time() > deadline:
            raise KafkaAdminError("creating ACLs failed: the broker did not enforce them in time")
        await asyncio.sleep(0.05)


async def revoke_stale(admin: KafkaAccess, wanted: Iterable[Acl], *, under: str) -> int:
    """Revoke every topic ACL on a name starting with `under` that is not among `wanted`: what an earlier version
    of the catalogue granted and this one does not (the operations team's write on every party's topic, before
    issue 22) must not outlive it on a deployment that is upgraded. Returns how many were revoked."""
    kept = {_key(_binding(acl)) for acl in wanted}

    def stale() -> list[AclBinding]:
        every = AclBindingFilter(
            ResourceType.TOPIC, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY
        )
        client = AdminClient(admin.librdkafka_config())  # must outlive its future
        found = client.describe_acls(every).result(timeout=TIMEOUT_SECONDS)
        return [binding for binding in found if binding.name.startswith(under) and _key(binding) not in kept]

    bindings = await asyncio.to_thread(stale)
    filters = [
        AclBindingFilter(
            b.restype, b.name, b.resource_pattern_type, b.principal, b.host, b.operation, b.permission_type
        )
        for b in bindings
    ]
    if filters:
        await _run(admin, lambda client: client.delete_acls(filters), "deleting stale ACLs")
    return len(filters)


def _key(binding: AclBinding) -> tuple:
    return (binding.restype, binding.name, binding.resource_pattern_type, binding.principal, binding.operation)


async def revoke(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    filters = [_binding(acl, as_filter=True) for acl in acls]
    if filters:
        await _run(admin, lambda client: client.delete_acls(filters), "deleting ACLs")


def _binding(acl: Acl, *, as_filter: bool = False) -> AclBinding:
    kind = AclBindingFilter if as_filter else AclBinding
    return kind(
        _RESOURCES[acl.resource],
        acl.name,
        ResourcePatternType.PREFIXED if acl.prefixed else ResourcePatternType.LITERAL,
        f"User:{acl.principal}",
        "*",
        _OPERATIONS[acl.operation],
        AclPermissionType.ALLOW,
    )


async def _run(admin: KafkaAccess, request: Callable[[AdminClient], dict], what: str) -> None:
    """Make one request with a client of its own and wait for every future it returned, off the event loop
    (the client must outlive its futures); raise the first failure, named."""

    def results() -> None:
        client = AdminClient(admin.librdkafka_config())
        for future in request(client).values():
            future.result(timeout=TIMEOUT_SECONDS)

    try:
        await asyncio.to_thread(results)
    except KafkaException as error:
        raise KafkaAdminError(f"{what} failed: {error.args[0].str() if error.args else error}") from None
