"""The committed JSON Schema files are the models' schemas, and the exporter guards them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from schemas import export
from schemas.envelope import type_of
from schemas.registry import MESSAGE_TYPES
from tests.factories import example

MESSAGES = sorted(MESSAGE_TYPES.values(), key=type_of)
COMMITTED = export.committed_files(export.SCHEMA_DIR)
EXPECTED = export.expected_files()


def test_every_message_type_has_a_file() -> None:
    assert sorted(EXPECTED.keys() - COMMITTED.keys()) == []


def test_there_are_no_stray_files() -> None:
    assert sorted(COMMITTED.keys() - EXPECTED.keys()) == []


@pytest.mark.parametrize("model", MESSAGES, ids=type_of)
def test_the_committed_file_is_the_models_schema(model: type[BaseModel]) -> None:
    name = f"{type_of(model)}.json"

    assert COMMITTED.get(name) == EXPECTED[name], "run `python -m schemas.export`"


@pytest.mark.parametrize("model", MESSAGES, ids=type_of)
def test_the_committed_file_accepts_a_valid_example(model: type[BaseModel]) -> None:
    schema = json.loads(COMMITTED[f"{type_of(model)}.json"])

    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(example(model).model_dump(mode="json"))


def test_check_mode_passes_on_the_committed_files() -> None:
    assert export.main(["--check"]) == 0


def test_check_mode_fails_on_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export.write(tmp_path, EXPECTED)
    (tmp_path / "uk.police.diversion.retired.v1.json").write_text("{}\n")
    next(tmp_path.glob("*.case.opened.v1.json")).write_text("{}\n")

    assert export.main(["--check"], directory=tmp_path) == 1
    errors = capsys.readouterr().err
    assert "uk.police.diversion.case.opened.v1.json: differs from the model" in errors
    assert "uk.police.diversion.retired.v1.json: no such message type" in errors


def test_export_writes_every_file_into_an_empty_directory(tmp_path: Path) -> None:
    assert export.main([], directory=tmp_path) == 0
    assert export.committed_files(tmp_path) == EXPECTED


def test_export_refuses_to_overwrite_a_breaking_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _commit_with_extra_required_property(tmp_path)
    committed = path.read_text()

    assert export.main([], directory=tmp_path) == 1
    assert path.read_text() == committed
    assert "legacy_field: property removed" in capsys.readouterr().err


def test_export_overwrites_a_breaking_change_when_allowed(tmp_path: Path) -> None:
    path = _commit_with_extra_required_property(tmp_path)

    assert export.main(["--allow-breaking"], directory=tmp_path) == 0
    assert path.read_text() == EXPECTED[path.name]


def test_export_overwrites_a_compatible_change(tmp_path: Path) -> None:
    export.write(tmp_path, EXPECTED)
    path = tmp_path / "uk.police.diversion.case.withdrawn.v1.json"
    schema = json.loads(path.read_text())
    del schema["properties"]["withdrawn_at"]["title"]
    path.write_text(export.render(schema))

    assert export.main([], directory=tmp_path) == 0
    assert path.read_text() == EXPECTED[path.name]


def test_export_refuses_to_delete_a_committed_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export.write(tmp_path, EXPECTED)
    (tmp_path / "uk.police.diversion.retired.v1.json").write_text("{}\n")

    assert export.main([], directory=tmp_path) == 1
    assert "retired.v1.json: message type removed" in capsys.readouterr().err


def _commit_with_extra_required_property(directory: Path) -> Path:
    export.write(directory, EXPECTED)
    path = directory / "uk.police.diversion.case.withdrawn.v1.json"
    schema = json.loads(path.read_text())
    schema["properties"]["legacy_field"] = {"type": "string"}
    schema["required"].append("legacy_field")
    path.write_text(export.render(schema))
    return path
