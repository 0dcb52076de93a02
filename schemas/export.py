"""Write one JSON Schema file per message type to `schemas/jsonschema/`, guarding `.v1` contracts.

The files are the contract as other teams and any CloudEvents consumer read it, so they are
committed. Regenerating them refuses to replace a file when the models changed in a way that
breaks existing consumers (see `schemas.compatibility`); the fix for that is a new `.v2` type,
and `--allow-breaking` exists only for a contract that has not been released yet.

    python -m schemas.export                   # write the files
    python -m schemas.export --check           # exit 1 if files and models differ
    python -m schemas.export --allow-breaking  # write even over breaking changes
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.compatibility import breaking_changes
from schemas.registry import MESSAGE_TYPES

SCHEMA_DIR = Path(__file__).parent / "jsonschema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of a message model, as written to its file."""
    return {"$schema": DIALECT, **model.model_json_schema()}


def render(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files(types: Mapping[str, type[BaseModel]] = MESSAGE_TYPES) -> dict[str, str]:
    """File name to file content, for every registered message type."""
    return {f"{name}.json": render(schema_of(model)) for name, model in sorted(types.items())}


def committed_files(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.json"))}


def drift(directory: Path, expected: Mapping[str, str]) -> list[str]:
    """How the files in `directory` differ from `expected`; empty when they are in sync."""
    committed = committed_files(directory)
    problems = [f"{name}: missing" for name in expected if name not in committed]
    problems += [
        f"{name}: differs from the model" for name, text in expected.items() if committed.get(name, text) != text
    ]
    problems += [f"{name}: no such message type" for name in committed if name not in expected]
    return problems


def breaking_changes_in(directory: Path, expected: Mapping[str, str]) -> list[str]:
    """The breaking changes that writing `expected` over the files in `directory` would make."""
    changes: list[str] = []
    for name, text in committed_files(directory).items():
        if name not in expected:
            changes.append(f"{name}: message type removed")
        elif text != expected[name]:
            try:
                old = json.loads(text)
            except json.JSONDecodeError:
                changes.append(f"{name}: the committed file is not valid JSON")
                continue
            changes += [f"{name}: {change}" for change in breaking_changes(old, json.loads(expected[name]))]
    return changes


def write(directory: Path, expected: Mapping[str, str]) -> None:
    """Make `directory` hold exactly the `expected` files."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in committed_files(directory).keys() - expected.keys():
        (directory / name).unlink()
    for name, text in expected.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None, directory: Path = SCHEMA_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemas.export", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report drift between files and models")
    parser.add_argument("--allow-breaking", action="store_true", help="write even over breaking changes")
    args = parser.parse_args(argv)
    expected = expected_files()

    if args.check:
        problems = drift(directory, expected)
        if problems:
            _fail("JSON Schema files are out of date; run `python -m schemas.export`:", problems)
            return 1
        return 0

    changes = breaking_changes_in(directory, expected)
    if changes and not args.allow_breaking:
        _fail(
            "Refusing to overwrite committed schemas: these changes break existing consumers of "
            "`.v1` types. Add a `.v2` type instead, or pass --allow-breaking if the contract "
            "was never released.",
            changes,
        )
        return 1
    write(directory, expected)
    print(f"wrote {len(expected)} JSON Schema files to {directory}")
    return 0


def _fail(headline: str, lines: Sequence[str]) -> None:
    print(headline, *(f"  - {line}" for line in lines), sep="\n", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
