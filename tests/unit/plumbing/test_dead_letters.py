"""Dead letters say where a record came from and why, and carry no personal data in headers."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from platform_plumbing.dead_letters import Rejection, bare, dead_letter, without_body
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


def test_header_names_kafka_could_not_be_given_back_are_dropped_and_named():
    surrogates = b"\xff\xfe".decode(errors="surrogateescape")
    hostile = consumer_record(b"{}", topic="t", headers=[(surrogates, b"1"), ("with\x00nul", b"2"), ("ok", b"3")])
    letter = dead_letter(hostile, Rejection("InvalidEnvelope", "bad"), topic="dlq", service="intake")
    names = [name for name, _ in letter.headers]

    assert "ok" in names and surrogates not in names and "with\x00nul" not in names
    assert dict(letter.headers)["dlq_dropped"] == (b"a header whose name is not UTF-8; a header whose name holds a NUL")


def test_a_bare_letter_keeps_only_where_and_why_and_says_what_it_dropped():
    letter = dead_letter(record(b'{"x": 1}'), Rejection("ValueError", "bad"), topic="dlq", service="intake")
    stripped = bare(letter, "the record's headers and body")

    assert stripped.value is None and stripped.key == letter.key
    assert all(name.startswith("dlq_") for name, _ in stripped.headers)
    assert dict(stripped.headers)["dlq_dropped"] == b"the record's headers and body"
    assert dict(without_body(letter, "body (could not be sealed)").headers)["ce_id"] == b"abc"
