"""The compatibility checker flags what breaks a `.v1` consumer, and the contract has no such change.

The synthetic schemas have pydantic's shape: objects and enums in `$defs`, reached by `$ref`,
optional fields as `anyOf` with `null`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
from pydantic import BaseModel

from schemas import export
from schemas.compatibility import breaking_changes
from schemas.registry import MESSAGE_TYPES

OLD = {
    "$defs": {
        "Colour": {"enum": ["red", "green"], "title": "Colour", "type": "string"},
        "Part": {
            "properties": {
                "colour": {"$ref": "#/$defs/Colour"},
                "size": {"maximum": 10, "minimum": 0, "title": "Size", "type": "integer"},
            },
            "required": ["colour", "size"],
            "title": "Part",
            "type": "object",
        },
    },
    "properties": {
        "name": {"maxLength": 20, "title": "Name", "type": "string"},
        "at": {"format": "date", "title": "At", "type": "string"},
        "part": {"$ref": "#/$defs/Part"},
        "parts": {"default": [], "items": {"$ref": "#/$defs/Part"}, "title": "Parts", "type": "array"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Note"},
    },
    "required": ["name", "at", "part"],
    "title": "Message",
    "type": "object",
}


def changed(edit: Callable[[dict], object]) -> list[str]:
    new = copy.deepcopy(OLD)
    edit(new)
    return breaking_changes(OLD, new)


def test_the_same_schema_has_no_breaking_change() -> None:
    assert breaking_changes(OLD, copy.deepcopy(OLD)) == []


def test_a_new_optional_property_is_not_breaking() -> None:
    def add_optional(new: dict) -> None:
        new["properties"]["added"] = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}

    assert changed(add_optional) == []


def test_a_new_optional_nested_property_is_not_breaking() -> None:
    def add_nested(new: dict) -> None:
        new["$defs"]["Part"]["properties"]["shade"] = {"default": "light", "type": "string"}

    assert changed(add_nested) == []


def test_documentation_changes_are_not_breaking() -> None:
    def document(new: dict) -> None:
        new["properties"]["name"]["description"] = "Now documented."
        new["properties"]["name"]["title"] = "Full name"
        new["$defs"]["Part"]["description"] = "A part."

    assert changed(document) == []


def test_a_removed_property_is_breaking() -> None:
    assert changed(lambda new: new["properties"].pop("note")) == ["note: property removed"]


def test_a_retyped_property_is_breaking() -> None:
    def retype(new: dict) -> None:
        new["properties"]["name"] = {"title": "Name", "type": "integer"}

    assert changed(retype) == ["name: type changed from string to integer"]


def test_a_retyped_nested_property_is_breaking_wherever_it_is_used() -> None:
    def retype(new: dict) -> None:
        new["$defs"]["Part"]["properties"]["size"] = {"type": "string"}

    assert changed(retype) == [
        "part.size: type changed from integer to string",
        "parts[].size: type changed from integer to string",
    ]


def test_a_removed_enum_value_is_breaking() -> None:
    def remove_green(new: dict) -> None:
        new["$defs"]["Colour"]["enum"] = ["red"]

    assert "part.colour: enum value 'green' removed" in changed(remove_green)


def test_an_added_enum_value_is_breaking() -> None:
    def add_blue(new: dict) -> None:
        new["$defs"]["Colour"]["enum"].append("blue")

    assert "part.colour: enum value 'blue' added, which existing consumers reject" in changed(add_blue)


def test_a_new_required_property_is_breaking() -> None:
    def add_required(new: dict) -> None:
        new["properties"]["added"] = {"type": "integer"}
        new["required"].append("added")

    assert changed(add_required) == ["added: new required property"]


def test_a_new_required_nested_property_is_breaking() -> None:
    def add_required(new: dict) -> None:
        new["$defs"]["Part"]["properties"]["shade"] = {"type": "string"}
        new["$defs"]["Part"]["required"].append("shade")

    assert changed(add_required) == ["part.shade: new required property", "parts[].shade: new required property"]


def test_an_optional_property_becoming_required_is_breaking() -> None:
    def require_note(new: dict) -> None:
        new["properties"]["note"] = {"type": "string"}
        new["required"].append("note")

    assert changed(require_note) == ["note: optional property became required", "note: no longer accepts null"]


def test_a_required_property_becoming_optional_is_breaking() -> None:
    def relax_name(new: dict) -> None:
        new["properties"]["name"] = {"anyOf": [{"maxLength": 20, "type": "string"}, {"type": "null"}], "default": None}
        new["required"].remove("name")

    assert changed(relax_name) == [
        "name: required property became optional",
        "name: now also allows null, which existing consumers reject",
    ]


def test_a_changed_format_is_breaking() -> None:
    def to_datetime(new: dict) -> None:
        new["properties"]["at"]["format"] = "date-time"

    assert changed(to_datetime) == ["at: format changed from 'date' to 'date-time'"]


def test_a_changed_bound_is_breaking() -> None:
    def widen(new: dict) -> None:
        new["properties"]["name"]["maxLength"] = 40

    assert changed(widen) == ["name: maxLength changed from 20 to 40"]


def test_moving_a_definition_behind_a_ref_is_not_breaking() -> None:
    def inline_part(new: dict) -> None:
        new["properties"]["part"] = copy.deepcopy(OLD["$defs"]["Part"])

    assert changed(inline_part) == []


def test_a_recursive_schema_is_compared_without_looping() -> None:
    class Node(BaseModel):
        label: str
        children: list[Node] = []

    old = Node.model_json_schema()
    new = copy.deepcopy(old)
    new["$defs"]["Node"]["properties"]["label"]["type"] = "integer"

    assert breaking_changes(old, new) == ["label: type changed from string to integer"]


@pytest.mark.parametrize("name", sorted(MESSAGE_TYPES))
def test_the_models_do_not_break_their_committed_contract(name: str) -> None:
    committed = json.loads((export.SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))

    assert breaking_changes(committed, export.schema_of(MESSAGE_TYPES[name])) == []
