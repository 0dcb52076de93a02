"""The message models accept what the contract allows and nothing else."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from schemas.base import Command, Event
from schemas.commands import DiversionDecision
from schemas.envelope import type_of
from schemas.events import ReferralIssued
from schemas.registry import COMMAND_TYPES, EVENT_TYPES, MESSAGE_TYPES, index_by_type
from schemas.topics import CATALOGUE
from schemas.vocabulary import DisposalType
from tests.factories import (
    diversion_decision,
    example,
    letter_condition_payload,
    need_payload,
    payload,
    personal_payload,
)

COMMANDS = sorted(COMMAND_TYPES.values(), key=type_of)
EVENTS = sorted(EVENT_TYPES.values(), key=type_of)
MESSAGES = sorted(MESSAGE_TYPES.values(), key=type_of)
PERSONAL_FIELDS = {"given_name", "family_name", "date_of_birth", "phone", "email", "postcode"}


def test_a_valid_decision_parses() -> None:
    decision = diversion_decision()

    assert decision.disposal_type is DisposalType.ADULT_CONDITIONAL_CAUTION
    assert decision.offence.gravity_score == 2
    assert decision.personal.date_of_birth == date(1990, 5, 17)
    assert decision.personal.postcode == "PE1 1HF"
    assert [need.category for need in decision.needs or ()] == ["alcohol_misuse"]


def test_a_decision_normalises_whitespace_and_postcode_case() -> None:
    decision = diversion_decision(personal=personal_payload(given_name="  Alex ", postcode="pe1 1hf"))

    assert decision.personal.given_name == "Alex"
    assert decision.personal.postcode == "PE1 1HF"


@pytest.mark.parametrize("model", COMMANDS, ids=type_of)
def test_commands_reject_unknown_fields(model: type[Command]) -> None:
    with pytest.raises(ValidationError, match="extra_forbidden|Extra inputs"):
        model.model_validate(payload(model, unexpected="x"))


@pytest.mark.parametrize("part", ["personal", "offence", "criminal_history"])
def test_a_decision_rejects_unknown_fields_in_nested_objects(part: str) -> None:
    body = payload(DiversionDecision)
    body[part] = {**body[part], "unexpected": "x"}

    with pytest.raises(ValidationError, match=f"{part}.unexpected"):
        DiversionDecision.model_validate(body)


def test_a_decision_rejects_unknown_fields_in_a_need() -> None:
    with pytest.raises(ValidationError, match="needs.0.unexpected"):
        diversion_decision(needs=[need_payload(unexpected="x")])


@pytest.mark.parametrize(
    "overrides",
    [
        {"police_reference": "A" * 41},
        {"force_id": "f" * 41},
        {"subject_ref": "s" * 65},
        {"conditions": [{"kind": "reparative", "description": "x" * 501}]},
        {"personal": personal_payload(family_name="x" * 101)},
    ],
    ids=["police_reference", "force_id", "subject_ref", "condition", "family_name"],
)
def test_a_decision_rejects_over_long_strings(overrides: dict) -> None:
    with pytest.raises(ValidationError, match="at most"):
        diversion_decision(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"police_reference": "13ye 0123"},
        {"force_id": "West Yorkshire"},
        {"personal": personal_payload(postcode="LS1 A4P")},
        {"personal": personal_payload(email="nobody")},
    ],
    ids=["police_reference", "force_id", "postcode", "email"],
)
def test_a_decision_rejects_badly_formatted_strings(overrides: dict) -> None:
    with pytest.raises(ValidationError, match="pattern"):
        diversion_decision(**overrides)


@pytest.mark.parametrize("score", [0, 5])
def test_a_decision_rejects_a_gravity_score_outside_1_to_4(score: int) -> None:
    body = payload(DiversionDecision)
    body["offence"] = {**body["offence"], "gravity_score": score}

    with pytest.raises(ValidationError, match="offence.gravity_score"):
        DiversionDecision.model_validate(body)


def test_a_decision_rejects_too_many_conditions() -> None:
    with pytest.raises(ValidationError, match="at most 10"):
        diversion_decision(conditions=[letter_condition_payload()] * 11)


def test_a_decision_requires_a_timezone() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        diversion_decision(decided_at="2025-03-03T10:30:00")


def test_a_decision_rejects_an_unknown_disposal_type() -> None:
    with pytest.raises(ValidationError, match="disposal_type"):
        diversion_decision(disposal_type="fixed_penalty_notice")


@pytest.mark.parametrize("model", EVENTS, ids=type_of)
def test_events_ignore_unknown_fields(model: type[Event]) -> None:
    event = model.model_validate(payload(model, added_by_a_newer_producer={"any": "thing"}))

    assert event == example(model)


def test_events_ignore_unknown_fields_in_nested_objects() -> None:
    body = payload(ReferralIssued)
    body["personal"] = {**body["personal"], "national_insurance_number": "QQ123456C"}
    body["needs"] = [{**need, "added_later": True} for need in body["needs"]]

    assert ReferralIssued.model_validate(body) == example(ReferralIssued)


def test_an_event_refuses_personal_details_in_clear() -> None:
    decision = diversion_decision()

    with pytest.raises(ValidationError, match="personal.given_name"):
        ReferralIssued.model_validate({**example(ReferralIssued).model_dump(), "personal": dict(decision.personal)})


@pytest.mark.parametrize("model", MESSAGES, ids=type_of)
def test_every_message_survives_a_json_round_trip(model: type[BaseModel]) -> None:
    message = example(model)

    assert model.model_validate_json(message.model_dump_json()) == message


@pytest.mark.parametrize("model", EVENTS, ids=type_of)
def test_personal_data_appears_only_inside_personal(model: type[Event]) -> None:
    properties = model.model_json_schema()["properties"]

    assert PERSONAL_FIELDS.isdisjoint(properties)


def test_only_the_events_whose_consumer_contacts_the_person_carry_personal_data() -> None:
    carriers = {model.__name__ for model in EVENTS if "personal" in model.model_fields}

    assert carriers == {"CaseOpened", "ReferralIssued"}


def test_every_type_is_a_versioned_diversion_type() -> None:
    pattern = re.compile(r"^uk\.police\.diversion(\.[a-z]+(-[a-z]+)*)+\.v1$")

    assert [name for name in MESSAGE_TYPES if not pattern.match(name)] == []


def test_every_type_belongs_to_exactly_one_class() -> None:
    assert len(MESSAGE_TYPES) == len(COMMAND_TYPES) + len(EVENT_TYPES)
    assert len(set(MESSAGE_TYPES.values())) == len(MESSAGE_TYPES)
    assert all(type_of(model) == name for name, model in MESSAGE_TYPES.items())


def test_the_registry_refuses_two_classes_with_one_type() -> None:
    class Impostor(Event):
        event_type = EVENTS[0].event_type

    with pytest.raises(ValueError, match="share the type"):
        index_by_type([EVENTS[0], Impostor])


def test_every_type_travels_on_exactly_one_topic_of_the_catalogue() -> None:
    """One home topic per type; an agency's own topic carries copies of the referral changes it may see."""
    carried = [name for topic in CATALOGUE if not topic.copies for name in topic.carries]

    assert sorted(carried) == sorted(MESSAGE_TYPES)
