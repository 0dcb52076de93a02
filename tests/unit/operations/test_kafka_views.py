"""What operators are shown of a record: never personal data, whether in a payload or sealed in a dead letter."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from platform_plumbing.sealed_letters import SEALED_BODY
from services.operations.kafka_views import REDACTED, SEALED, describe
from tests.kafka_tools import consumer_record


def _record(value: bytes, headers: list[tuple[str, bytes]]) -> ConsumerRecord:
    return consumer_record(value, topic="diversion.dead-letters.v1", headers=headers)


def test_a_personal_object_is_replaced_by_a_marker():
    shown = describe(_record(b'{"case_id": "c", "personal": {"given_name": "Alex"}}', [("dlq_reason", b"why")]))

    assert shown["data"] == {"case_id": "c", "personal": REDACTED}
    assert shown["dead_letter"] == {"reason": "why"}


def test_a_sealed_dead_letter_says_what_it_is_rather_than_not_json():
    sealed = describe(_record(b"\x01\x9a\xff", [(SEALED_BODY, b"3f0c"), ("dlq_reason", b"why")]))
    garbage = describe(_record(b"\x01\x9a\xff", [("dlq_reason", b"why")]))

    assert sealed["data"] == SEALED and garbage["data"] == "(not JSON)"
