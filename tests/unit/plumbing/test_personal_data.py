"""Envelope encryption of personal data: each case's fields open only with that case's key, each field only
as itself, and nothing of the plain value shows in what is sealed."""

from __future__ import annotations

import json
import uuid

import pytest

from platform_plumbing.personal_data import LOCAL_SCHEME, PersonalDataError, PersonKeys, kek_from_uri, new_kek_keyset
from schemas.personal import PersonalDetails
from tests.factories import personal_payload
from tests.sealing import scratch_keys

DETAILS = PersonalDetails.model_validate(personal_payload(given_name="Canaryname"))


def test_a_sealed_field_opens_with_its_cases_key_to_the_plain_value():
    case_id = uuid.uuid4()
    data_key, wrapped = scratch_keys().new(case_id)
    sealed = data_key.seal(DETAILS).model_dump(exclude_none=True)

    opened = scratch_keys().unwrap(case_id, wrapped).open(sealed)

    assert opened == DETAILS.model_dump(mode="json", exclude_none=True)


def test_nothing_of_the_plain_values_shows_in_the_sealed_fields_or_the_wrapped_key():
    data_key, wrapped = scratch_keys().new(uuid.uuid4())
    sealed = json.dumps(data_key.seal(DETAILS).model_dump()).encode()

    for value in DETAILS.model_dump(mode="json", exclude_none=True).values():
        assert value.encode() not in sealed and value.encode() not in wrapped


def test_a_sealed_value_moved_to_another_field_does_not_open():
    case_id = uuid.uuid4()
    data_key, _ = scratch_keys().new(case_id)
    sealed = data_key.seal(DETAILS)

    with pytest.raises(PersonalDataError):
        data_key.open({"family_name": sealed.given_name})


def test_a_wrapped_key_does_not_unwrap_for_another_case_nor_under_another_kek(tmp_path):
    case_id = uuid.uuid4()
    _, wrapped = scratch_keys().new(case_id)
    (tmp_path / "kek.json").write_text(new_kek_keyset())
    other_kek = PersonKeys(lambda: kek_from_uri(f"{LOCAL_SCHEME}{tmp_path / 'kek.json'}"))

    with pytest.raises(PersonalDataError):
        scratch_keys().unwrap(uuid.uuid4(), wrapped)
    with pytest.raises(PersonalDataError):
        other_kek.unwrap(case_id, wrapped)


def test_a_missing_kek_is_named_when_the_keys_are_loaded(tmp_path):
    keys = PersonKeys.at(f"{LOCAL_SCHEME}{tmp_path / 'absent.json'}")

    with pytest.raises(PersonalDataError, match="absent.json cannot be read"):
        keys.load()
