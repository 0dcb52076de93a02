"""The policy file loads as committed; a broken one is refused with a message naming the file and field."""

from __future__ import annotations

import json
from functools import reduce
from operator import getitem
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import param

from schemas.commands import DiversionDecision
from schemas.vocabulary import DisposalType
from services.intake.domain.eligibility import assess
from services.intake.domain.policy import Policies, PolicyError, load_policy

POLICY_FILE = Path(__file__).resolve().parents[3] / "deploy" / "policy" / "force-policy.yaml"
DELETE = object()


def test_the_committed_policy_loads() -> None:
    policy = load_policy(POLICY_FILE)

    assert policy.force_id == "cambridgeshire"
    assert set(policy.disposals) == set(DisposalType)
    assert {kind for kind, disposal in policy.disposals.items() if not disposal.enabled} == {
        DisposalType.DIVERSIONARY_CAUTION,
        DisposalType.COMMUNITY_CAUTION,
    }


@pytest.mark.parametrize(
    ("where", "value", "field", "problem"),
    [
        param(
            ("disposals", "community_resolution", "enabeld"),
            True,
            "disposals.community_resolution.enabeld",
            "Extra inputs are not permitted",
            id="unknown key",
        ),
        param(("colour",), "blue", "colour", "Extra inputs are not permitted", id="unknown top-level key"),
        param(
            ("disposals", "adult_conditional_caution", "max_gravity"),
            "three",
            "disposals.adult_conditional_caution.max_gravity",
            "valid integer",
            id="wrong type",
        ),
        param(
            ("disposals", "adult_conditional_caution", "max_gravity"),
            5,
            "disposals.adult_conditional_caution.max_gravity",
            "less than or equal to 4",
            id="gravity off the matrix",
        ),
        param(
            ("domestic_abuse", "excluded_dash_risk"),
            ["severe"],
            "domestic_abuse.excluded_dash_risk.0",
            "Input should be 'standard', 'medium' or 'high'",
            id="unknown DASH level",
        ),
        param(("version",), DELETE, "version", "Field required", id="missing version"),
        param(
            ("disposals", "community_caution"),
            DELETE,
            "disposals",
            "no rules for disposal type(s): community_caution",
            id="missing disposal",
        ),
        param(
            ("disposals", "youth_conditional_caution", "min_age"),
            18,
            "disposals.youth_conditional_caution",
            "max_age is below min_age",
            id="max_age below min_age",
        ),
        param(
            ("disposals", "adult_conditional_caution", "extended_completion_weeks"),
            16,
            "disposals.adult_conditional_caution",
            "extended_completion_weeks must exceed completion_weeks",
            id="extended weeks not beyond normal weeks",
        ),
    ],
)
def test_an_invalid_policy_is_refused_naming_the_file_and_field(
    tmp_path: Path, where: tuple[str, ...], value: Any, field: str, problem: str
) -> None:
    raw = yaml.safe_load(POLICY_FILE.read_text())
    *parents, key = where
    section = reduce(getitem, parents, raw)
    if value is DELETE:
        del section[key]
    else:
        section[key] = value
    broken = tmp_path / "force-policy.yaml"
    broken.write_text(yaml.safe_dump(raw))

    with pytest.raises(PolicyError) as refused:
        load_policy(broken)

    assert f"policy file {broken} is invalid" in str(refused.value)
    assert f"{field}: " in str(refused.value)
    assert problem in str(refused.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        param("disposals: [unclosed", "is not valid YAML", id="bad YAML"),
        param("", "(top level): Input should be a valid dictionary", id="empty file"),
        param(b"version: \xff\xfe", "is not UTF-8 text", id="not UTF-8"),
        param(None, "No such file or directory", id="missing file"),
    ],
)
def test_an_unreadable_policy_file_is_refused_naming_the_file(
    tmp_path: Path, content: str | bytes | None, problem: str
) -> None:
    broken = tmp_path / "force-policy.yaml"
    if isinstance(content, bytes):
        broken.write_bytes(content)
    elif content is not None:
        broken.write_text(content)

    with pytest.raises(PolicyError) as refused:
        load_policy(broken)

    assert str(broken) in str(refused.value)
    assert problem in str(refused.value)


def test_two_policies_for_one_force_are_refused_and_so_is_none() -> None:
    with pytest.raises(PolicyError, match="two policy files for force cambridgeshire"):
        Policies.load([POLICY_FILE, POLICY_FILE])
    with pytest.raises(PolicyError, match="no policy file"):
        Policies.load([])


def test_the_readmes_example_decision_is_valid_and_eligible() -> None:
    example = Path(__file__).resolve().parents[3] / "deploy" / "examples" / "decision.json"
    decision = DiversionDecision.model_validate_json(example.read_text())

    verdict = assess(decision, load_policy(POLICY_FILE), now=decision.decided_at)

    assert verdict.eligible, verdict.failed
    assert {c["kind"] for c in json.loads(example.read_text())["conditions"]} == {
        "rehabilitative",
        "reparative",
        "compensation",
    }
