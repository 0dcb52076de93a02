"""Would replacing one JSON Schema with another break an existing consumer of a `.v1` topic?

A `.v1` contract has to hold both ways: consumers upgrade at their own pace, so an old consumer
must read what a new producer writes, and a topic keeps messages for its retention period, so
a new consumer must read what an old producer wrote. The one change safe both ways is adding an
optional property (consumers ignore fields they do not know). Everything this module reports
needs a new `.v2` type instead:

- a property removed, or a required one becoming optional (old consumers rely on it);
- a new required property, or an optional one becoming required (old messages lack it);
- a changed type, format, pattern or bound, an enum value removed (old messages carry it) or
  added (old consumers reject it), a union gaining or losing a variant (e.g. `null`).

The schemas are those pydantic's `model_json_schema()` produces: `$ref`s into the root's
`$defs`, unions as `anyOf`. Titles, descriptions and defaults are documentation, not contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]

_CONSTRAINTS = (
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
)


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every change from `old` to `new` that breaks a `.v1` consumer, as `path: what changed`."""
    comparison = _Comparison(old, new)
    comparison.compare(old, new, path="", resolving=frozenset())
    return comparison.changes


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_root = old_root
        self._new_root = new_root
        self.changes: list[str] = []

    def compare(self, old: Schema, new: Schema, *, path: str, resolving: frozenset[tuple[str, str]]) -> None:
        refs = (old.get("$ref", ""), new.get("$ref", ""))
        if any(refs):
            if refs in resolving:
                return
            resolving = resolving | {refs}
        old, new = _resolve(self._old_root, old), _resolve(self._new_root, new)

        old_variants, new_variants = _variants(old), _variants(new)
        if old_variants is not None or new_variants is not None:
            self._compare_unions(old_variants or [old], new_variants or [new], path, resolving)
            return

        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            self._report(path, f"type changed from {_show(old_types)} to {_show(new_types)}")
            return
        self._compare_enums(old, new, path)
        for keyword in _CONSTRAINTS:
            if old.get(keyword) != new.get(keyword):
                self._report(path, f"{keyword} changed from {old.get(keyword)!r} to {new.get(keyword)!r}")
        self._compare_properties(old, new, path, resolving)
        for keyword, suffix in (("items", "[]"), ("additionalProperties", "{}")):
            if isinstance(old.get(keyword), Mapping) and isinstance(new.get(keyword), Mapping):
                self.compare(old[keyword], new[keyword], path=path + suffix, resolving=resolving)

    def _compare_unions(
        self, old: list[Schema], new: list[Schema], path: str, resolving: frozenset[tuple[str, str]]
    ) -> None:
        old_by_kind = {_kind(self._old_root, variant): variant for variant in old}
        new_by_kind = {_kind(self._new_root, variant): variant for variant in new}
        for kind in old_by_kind.keys() - new_by_kind.keys():
            self._report(path, f"no longer accepts {kind}")
        for kind in new_by_kind.keys() - old_by_kind.keys():
            self._report(path, f"now also allows {kind}, which existing consumers reject")
        for kind in old_by_kind.keys() & new_by_kind.keys():
            self.compare(old_by_kind[kind], new_by_kind[kind], path=path, resolving=resolving)

    def _compare_enums(self, old: Schema, new: Schema, path: str) -> None:
        old_values, new_values = _enum(old), _enum(new)
        if old_values is None and new_values is None:
            return
        if old_values is None or new_values is None:
            self._report(path, "enum constraint " + ("added" if old_values is None else "removed"))
            return
        for value in old_values:
            if value not in new_values:
                self._report(path, f"enum value {value!r} removed")
        for value in new_values:
            if value not in old_values:
                self._report(path, f"enum value {value!r} added, which existing consumers reject")

    def _compare_properties(self, old: Schema, new: Schema, path: str, resolving: frozenset[tuple[str, str]]) -> None:
        old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in old_properties:
            where = _join(path, name)
            if name not in new_properties:
                self._report(where, "property removed")
                continue
            if name in new_required and name not in old_required:
                self._report(where, "optional property became required")
            elif name in old_required and name not in new_required:
                self._report(where, "required property became optional")
            self.compare(old_properties[name], new_properties[name], path=where, resolving=resolving)
        for name in new_properties:
            if name not in old_properties and name in new_required:
                self._report(_join(path, name), "new required property")

    def _report(self, path: str, change: str) -> None:
        self.changes.append(f"{path or '(root)'}: {change}")


def _resolve(root: Schema, node: Schema) -> Schema:
    """Follow `$ref`s to their definition; keywords beside a `$ref` apply as well."""
    seen: set[str] = set()
    while "$ref" in node and node["$ref"] not in seen:
        ref = node["$ref"]
        seen.add(ref)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        node = {**_lookup(root, ref), **siblings}
    return node


def _lookup(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $refs can be compared, not {ref!r}")
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _variants(node: Schema) -> list[Schema] | None:
    return node.get("anyOf", node.get("oneOf"))


def _kind(root: Schema, variant: Schema) -> str:
    """What a union variant is, for pairing the variants of an old and a new union."""
    if "$ref" in variant:
        return variant["$ref"].rsplit("/", 1)[-1]
    return _show(_types(_resolve(root, variant)))


def _types(node: Schema) -> frozenset[str]:
    declared = node.get("type")
    if declared is None:
        return frozenset({"object"}) if "properties" in node else frozenset()
    return frozenset([declared] if isinstance(declared, str) else declared)


def _enum(node: Schema) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    return node.get("enum")


def _show(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
