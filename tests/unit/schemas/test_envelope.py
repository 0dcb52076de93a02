"""Our binary-mode CloudEvents read and written by the official CloudEvents SDK, both ways."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.v1.event import CloudEvent

from schemas.envelope import InvalidEnvelope, decode, encode, read_attributes
from schemas.events import CaseOpened, ReferralIssued
from schemas.registry import MESSAGE_TYPES
from tests.factories import CASE_ID, example

WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.mark.parametrize("model", [CaseOpened, ReferralIssued])
def test_the_sdk_reads_what_we_write(model):
    event = example(model)
    record = encode(event, event_id="evt-42", source="/intake", time=WHEN, key=str(CASE_ID), subject="case")

    parsed = ce_kafka.from_binary_event(
        ce_kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
    )

    assert parsed.get_id() == "evt-42"
    assert parsed.get_type() == model.event_type
    assert parsed.get_source() == "/intake"
    assert parsed.get_subject() == "case"
    assert parsed.get_time() == WHEN
    assert parsed.get_datacontenttype() == "application/json"
    assert model.model_validate(parsed.get_data()) == event


def test_we_read_what_the_sdk_writes():
    event = example(CaseOpened)
    sdk_event = CloudEvent(
        attributes={
            "id": "sdk-1",
            "type": CaseOpened.event_type,
            "source": "/some/police/system",
            "time": WHEN,
            "subject": "case",
            "datacontenttype": "application/json",
        },
        data=event.model_dump(mode="json"),
    )
    message = ce_kafka.to_binary_event(sdk_event)

    attributes, payload = decode(list(message.headers.items()), message.value, MESSAGE_TYPES)

    assert (attributes.id, attributes.type, attributes.source, attributes.time) == (
        "sdk-1",
        CaseOpened.event_type,
        "/some/police/system",
        WHEN,
    )
    assert payload == event


def test_the_record_is_keyed_by_case_and_carries_the_binary_mode_headers():
    record = encode(example(CaseOpened), event_id="e", source="/intake", time=WHEN, key=str(CASE_ID))
    names = [name for name, _ in record.headers]
    assert record.key == str(CASE_ID).encode()
    assert {"ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time", "content-type"} <= set(names)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([("ce_type", b"t"), ("ce_source", b"s"), ("ce_specversion", b"1.0")], "ce_id"),
        ([("ce_id", b"i"), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_specversion", b"0.3")], "specversion"),
        (
            [
                ("ce_id", b"i"),
                ("ce_type", b"t"),
                ("ce_source", b"s"),
                ("ce_specversion", b"1.0"),
                ("content-type", b"application/xml"),
            ],
            "content-type",
        ),
        ([("ce_id", b"\xff"), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_specversion", b"1.0")], "UTF-8"),
        (
            [
                ("ce_id", b"i"),
                ("ce_type", b"t"),
                ("ce_source", b"s"),
                ("ce_specversion", b"1.0"),
                ("ce_time", b"yesterday"),
            ],
            "ce_time",
        ),
        *(
            (
                [("ce_id", b"i"), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_specversion", b"1.0"), (name, bad)],
                f"control characters: {name}",
            )
            for name, bad in (("ce_id", b"a\x00b"), ("ce_source", b"/police\nforged line"), ("ce_subject", b"\x1b[2J"))
        ),
    ],
)
def test_a_bad_envelope_is_refused_with_a_reason(headers, message):
    with pytest.raises(InvalidEnvelope, match=message):
        read_attributes(headers)


def test_an_unknown_type_is_refused():
    record = encode(example(CaseOpened), event_id="e", source="/intake", time=WHEN, key="k")
    headers = [(n, b"uk.police.diversion.nothing.v1" if n == "ce_type" else v) for n, v in record.headers]
    with pytest.raises(InvalidEnvelope, match="unknown event type"):
        decode(headers, record.value, MESSAGE_TYPES)


def test_a_header_whose_name_was_not_utf8_on_the_wire_is_refused():
    """`kafka_records` hands such a name over with its bytes kept as lone surrogates."""
    record = encode(example(CaseOpened), event_id="e", source="/intake", time=WHEN, key="k")
    headers = [*record.headers, (b"\xff\xfe".decode(errors="surrogateescape"), b"v")]
    with pytest.raises(InvalidEnvelope, match="a header's name is not UTF-8"):
        decode(headers, record.value, MESSAGE_TYPES)


def test_a_body_nested_deeper_than_any_message_is_refused_before_it_is_parsed():
    record = encode(example(CaseOpened), event_id="e", source="/intake", time=WHEN, key="k")
    with pytest.raises(InvalidEnvelope, match="nested deeper than the 32 levels"):
        decode(record.headers, b"[" * 50_000 + b"]" * 50_000, MESSAGE_TYPES)
