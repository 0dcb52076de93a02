"""The compliance rules file loads as committed; a broken one is refused naming the file and the field."""

from __future__ import annotations

from functools import reduce
from operator import getitem
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import param

from schemas.vocabulary import DisposalType
from services.compliance.domain.rules import BreachPath, DisposalRules, RulesError, load_rules

RULES_FILE = Path(__file__).resolve().parents[3] / "deploy" / "policy" / "compliance-rules.yaml"
DELETE = object()


def test_the_committed_rules_load() -> None:
    rules = load_rules(RULES_FILE)

    caution = DisposalRules(on_breach=BreachPath.PROSECUTION_DECISION, every_referral_required=False)
    assert rules.version == "2026.2"
    assert rules.max_unacceptable_absences == 2
    assert rules.disengagement_is_breach is True
    assert rules.clock_skew_seconds == 300
    assert rules.disposals == {
        DisposalType.COMMUNITY_RESOLUTION: DisposalRules(
            on_breach=BreachPath.NON_COMPLETION, every_referral_required=True
        ),
        DisposalType.ADULT_CONDITIONAL_CAUTION: caution,
        DisposalType.YOUTH_CONDITIONAL_CAUTION: caution,
        DisposalType.DIVERSIONARY_CAUTION: caution,
        DisposalType.COMMUNITY_CAUTION: DisposalRules(
            on_breach=BreachPath.FINANCIAL_PENALTY, every_referral_required=False
        ),
    }


def test_the_rules_are_frozen() -> None:
    rules = load_rules(RULES_FILE)

    with pytest.raises(ValueError, match="frozen"):
        rules.max_unacceptable_absences = 5


@pytest.mark.parametrize(
    ("where", "value", "field", "problem"),
    [
        param(
            ("disposals", "community_caution"),
            DELETE,
            "disposals",
            "no rules for disposal type(s): community_caution",
            id="missing disposal",
        ),
        param(
            ("disposals",),
            {"community_resolution": {"on_breach": "non_completion", "every_referral_required": True}},
            "disposals",
            "adult_conditional_caution, community_caution, diversionary_caution, youth_conditional_caution",
            id="several disposals missing, all named",
        ),
        param(("disposals",), DELETE, "disposals", "Field required", id="no disposals section"),
        param(
            ("disposals", "community_caution", "every_referral_required"),
            DELETE,
            "disposals.community_caution.every_referral_required",
            "Field required",
            id="whether referrals are required left out",
        ),
        param(("clock_skew_seconds",), 7200, "clock_skew_seconds", "less than or equal to 3600", id="skew too large"),
        param(("version",), DELETE, "version", "Field required", id="missing version"),
        param(
            ("max_unacceptable_absences",), DELETE, "max_unacceptable_absences", "Field required", id="missing maximum"
        ),
        param(
            ("disengagement_is_breach",),
            DELETE,
            "disengagement_is_breach",
            "Field required",
            id="missing disengagement",
        ),
        param(("max_absences",), 3, "max_absences", "Extra inputs are not permitted", id="unknown top-level key"),
        param(
            ("disposals", "conditional_caution"),
            {"on_breach": "prosecution_decision", "every_referral_required": False},
            "disposals.conditional_caution.[key]",
            "Input should be 'community_resolution'",
            id="unknown disposal",
        ),
        param(
            ("disposals", "community_caution", "on_breach"),
            "fine",
            "disposals.community_caution.on_breach",
            "Input should be 'non_completion', 'prosecution_decision' or 'financial_penalty'",
            id="unknown breach path",
        ),
        param(
            ("max_unacceptable_absences",),
            0,
            "max_unacceptable_absences",
            "greater than or equal to 1",
            id="maximum of 0 absences",
        ),
        param(
            ("max_unacceptable_absences",),
            21,
            "max_unacceptable_absences",
            "less than or equal to 20",
            id="maximum above 20 absences",
        ),
        param(
            ("max_unacceptable_absences",),
            "two",
            "max_unacceptable_absences",
            "valid integer",
            id="maximum not a number",
        ),
        param(
            ("disengagement_is_breach",),
            "sometimes",
            "disengagement_is_breach",
            "valid boolean",
            id="disengagement not a boolean",
        ),
        param(("version",), "", "version", "at least 1 character", id="empty version"),
    ],
)
def test_an_invalid_rules_file_is_refused_naming_the_file_and_field(
    tmp_path: Path, where: tuple[str, ...], value: Any, field: str, problem: str
) -> None:
    raw = yaml.safe_load(RULES_FILE.read_text())
    *parents, key = where
    section = reduce(getitem, parents, raw)
    if value is DELETE:
        del section[key]
    else:
        section[key] = value
    broken = tmp_path / "compliance-rules.yaml"
    broken.write_text(yaml.safe_dump(raw))

    with pytest.raises(RulesError) as refused:
        load_rules(broken)

    assert f"compliance rules {broken} is invalid" in str(refused.value)
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
def test_an_unreadable_rules_file_is_refused_naming_the_file(
    tmp_path: Path, content: str | bytes | None, problem: str
) -> None:
    broken = tmp_path / "compliance-rules.yaml"
    if isinstance(content, bytes):
        broken.write_bytes(content)
    elif content is not None:
        broken.write_text(content)

    with pytest.raises(RulesError) as refused:
        load_rules(broken)

    assert str(broken) in str(refused.value)
    assert problem in str(refused.value)
