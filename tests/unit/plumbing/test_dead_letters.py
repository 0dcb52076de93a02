"""Dead letters say where a record came from and why, and carry no personal data in headers."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from platform_plumbing.dead_letters import Rejection, dead_letter
from schemas.commands import DiversionDecision
from schemas.envelope import describe_validation_error
from tests.factories import payload
from tests.kafka_tools import consumer_record


def record(value: bytes) -> ConsumerRecord:
    headers = [("ce_id", b"abc"), ("dlq_reason", b"stale")]
    return consumer_record(
        value, topic="diversion.decisions.v1", headers=headers, key=b"case-1", partition=4, offset=1234
    )


def test_dead_letter_keeps_the_original_and_names_its_origin():
    original = record(b'{"x": 1}')
    letter = dead_letter(original, Rejection("ValidationError", "age: too young"), topic="dlq", service="intake")
    headers = dict(letter.headers)

    assert (letter.topic, letter.key, letter.value) == ("dlq", b"case-1", b'{"x": 1}')
    assert headers["dlq_origin_topic"] == b"diversion.decisions.v1"
    assert headers["dlq_origin_partition"] == b"4"
    assert headers["dlq_origin_offset"] == b"1234"
    assert headers["dlq_error_class"] == b"ValidationError"
    assert headers["dlq_reason"] == b"age: too young"
    assert headers["dlq_service"] == b"intake"
    assert headers["ce_id"] == b"abc"
    assert [name for name, _ in letter.headers].count("dlq_reason") == 1, "an older dead letter's reason is replaced"


def test_a_validation_reason_names_fields_but_never_repeats_their_values():
    bad = payload(DiversionDecision)
    bad["personal"]["given_name"] = "Zebedee" * 40
    bad["police_reference"] = "<script>Zebedee</script>"
    try:
        DiversionDecision.model_validate(bad)
    except ValidationError as error:
        reason = describe_validation_error(error)
    else:
        raise AssertionError("the decision should not validate")

    assert "personal.given_name" in reason
    assert "police_reference" in reason
    assert "Zebedee" not in reason
