"""Every command and request body is validated strictly: a number is not a time, `0` is not `false`,
`"5"` is not 5 — whether it arrives as JSON on Kafka or through the HTTP API (which validates the
parsed body). Lax coercion would let `"occurred_at": 0` mean 1 January 1970, or `"absence_acceptable": 0`
mean an unacceptable absence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from schemas.registry import COMMAND_TYPES
from services.compliance.entrypoints import http_models as agency_bodies
from services.intake.entrypoints import http_models as police_bodies
from tests.factories import agency_condition_payload, payload

REQUESTS: dict[type[BaseModel], dict[str, Any]] = {
    agency_bodies.MissedRequest: {"absence_acceptable": False, "occurred_at": "2026-03-04T10:00:00+00:00"},
    agency_bodies.ScheduleRequest: {
        "purpose": "initial_assessment",
        "scheduled_for": "2026-03-09T14:00:00+00:00",
        "mode": "face_to_face",
    },
    agency_bodies.DisengagementRequest: {"last_contact_at": "2026-03-20T10:00:00+00:00"},
    police_bodies.ConditionProgressRequest: {
        "report": "hours_completed",
        "hours": 4,
        "occurred_at": "2026-03-04T10:00:00+00:00",
    },
    police_bodies.BreachDecisionRequest: {
        "decision": "reasonable_excuse",
        "officer": "PC1234",
        "reason": "In hospital.",
        "breach_sequence": 2,
        "complete_by": "2026-07-20",
        "varied_conditions": [agency_condition_payload(complete_by="2026-07-01")],
    },
}
EXAMPLES = {**{model: payload(model) for model in COMMAND_TYPES.values()}, **REQUESTS}


def _wrongly_typed(value: Any) -> list[Any]:
    """JSON values of the wrong type for a field holding `value`."""
    if isinstance(value, bool):
        return [0, 1, "true"]
    if isinstance(value, int):
        return [str(value), value + 0.5]
    if isinstance(value, str) and _is_time(value):
        return [0, 1_700_000_000]
    return []


def _is_time(text: str) -> bool:
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            parse(text)
        except ValueError:
            continue
        return len(text) >= 10
    return False


def _mutations(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _mutations(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _mutations(value, (*path, index))
    else:
        for wrong in _wrongly_typed(data):
            yield path, wrong


def _replaced(data: Any, path: tuple, value: Any) -> Any:
    copy = json.loads(json.dumps(data))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


CASES = [
    pytest.param(model, path, wrong, id=f"{model.__name__}.{'.'.join(map(str, path))}={wrong!r}")
    for model, example in EXAMPLES.items()
    for path, wrong in _mutations(example)
]


@pytest.mark.parametrize("model", EXAMPLES, ids=lambda model: model.__name__)
def test_the_examples_are_valid(model: type[BaseModel]) -> None:
    model.model_validate(EXAMPLES[model])
    model.model_validate_json(json.dumps(EXAMPLES[model]))


def test_every_command_and_request_with_a_flag_a_count_or_a_time_is_covered() -> None:
    covered = {model for model, _, _ in (case.values for case in CASES)}
    assert covered >= set(REQUESTS) | {m for m in COMMAND_TYPES.values() if "occurred_at" in EXAMPLES[m]}


@pytest.mark.parametrize(("model", "path", "wrong"), CASES)
def test_a_value_of_the_wrong_json_type_is_refused(model: type[BaseModel], path: tuple, wrong: Any) -> None:
    bad = _replaced(EXAMPLES[model], path, wrong)

    with pytest.raises(ValidationError):
        model.model_validate_json(json.dumps(bad))
    with pytest.raises(ValidationError):
        model.model_validate(bad)
